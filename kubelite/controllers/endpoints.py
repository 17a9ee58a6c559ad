"""Endpoints and EndpointSlices kept in step with the pods a Service selects.

As upstream's endpoints and endpointslice controllers:
- the Service's selector picks pods in its namespace; Services without a selector keep
  the Endpoints their users write;
- a pod is listed only if it is not terminal and has an IP;
- ready pods go in `addresses`, others in `notReadyAddresses` (all in `addresses` with
  publishNotReadyAddresses), each with targetRef and nodeName, and a hostname when the
  pod's subdomain is the Service's name;
- named targetPorts resolve against each pod's container ports.
"""
from __future__ import annotations


from kubelite.api.fastcopy import clone
from kubelite.api import selectors
from kubelite.controllers import _common as c

MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
SERVICE_NAME = "kubernetes.io/service-name"
MAX_PER_SLICE = 100
_SLICE_FIELDS = ("addressType", "endpoints", "ports")  # what the controller owns in a slice, with its labels


def resolve_port(svc_port: dict, pod: dict) -> int | None:
    """The pod port a Service port targets; None when a named port is not on the pod."""
    target = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    proto = svc_port.get("protocol", "TCP")
    for ctr in (pod.get("spec") or {}).get("containers") or []:
        for p in ctr.get("ports") or []:
            if p.get("name") == target and p.get("protocol", "TCP") == proto:
                return p.get("containerPort")
    return None


def _address(pod: dict, svc_name: str) -> dict:
    spec = pod.get("spec") or {}
    addr = {"ip": pod["status"]["podIP"]}
    if spec.get("hostname") and spec.get("subdomain") == svc_name:
        addr["hostname"] = spec["hostname"]
    if spec.get("nodeName"):
        addr["nodeName"] = spec["nodeName"]
    addr["targetRef"] = {"kind": "Pod", "name": pod["metadata"]["name"], "namespace": pod["metadata"]["namespace"],
                         "uid": pod["metadata"]["uid"]}
    return addr


def eligible(pod: dict) -> bool:
    return c.pod_phase(pod) not in ("Succeeded", "Failed") and bool((pod.get("status") or {}).get("podIP")) \
        and not c.is_terminating(pod)


def subsets(svc: dict, pods: list[dict]) -> list[dict]:
    """Upstream's Endpoints subsets: addresses grouped by the set of ports they serve."""
    spec = svc.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    name = svc["metadata"]["name"]
    groups: dict[tuple, dict] = {}
    svc_ports = spec.get("ports") or []
    for pod in sorted(pods, key=lambda p: p["status"]["podIP"]):
        ports = []
        for sp in svc_ports:
            port = resolve_port(sp, pod)
            if port is None:
                continue
            entry = {"port": port, "protocol": sp.get("protocol", "TCP")}
            if sp.get("name"):
                entry["name"] = sp["name"]
            if sp.get("appProtocol"):
                entry["appProtocol"] = sp["appProtocol"]
            ports.append(entry)
        if svc_ports and not ports:
            continue
        key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in ports))
        g = groups.get(key)
        if g is None:  # the pods that serve the same ports share one subset
            g = groups[key] = {"addresses": [], "notReadyAddresses": [],
                               "ports": sorted(ports, key=lambda p: (p.get("name", ""), p["port"]))}
        ready = c.is_ready(pod) or publish
        g["addresses" if ready else "notReadyAddresses"].append(_address(pod, name))
    out = []
    for key in sorted(groups):
        g = groups[key]
        s = {k: v for k, v in g.items() if v}
        out.append(s)
    return out


