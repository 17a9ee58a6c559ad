"""The simulated kubelet's pod workers, in the spirit of KWOK's stages.

On each Ready node (not annotated sim.kubelite.io/down) it moves bound pods through
their lifecycle (the node's heartbeats are the kubelet-node controller's):

- Pending -> Running: containers start, the pod gets a unique IP from the node's podCIDR,
  hostIP, startTime and the PodScheduled/Initialized/ContainersReady/Ready conditions.
- Containers exit after `sim.kubelite.io/duration`, or, without it, on the first pass after
  they started when restartPolicy is Never or OnFailure or an exit code is set.
- Exit code 0 with Never/OnFailure: Succeeded. Non-zero with Never: Failed. Otherwise the
  container restarts (restartCount+1, CrashLoopBackOff with upstream's 10s..5m back-off).
- `sim.kubelite.io/ready: "false"` keeps a running pod from ever becoming Ready.
"""
from __future__ import annotations

import ipaddress
import re

from kubelite.api.fastcopy import clone

from kubelite.controllers import _common as c

DURATION = "sim.kubelite.io/duration"
EXIT_CODE = "sim.kubelite.io/exit-code"
READY = "sim.kubelite.io/ready"
BACKOFF_START, BACKOFF_MAX = 10, 300


def parse_duration(text: str | None) -> float | None:
    """Go-style durations: `30s`, `1m30s`, `2h`, `500ms`."""
    if not text:
        return None
    total = 0.0
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text):
        total += float(num) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    if not re.fullmatch(r"(\d+(?:\.\d+)?(ms|s|m|h))+", text.strip()):
        return None
    return total


def _ann(pod: dict, key: str) -> str | None:
    return ((pod.get("metadata") or {}).get("annotations") or {}).get(key)


def sync(ctx) -> None:
    nodes = ctx.snap.list("Node")
    healthy = {n["metadata"]["name"]: n for n in nodes if not c.is_down(n)}
    for name, node in sorted(healthy.items()):
        ready = c.condition(node, "Ready")
        if ready is None or ready.get("status") != "True":
            continue
        pods = [p for p in ctx.snap.pods_on(name) if c.pod_phase(p) not in ("Succeeded", "Failed") and not c.is_terminating(p)]
        if not pods:
            continue
        used = {(p.get("status") or {}).get("podIP") for p in ctx.snap.pods_on(name)}
        ips = _Addresses(node, used)
        ctx.guarded(sorted(pods, key=lambda p: p["metadata"]["name"]), lambda p: _pod(ctx, node, p, ips))


def _node_ip(node: dict) -> str:
    for a in (node.get("status") or {}).get("addresses") or []:
        if a.get("type") == "InternalIP":
            return a["address"]
    return ""


class _Addresses:
    """A node's pod IPs: the lowest free host address of its podCIDR, skipping .1 (the
    node's bridge). Addresses below the last one handed out are known taken, so a node's
    pods cost one walk of its range, not one each."""

    def __init__(self, node: dict, used: set):
        self.used = used
        self.cidr = (node.get("spec") or {}).get("podCIDR")
        self._hosts = None

    def allocate(self) -> str | None:
        if not self.cidr:
            return None
        if self._hosts is None:
            self._hosts = ipaddress.ip_network(self.cidr, strict=False).hosts()
            next(self._hosts, None)  # .1 is the node's bridge
        for ip in self._hosts:
            s = str(ip)
            if s not in self.used:
                self.used.add(s)
                return s
        return None


def _missing_config(ctx, pod: dict) -> tuple[str, str] | None:
    """(reason, message) when a referenced ConfigMap/Secret is missing and not optional."""
    ns = pod["metadata"]["namespace"]
    spec = pod.get("spec") or {}

    def exists(kind: str, name: str) -> bool:
        return ctx.snap.get(kind, ns, name) is not None

    def key_exists(kind: str, name: str, key: str) -> bool:
        o = ctx.snap.get(kind, ns, name)
        if o is None:
            return False
        return key in (o.get("data") or {}) or key in (o.get("binaryData") or {}) or key in (o.get("stringData") or {})

    for ctr in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        for ef in ctr.get("envFrom") or []:
            for kind, fld in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                ref = ef.get(fld)
                if ref and not ref.get("optional") and not exists(kind, ref.get("name", "")):
                    return "CreateContainerConfigError", f'{kind.lower()} "{ref.get("name")}" not found'
        for e in ctr.get("env") or []:
            vf = e.get("valueFrom") or {}
            for kind, fld in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                ref = vf.get(fld)
                if not ref or ref.get("optional"):
                    continue
                if not exists(kind, ref.get("name", "")):
                    return "CreateContainerConfigError", f'{kind.lower()} "{ref.get("name")}" not found'
                if not key_exists(kind, ref.get("name", ""), ref.get("key", "")):
                    return "CreateContainerConfigError", f"couldn't find key {ref.get('key')} in {kind}  {ns}/{ref.get('name')}"
    for v in spec.get("volumes") or []:
        for kind, fld, name_key in (("ConfigMap", "configMap", "name"), ("Secret", "secret", "secretName")):
            src = v.get(fld)
            if src and not src.get("optional") and not exists(kind, src.get(name_key, "")):
                return "ContainerCreating", f'MountVolume.SetUp failed for volume "{v.get("name")}" : {kind.lower()} "{src.get(name_key)}" not found'
        for claim in [(v.get("persistentVolumeClaim") or {}).get("claimName")]:
            if claim:
                pvc = ctx.snap.get("PersistentVolumeClaim", ns, claim)
                if pvc is None or (pvc.get("status") or {}).get("phase") != "Bound":
                    return "ContainerCreating", f'persistentvolumeclaim "{claim}" is not bound'
    return None


