"""`kubelite describe`: readable fields, conditions and the object's events."""
from __future__ import annotations

import base64
from typing import Any

import click

from kubelite.api import kinds, selectors
from kubelite.cli import printers
from kubelite.cli.context import global_options, obj
from kubelite.cli.inputs import parse_refs
from kubelite.clock import human_duration, parse_time

W = 14  # label column width, as kubectl's describers align


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, level: int, label: str, value: Any = None) -> None:
        pad = "  " * level
        if value is None:
            self.lines.append(f"{pad}{label}")
        else:
            text = f"{label}:"
            self.lines.append(f"{pad}{text.ljust(max(W - len(pad), len(text) + 1))}{value}")

    def map(self, level: int, label: str, m: dict | None) -> None:
        items = sorted((m or {}).items())
        if not items:
            self.line(level, label, "<none>")
            return
        pad = "  " * level
        indent = len(pad) + max(W - len(pad), len(label) + 2)
        for i, (k, v) in enumerate(items):
            if i == 0:
                self.line(level, label, f"{k}={v}")
            else:
                self.lines.append(" " * indent + f"{k}={v}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _yaml_block(w: Writer, level: int, value: Any) -> None:
    from kubelite.api import yamlio

    for ln in yamlio.dump(value).rstrip("\n").splitlines():
        w.lines.append("  " * level + ln)


def _conditions(w: Writer, conds: list[dict] | None, columns: tuple[str, ...] = ("Type", "Status", "Reason")) -> None:
    if not conds:
        return
    w.line(0, "Conditions")
    w.lines.append("  " + "  ".join(c.ljust(16) for c in columns).rstrip())
    w.lines.append("  " + "  ".join(("-" * len(c)).ljust(16) for c in columns).rstrip())
    for cnd in conds:
        cells = [str(cnd.get(c[0].lower() + c[1:], "")) for c in columns]
        w.lines.append("  " + "  ".join(x.ljust(16) for x in cells).rstrip())


def _containers(w: Writer, containers: list[dict], statuses: list[dict] | None, level: int = 1) -> None:
    by_name = {s.get("name"): s for s in statuses or []}
    for c in containers:
        w.line(level, f"{c.get('name')}:")
        w.line(level + 1, "Image", c.get("image", ""))
        ports = ", ".join(f"{p.get('containerPort')}/{p.get('protocol', 'TCP')}" for p in c.get("ports") or [])
        w.line(level + 1, "Port", ports or "<none>")
        if c.get("command"):
            w.line(level + 1, "Command", " ".join(c["command"]))
        st = by_name.get(c.get("name"))
        if st:
            state = st.get("state") or {}
            for sname, sval in state.items():
                w.line(level + 1, "State", sname.capitalize())
                for k in ("reason", "startedAt", "exitCode", "finishedAt", "message"):
                    if sval and k in sval:
                        w.line(level + 2, k[0].upper() + k[1:], sval[k])
            w.line(level + 1, "Ready", str(bool(st.get("ready"))))
            w.line(level + 1, "Restart Count", st.get("restartCount", 0))
        res = c.get("resources") or {}
        for sect in ("limits", "requests"):
            if res.get(sect):
                w.line(level + 1, sect.capitalize())
                for k, v in sorted(res[sect].items()):
                    w.line(level + 2, k, v)
        env = c.get("env") or []
        if env:
            w.line(level + 1, "Environment")
            for e in env:
                if "value" in e:
                    val = e.get("value")
                else:
                    vf = e.get("valueFrom") or {}
                    ref = vf.get("secretKeyRef") or vf.get("configMapKeyRef")
                    src = "secret" if "secretKeyRef" in vf else "config map"
                    val = f"<set to the key '{ref.get('key')}' in {src} '{ref.get('name')}'>" if ref else "<set from field>"
                w.line(level + 2, e.get("name"), val)
        else:
            w.line(level + 1, "Environment", "<none>")
        mounts = c.get("volumeMounts") or []
        w.line(level + 1, "Mounts", "<none>" if not mounts else "")
        for mnt in mounts:
            w.lines.append("  " * (level + 2) + f"{mnt.get('mountPath')} from {mnt.get('name')} ({'ro' if mnt.get('readOnly') else 'rw'})")


def _pod_template(w: Writer, tmpl: dict) -> None:
    w.line(0, "Pod Template")
    meta = tmpl.get("metadata") or {}
    w.map(1, "Labels", meta.get("labels"))
    spec = tmpl.get("spec") or {}
    if spec.get("serviceAccountName"):
        w.line(1, "Service Account", spec["serviceAccountName"])
    w.line(1, "Containers")
    _containers(w, spec.get("containers") or [], None, 2)
    w.line(1, "Volumes", "<none>" if not spec.get("volumes") else "")
    for v in spec.get("volumes") or []:
        w.line(2, f"{v.get('name')}:")
        _yaml_block(w, 3, {k: x for k, x in v.items() if k != "name"})


def _events(api, o: dict, now) -> list[str]:
    kind = kinds.by_kind("Event")
    uid = o["metadata"].get("uid")
    ns = o["metadata"].get("namespace") or "default"
    evs = [e for e in api.list(kind, ns) if (e.get("involvedObject") or {}).get("uid") == uid]
    if not evs:
        return ["Events:  <none>"]
    evs.sort(key=lambda e: e.get("lastTimestamp") or e.get("firstTimestamp") or "")
    rows = [["Type", "Reason", "Age", "From", "Message"], ["----", "------", "----", "----", "-------"]]
    for e in evs:
        first, last = e.get("firstTimestamp"), e.get("lastTimestamp")
        age = human_duration((now - parse_time(last or first)).total_seconds()) if (last or first) else "<unknown>"
        if (e.get("count") or 1) > 1 and first:
            age = f"{age} (x{e['count']} over {human_duration((now - parse_time(first)).total_seconds())})"
        rows.append([e.get("type", ""), e.get("reason", ""), age, (e.get("source") or {}).get("component", ""), e.get("message", "")])
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = ["Events:"]
    for r in rows:
        out.append("  " + "  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    return out


def describe_object(api, kind, o: dict, now) -> str:
    w = Writer()
    meta = o.get("metadata") or {}
    spec, status = o.get("spec") or {}, o.get("status") or {}
    w.line(0, "Name", meta.get("name"))
    if kind.namespaced:
        w.line(0, "Namespace", meta.get("namespace"))
    w.map(0, "Labels", meta.get("labels"))
    ann = {k: v for k, v in (meta.get("annotations") or {}).items() if k != "kubectl.kubernetes.io/last-applied-configuration"}
    w.map(0, "Annotations", ann)
    if meta.get("creationTimestamp"):
        w.line(0, "CreationTimestamp", meta["creationTimestamp"])
    if meta.get("deletionTimestamp"):
        w.line(0, "Terminating", f"since {meta['deletionTimestamp']}")
    if meta.get("finalizers"):
        w.line(0, "Finalizers", "[" + " ".join(meta["finalizers"]) + "]")
    owners = [r for r in meta.get("ownerReferences") or [] if r.get("controller")]
    if owners:
        w.line(0, "Controlled By", f"{owners[0].get('kind')}/{owners[0].get('name')}")
    k = kind.kind
    if k == "Pod":
        w.line(0, "Service Account", spec.get("serviceAccountName", ""))
        w.line(0, "Node", f"{spec.get('nodeName')}/{status.get('hostIP', '')}" if spec.get("nodeName") else "<none>")
        if status.get("startTime"):
            w.line(0, "Start Time", status["startTime"])
        w.line(0, "Status", printers.pod_status(o))
        if status.get("reason"):
            w.line(0, "Reason", status["reason"])
        if status.get("message"):
            w.line(0, "Message", status["message"])
        w.line(0, "IP", status.get("podIP") or "")
        w.line(0, "Containers")
        _containers(w, spec.get("containers") or [], status.get("containerStatuses"))
        _conditions(w, status.get("conditions"), ("Type", "Status"))
        w.line(0, "Volumes", "<none>" if not spec.get("volumes") else "")
        for v in spec.get("volumes") or []:
            w.line(1, f"{v.get('name')}:")
            _yaml_block(w, 2, {kk: x for kk, x in v.items() if kk != "name"})
        w.line(0, "QoS Class", status.get("qosClass") or "BestEffort")
        w.map(0, "Node-Selectors", spec.get("nodeSelector"))
        tols = [f"{t.get('key', '')}:{t.get('effect', '')} op={t.get('operator', 'Equal')}" + (f" for {t['tolerationSeconds']}s" if t.get("tolerationSeconds") else "") for t in spec.get("tolerations") or []]
        w.line(0, "Tolerations", tols[0] if tols else "<none>")
        for t in tols[1:]:
            w.lines.append(" " * W + t)
    elif k in ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet"):
        sel = spec.get("selector")
        w.line(0, "Selector", printers._selector_text(sel))
        if k == "DaemonSet":
            w.line(0, "Desired Number of Nodes Scheduled", status.get("desiredNumberScheduled", 0))
            w.line(0, "Current Number of Nodes Scheduled", status.get("currentNumberScheduled", 0))
            w.line(0, "Number of Nodes Scheduled with Up-to-date Pods", status.get("updatedNumberScheduled", 0))
            w.line(0, "Number of Nodes Scheduled with Available Pods", status.get("numberAvailable", 0))
            w.line(0, "Number of Nodes Misscheduled", status.get("numberMisscheduled", 0))
        elif k == "Deployment":
            w.line(0, "Replicas", f"{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
                                  f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
                                  f"{status.get('unavailableReplicas', 0)} unavailable")
            strategy = spec.get("strategy") or {}
            w.line(0, "StrategyType", strategy.get("type", "RollingUpdate"))
            w.line(0, "MinReadySeconds", spec.get("minReadySeconds", 0))
            ru = strategy.get("rollingUpdate")
            if ru:
                w.line(0, "RollingUpdateStrategy", f"{ru.get('maxUnavailable')} max unavailable, {ru.get('maxSurge')} max surge")
        else:
            w.line(0, "Replicas", f"{status.get('replicas', 0)} current / {spec.get('replicas', 1)} desired")
            if k != "StatefulSet":
                pods = status.get("replicas", 0)
                w.line(0, "Pods Status", f"{status.get('readyReplicas', 0)} Running / {max(0, pods - status.get('readyReplicas', 0))} Waiting / 0 Succeeded / 0 Failed")
        _pod_template(w, spec.get("template") or {})
        _conditions(w, status.get("conditions"))
    elif k == "Node":
        w.line(0, "Roles", printers._node(o, now)[1])
        taints = [f"{t.get('key')}" + (f"={t['value']}" if t.get("value") else "") + f":{t.get('effect')}" for t in spec.get("taints") or []]
        w.line(0, "Taints", taints[0] if taints else "<none>")
        for t in taints[1:]:
            w.lines.append(" " * W + t)
        w.line(0, "Unschedulable", str(bool(spec.get("unschedulable"))).lower())
        _conditions(w, status.get("conditions"), ("Type", "Status", "LastHeartbeatTime", "Reason", "Message"))
        for sect in ("capacity", "allocatable"):
            w.line(0, sect.capitalize() + ":")
            for kk, v in sorted((status.get(sect) or {}).items()):
                w.lines.append(f"  {kk + ':':<20}{v}")
        if spec.get("podCIDR"):
            w.line(0, "PodCIDR", spec["podCIDR"])
    elif k in ("Secret", "FederatedSecret"):
        if k == "FederatedSecret":
            # The template holds the secret: show its placement, and its data only as sizes.
            tmpl = (spec.get("template") or {})
            w.line(0, "Placement")
            _yaml_block(w, 1, spec.get("placement") or {})
            shown = {"type": tmpl.get("type", "Opaque"), "data": dict(tmpl.get("data") or {})}
            for key, value in (tmpl.get("stringData") or {}).items():
                shown["data"][key] = base64.b64encode(str(value).encode()).decode()
        else:
            shown = o
        w.line(0, "Type", shown.get("type", "Opaque"))
        w.lines += ["", "Data", "===="]
        for kk, v in sorted((shown.get("data") or {}).items()):
            try:
                size = len(base64.b64decode(v))
            except Exception:
                size = len(v)
            w.lines.append(f"{kk}:  {size} bytes")
    elif k == "ConfigMap":
        w.lines += ["", "Data", "===="]
        for kk, v in sorted((o.get("data") or {}).items()):
            w.lines += [f"{kk}:", "----", str(v), ""]
        w.lines += ["", "BinaryData", "===="]
        for kk, v in sorted((o.get("binaryData") or {}).items()):
            w.lines.append(f"{kk}: {len(base64.b64decode(v))} bytes")
    else:
        rest = {kk: v for kk, v in o.items() if kk not in ("apiVersion", "kind", "metadata")}
        for kk, v in rest.items():
            if isinstance(v, (dict, list)):
                w.line(0, kk[0].upper() + kk[1:])
                _yaml_block(w, 1, v)
            else:
                w.line(0, kk[0].upper() + kk[1:], v)
        if k in ("Job", "CronJob", "Namespace", "Service", "PersistentVolume", "PersistentVolumeClaim"):
            pass
    if k in _WEBHOOK_KINDS and not kind.custom:
        w.lines.append(f"Not called:   kubelite has no network endpoint to reach admission webhooks; these "
                       f"{len(o.get('webhooks') or [])} webhook(s) are stored and validated but never invoked")
    if k != "Event":
        w.lines += _events(api, o, now)
    return w.text()


_WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")


@click.command()
@click.argument("args", nargs=-1, required=True)
@click.option("-l", "--selector", default=None)
@click.option("-A", "--all-namespaces", is_flag=True)
@global_options
def describe(args, selector, all_namespaces):
    """Show details of a specific resource or group of resources, with their events.

    \b
    Examples:
      kubelite describe deploy web
      kubelite describe pods -l app=web
    """
    c = obj()
    api = c.api
    now = c.clock.now()
    sel = selectors.parse(selector)
    out = []
    for ref in parse_refs(args):
        if ref.names:
            for n in ref.names:
                out.append((ref.kind, api.get(ref.kind, c.namespace, n)))
        else:
            for o in api.list(ref.kind, None if all_namespaces else c.namespace):
                if sel.matches(o["metadata"].get("labels")):
                    out.append((ref.kind, o))
    if not out:
        click.echo(f"No resources found in {c.namespace} namespace.", err=True)
        return
    click.echo("\n\n".join(describe_object(api, k, o, now).rstrip("\n") for k, o in out))