def slices(svc: dict, pods: list[dict]) -> list[dict]:
    """EndpointSlices (discovery.k8s.io/v1) for a Service, at most 100 endpoints each."""
    spec = svc.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    name, ns = svc["metadata"]["name"], svc["metadata"]["namespace"]
    ports = []
    endpoints = []
    first = pods[0] if pods else None
    for sp in spec.get("ports") or []:
        port = resolve_port(sp, first) if first is not None else (sp.get("targetPort") if isinstance(sp.get("targetPort"), int) else None)
        entry = {"name": sp.get("name", ""), "protocol": sp.get("protocol", "TCP")}
        if port is not None:
            entry["port"] = port
        if sp.get("appProtocol"):
            entry["appProtocol"] = sp["appProtocol"]
        ports.append(entry)
    for pod in sorted(pods, key=lambda p: p["status"]["podIP"]):
        ready = c.is_ready(pod)
        ep = {"addresses": [pod["status"]["podIP"]],
              "conditions": {"ready": ready or publish, "serving": ready, "terminating": False},
              "targetRef": {"kind": "Pod", "name": pod["metadata"]["name"], "namespace": ns, "uid": pod["metadata"]["uid"]}}
        if (pod.get("spec") or {}).get("nodeName"):
            ep["nodeName"] = pod["spec"]["nodeName"]
        if (pod.get("spec") or {}).get("hostname") and pod["spec"].get("subdomain") == name:
            ep["hostname"] = pod["spec"]["hostname"]
        endpoints.append(ep)
    chunks = [endpoints[i:i + MAX_PER_SLICE] for i in range(0, len(endpoints), MAX_PER_SLICE)] or [[]]
    base = f"{name}-{c.safe_encode(c.fnv32a(svc['metadata']['uid'].encode()))[:5]}"
    labels = dict(svc["metadata"].get("labels") or {})
    labels.update({SERVICE_NAME: name, MANAGED_BY: SLICE_CONTROLLER})
    out = []
    for i, chunk in enumerate(chunks):
        out.append({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": base if i == 0 else f"{base}-{i}", "namespace": ns, "labels": labels,
                         "ownerReferences": [c.owner_ref(svc)]},
            "addressType": "IPv4", "endpoints": chunk, "ports": ports,
        })
    return out


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)
# A focused pass visits only Services its changes reach (runtime/focus.py): any Pod change
# focuses its namespace's Services; a slice's change focuses its Service.
FOCUSED = True


def sync(ctx) -> None:
    for svc in ctx.snap.list("Service"):
        ctx.guarded([svc], lambda s: _sync_one(ctx, s))
    # Slices whose Service is gone are removed by the garbage collector (owner references).


def _sync_one(ctx, svc: dict) -> None:
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName" or not spec.get("selector") or c.is_terminating(svc):
        return
    ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
    pods = [p for p in ctx.snap.select("Pod", ns, selectors.from_map(spec["selector"])) if eligible(p)]
    want_subsets = subsets(svc, pods)
    ep = ctx.snap.get("Endpoints", ns, name)
    labels = dict(svc["metadata"].get("labels") or {})
    if ep is None:
        body = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name, "namespace": ns}}
        if labels:
            body["metadata"]["labels"] = labels
        if want_subsets:
            body["subsets"] = want_subsets
        if ctx.create(body) is not None:
            ctx.change(svc, f"endpoints {_summary(want_subsets)}")
    elif (ep.get("subsets") != want_subsets if want_subsets else "subsets" in ep) \
            or (labels and ep["metadata"].get("labels") != labels):
        updated = clone(ep)
        if want_subsets:
            updated["subsets"] = want_subsets
        else:
            updated.pop("subsets", None)
        if labels:
            updated["metadata"]["labels"] = labels
        if ctx.update(updated) is not None:
            ctx.change(svc, f"endpoints {_summary(want_subsets)}")
    want_slices = {s["metadata"]["name"]: s for s in slices(svc, pods)}
    have = {s["metadata"]["name"]: s for s in ctx.snap.owned("EndpointSlice", svc["metadata"]["uid"])}
    for sname, want in want_slices.items():
        cur = have.get(sname)
        if cur is None:
            ctx.create(want)
            continue
        if all(cur.get(k) == want[k] for k in _SLICE_FIELDS) and cur["metadata"].get("labels") == want["metadata"]["labels"]:
            continue  # as wanted: no copy, no write
        updated = clone(cur)
        for k in _SLICE_FIELDS:
            updated[k] = want[k]
        updated["metadata"]["labels"] = want["metadata"]["labels"]
        ctx.update(updated)
    for sname, cur in have.items():
        if sname not in want_slices:
            ctx.delete(cur)


def _summary(subs: list[dict]) -> str:
    ready = [a["ip"] for s in subs for a in s.get("addresses") or []]
    not_ready = [a["ip"] for s in subs for a in s.get("notReadyAddresses") or []]
    text = ",".join(ready) or "<none>"
    if not_ready:
        text += f" (not ready: {','.join(not_ready)})"
    return text