def _qos(pod: dict) -> str:
    ctrs = (pod.get("spec") or {}).get("containers") or []
    reqs = [((x.get("resources") or {}).get("requests") or {}) for x in ctrs]
    lims = [((x.get("resources") or {}).get("limits") or {}) for x in ctrs]
    if not any(reqs) and not any(lims):
        return "BestEffort"
    guaranteed = all(l.get("cpu") and l.get("memory") and (r.get("cpu", l["cpu"]) == l["cpu"]) and (r.get("memory", l["memory"]) == l["memory"])
                     for r, l in zip(reqs, lims))
    return "Guaranteed" if guaranteed else "Burstable"


def _container_status(ctr: dict, state: dict, ready: bool, restarts: int, last_state: dict | None = None, started: bool | None = None) -> dict:
    s = {
        "name": ctr["name"], "image": ctr.get("image", ""), "imageID": f"docker.io/library/{ctr.get('image', '')}",
        "ready": ready, "restartCount": restarts, "state": state,
        "started": bool(state.get("running")) if started is None else started,
    }
    if "running" in state or "terminated" in state:
        s["containerID"] = f"kubelite://{ctr['name']}"
    s["lastState"] = last_state or {}
    return s


def _pod(ctx, node: dict, pod: dict, ips: _Addresses) -> None:
    spec = pod.get("spec") or {}
    status = clone(pod.get("status") or {})
    phase = status.get("phase") or "Pending"
    containers = spec.get("containers") or []
    now = ctx.stamp
    sim_ready = _ann(pod, READY) != "false"
    policy = spec.get("restartPolicy") or "Always"
    try:
        exit_code = int(_ann(pod, EXIT_CODE) or 0)
    except ValueError:
        exit_code = 1
    duration = parse_duration(_ann(pod, DURATION))
    explicit_exit = _ann(pod, EXIT_CODE) is not None
    event = None

    if phase == "Pending" and not status.get("containerStatuses", None) or phase == "Pending" and _all_waiting_config(status):
        missing = _missing_config(ctx, pod)
        status["hostIP"] = _node_ip(node)
        status["hostIPs"] = [{"ip": status["hostIP"]}] if status["hostIP"] else []
        status.setdefault("startTime", now)
        status["qosClass"] = _qos(pod)
        c.set_condition(status, "PodScheduled", "True", "", "", now, probe=True)
        if missing is not None:
            reason, message = missing
            status["phase"] = "Pending"
            c.set_condition(status, "Initialized", "True", "", "", now, probe=True)
            c.set_condition(status, "ContainersReady", "False", "ContainersNotReady", f"containers with unready status: [{' '.join(x['name'] for x in containers)}]", now, probe=True)
            c.set_condition(status, "Ready", "False", "ContainersNotReady", f"containers with unready status: [{' '.join(x['name'] for x in containers)}]", now, probe=True)
            status["containerStatuses"] = [_container_status(x, {"waiting": {"reason": reason, "message": message}}, False, 0) for x in containers]
            if status != (pod.get("status") or {}):
                event = ("Warning", "Failed" if reason == "CreateContainerConfigError" else "FailedMount", f"Error: {message}" if reason == "CreateContainerConfigError" else message)
        else:
            ip = (pod.get("status") or {}).get("podIP") or ips.allocate()
            if ip is None:
                ctx.problem(pod, f"node {node['metadata']['name']} has no free pod IP (podCIDR {(node.get('spec') or {}).get('podCIDR')})")
                return
            status["podIP"] = ip
            status["podIPs"] = [{"ip": ip}]
            status["phase"] = "Running"
            status["containerStatuses"] = [_container_status(x, {"running": {"startedAt": now}}, sim_ready, 0) for x in containers]
            if spec.get("initContainers"):
                status["initContainerStatuses"] = [_container_status(x, {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}}, True, 0, started=False) for x in spec["initContainers"]]
            _set_ready(status, containers, sim_ready, now)
            c.set_condition(status, "Initialized", "True", "", "", now, probe=True)
            _order_conditions(status)
            event = ("Normal", "Started", f"Started container {containers[0]['name']}" if containers else "Started")
    elif phase == "Running":
        statuses = status.get("containerStatuses") or []
        changed_any = False
        for cs in statuses:
            state = cs.get("state") or {}
            if "running" in state:
                started = state["running"].get("startedAt")
                exits = (duration is not None and c.seconds_since(started, ctx.now) >= duration) or \
                        (duration is None and (policy != "Always" or explicit_exit))
                if not exits:
                    continue
                terminated = {"exitCode": exit_code, "reason": "Completed" if exit_code == 0 else "Error",
                              "startedAt": started, "finishedAt": now, "containerID": cs.get("containerID", "")}
                if policy == "Never" or (policy == "OnFailure" and exit_code == 0):
                    cs["state"] = {"terminated": terminated}
                    cs["ready"] = False
                    cs["started"] = False
                else:
                    cs["lastState"] = {"terminated": terminated}
                    cs["restartCount"] = int(cs.get("restartCount") or 0) + 1
                    cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                               "message": f"back-off {_backoff(cs['restartCount'])}s restarting failed container={cs['name']} pod={pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})"}}
                    cs["ready"] = False
                    cs["started"] = False
                    event = ("Warning", "BackOff", "Back-off restarting failed container")
                changed_any = True
            elif (state.get("waiting") or {}).get("reason") == "CrashLoopBackOff":
                finished = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
                if c.seconds_since(finished, ctx.now) >= _backoff(int(cs.get("restartCount") or 1)):
                    cs["state"] = {"running": {"startedAt": now}}
                    cs["ready"] = sim_ready
                    cs["started"] = True
                    changed_any = True
        if changed_any:
            terms = [cs["state"].get("terminated") for cs in statuses]
            if statuses and all(terms):
                status["phase"] = "Succeeded" if all(t.get("exitCode") == 0 for t in terms) else "Failed"
                _set_ready(status, containers, False, now, reason="PodCompleted" if status["phase"] == "Succeeded" else "PodFailed")
            else:
                _set_ready(status, containers, all(cs.get("ready") for cs in statuses), now)
        else:
            # A ready-knob change takes effect on a running pod.
            for cs in statuses:
                if "running" in (cs.get("state") or {}):
                    cs["ready"] = sim_ready
            _set_ready(status, containers, bool(statuses) and all(cs.get("ready") for cs in statuses), now)
    if status == (pod.get("status") or {}):
        return
    updated = clone(pod)
    updated["status"] = status
    if ctx.update(updated) is None:
        return
    if event:
        ctx.event(pod, *event, component="kubelet", host=node["metadata"]["name"])
    if status.get("phase") != phase:
        ctx.change(pod, f"{status['phase']}" + (f" on {node['metadata']['name']} ({status.get('podIP')})" if status["phase"] == "Running" else ""))
    elif any((cs.get("state") or {}).get("waiting", {}).get("reason") == "CrashLoopBackOff" for cs in status.get("containerStatuses") or []):
        ctx.change(pod, "CrashLoopBackOff")


def _all_waiting_config(status: dict) -> bool:
    cs = status.get("containerStatuses") or []
    return bool(cs) and all((x.get("state") or {}).get("waiting", {}).get("reason") in ("CreateContainerConfigError", "ContainerCreating") for x in cs)


def _backoff(restarts: int) -> int:
    return min(BACKOFF_MAX, BACKOFF_START * (2 ** max(0, restarts - 1)))


def _set_ready(status: dict, containers: list, ready: bool, now: str, reason: str = "ContainersNotReady") -> None:
    if ready:
        c.set_condition(status, "ContainersReady", "True", "", "", now, probe=True)
        c.set_condition(status, "Ready", "True", "", "", now, probe=True)
        for cnd in status["conditions"]:
            if cnd["type"] in ("ContainersReady", "Ready"):
                cnd.pop("reason", None)
                cnd.pop("message", None)
    else:
        names = " ".join(x["name"] for x in containers)
        msg = f"containers with unready status: [{names}]" if reason == "ContainersNotReady" else ""
        c.set_condition(status, "ContainersReady", "False", reason, msg, now, probe=True)
        c.set_condition(status, "Ready", "False", reason, msg, now, probe=True)


_ORDER = {"PodReadyToStartContainers": 0, "Initialized": 1, "Ready": 2, "ContainersReady": 3, "PodScheduled": 4}


def _order_conditions(status: dict) -> None:
    status["conditions"] = sorted(status.get("conditions") or [], key=lambda x: _ORDER.get(x.get("type"), 9))
