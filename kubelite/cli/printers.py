"""Table columns per kind, as kubectl's printers show them."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from kubelite.clock import human_duration, parse_time

Row = list[str]


def age(obj: dict, now: dt.datetime) -> str:
    ts = (obj.get("metadata") or {}).get("creationTimestamp")
    if not ts:
        return "<unknown>"
    try:
        return human_duration((now - parse_time(ts)).total_seconds())
    except ValueError:
        return "<invalid>"


def _since(ts: str | None, now: dt.datetime) -> str:
    if not ts:
        return "<none>"
    try:
        return human_duration((now - parse_time(ts)).total_seconds())
    except ValueError:
        return "<invalid>"


def _containers(obj: dict, path: tuple[str, ...] = ("spec", "template", "spec")) -> list[dict]:
    d: Any = obj
    for p in path:
        d = (d or {}).get(p) or {}
    return d.get("containers") or []


def _names_images(obj: dict, path: tuple[str, ...] = ("spec", "template", "spec")) -> list[str]:
    cs = _containers(obj, path)
    return [",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)]


def _selector_text(sel: Any) -> str:
    if not sel:
        return "<none>"
    if "matchLabels" in sel or "matchExpressions" in sel:
        from kubelite.api.selectors import from_label_selector

        return str(from_label_selector(sel)) or "<none>"
    return ",".join(f"{k}={v}" for k, v in sorted(sel.items()))


def pod_status(pod: dict) -> str:
    """kubectl's STATUS column for a pod."""
    status = pod.get("status") or {}
    meta = pod.get("metadata") or {}
    reason = status.get("reason") or status.get("phase") or "Pending"
    init_statuses = status.get("initContainerStatuses") or []
    initializing = False
    n_init = len((pod.get("spec") or {}).get("initContainers") or [])
    for i, cs in enumerate(init_statuses):
        state = cs.get("state") or {}
        term = state.get("terminated")
        if term and term.get("exitCode", 0) == 0:
            continue
        if term:
            reason = "Init:" + (term.get("reason") or f"ExitCode:{term.get('exitCode')}")
        elif (state.get("waiting") or {}).get("reason") not in (None, "", "PodInitializing"):
            reason = "Init:" + state["waiting"]["reason"]
        else:
            reason = f"Init:{i}/{n_init}"
        initializing = True
        break
    if not initializing:
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            state = cs.get("state") or {}
            if (state.get("waiting") or {}).get("reason"):
                reason = state["waiting"]["reason"]
            elif state.get("terminated"):
                t = state["terminated"]
                reason = t.get("reason") or (f"Signal:{t['signal']}" if t.get("signal") else f"ExitCode:{t.get('exitCode')}")
            elif state.get("running") and cs.get("ready"):
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running"
    if meta.get("deletionTimestamp"):
        reason = "Terminating" if status.get("reason") != "NodeLost" else "Unknown"
    return reason


def _pod(obj: dict, now: dt.datetime) -> Row:
    status = obj.get("status") or {}
    cstat = status.get("containerStatuses") or []
    total = len((obj.get("spec") or {}).get("containers") or [])
    ready = sum(1 for c in cstat if c.get("ready"))
    restarts = sum(int(c.get("restartCount") or 0) for c in cstat)
    last = None
    for c in cstat:
        fin = ((c.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        if fin and (last is None or fin > last):
            last = fin
    r = str(restarts)
    if restarts and last:
        r += f" ({_since(last, now)} ago)"
    return [f"{ready}/{total}", pod_status(obj), r, age(obj, now)]


def _pod_wide(obj: dict, now: dt.datetime) -> Row:
    status, spec = obj.get("status") or {}, obj.get("spec") or {}
    gates = spec.get("readinessGates") or []
    if gates:
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        gate = f"{sum(1 for g in gates if conds.get(g.get('conditionType')) == 'True')}/{len(gates)}"
    else:
        gate = "<none>"
    return [status.get("podIP") or "<none>", spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", gate]


def _replicas(obj: dict, now: dt.datetime) -> Row:
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    return [str(spec.get("replicas", 1)), str(st.get("replicas") or 0), str(st.get("readyReplicas") or 0), age(obj, now)]


def _replicas_wide(obj: dict, now: dt.datetime) -> Row:
    return _names_images(obj) + [_selector_text((obj.get("spec") or {}).get("selector"))]


def _deployment(obj: dict, now: dt.datetime) -> Row:
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    return [f"{st.get('readyReplicas') or 0}/{spec.get('replicas', 1)}", str(st.get("updatedReplicas") or 0),
            str(st.get("availableReplicas") or 0), age(obj, now)]


def _daemonset(obj: dict, now: dt.datetime) -> Row:
    st = obj.get("status") or {}
    ns = ((obj.get("spec") or {}).get("template") or {}).get("spec", {}).get("nodeSelector") or {}
    sel = ",".join(f"{k}={v}" for k, v in sorted(ns.items())) or "<none>"
    return [str(st.get(k) or 0) for k in ("desiredNumberScheduled", "currentNumberScheduled", "numberReady", "updatedNumberScheduled", "numberAvailable")] + [sel, age(obj, now)]


def _statefulset(obj: dict, now: dt.datetime) -> Row:
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    return [f"{st.get('readyReplicas') or 0}/{spec.get('replicas', 1)}", age(obj, now)]


def _job_status(obj: dict) -> str:
    """kubectl's printJob STATUS: conditions in this order, deletion before suspension."""
    st = obj.get("status") or {}
    conds = {c.get("type") for c in st.get("conditions") or [] if c.get("status") == "True"}
    if "Complete" in conds:
        return "Complete"
    if "Failed" in conds:
        return "Failed"
    if (obj.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    for ctype in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if ctype in conds:
            return ctype
    return "Running"


def _job(obj: dict, now: dt.datetime) -> Row:
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    completions = spec.get("completions")
    if completions is not None:
        comp = f"{st.get('succeeded') or 0}/{completions}"
    else:
        par = spec.get("parallelism", 1)
        comp = f"{st.get('succeeded') or 0}/1" if par <= 1 else f"{st.get('succeeded') or 0}/1 of {par}"
    start, end = st.get("startTime"), st.get("completionTime")
    if not start:
        dur = ""
    else:
        try:
            stop = parse_time(end) if end else now
            dur = human_duration((stop - parse_time(start)).total_seconds())
        except ValueError:
            dur = ""
    return [_job_status(obj), comp, dur, age(obj, now)]


def _job_wide(obj: dict, now: dt.datetime) -> Row:
    return _names_images(obj) + [_selector_text((obj.get("spec") or {}).get("selector"))]


def _cronjob(obj: dict, now: dt.datetime) -> Row:
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    return [spec.get("schedule", ""), spec.get("timeZone") or "<none>", "True" if spec.get("suspend") else "False",
            str(len(st.get("active") or [])), _since(st.get("lastScheduleTime"), now), age(obj, now)]


def _cronjob_wide(obj: dict, now: dt.datetime) -> Row:
    path = ("spec", "jobTemplate", "spec", "template", "spec")
    sel = (((obj.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}).get("selector")
    return _names_images(obj, path) + [_selector_text(sel)]


def _service_ports(spec: dict) -> str:
    parts = []
    for p in spec.get("ports") or []:
        s = f"{p.get('port')}"
        if p.get("nodePort"):
            s += f":{p['nodePort']}"
        parts.append(f"{s}/{p.get('protocol', 'TCP')}")
    return ",".join(parts) or "<none>"


def _service(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    t = spec.get("type", "ClusterIP")
    if t == "ExternalName":
        ext = spec.get("externalName") or "<none>"
    elif t == "LoadBalancer":
        ing = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        ips = [i.get("ip") or i.get("hostname") for i in ing] + list(spec.get("externalIPs") or [])
        ext = ",".join(x for x in ips if x) or "<pending>"
    else:
        ext = ",".join(spec.get("externalIPs") or []) or "<none>"
    return [t, spec.get("clusterIP") or "<none>", ext, _service_ports(spec), age(obj, now)]


def _service_wide(obj: dict, now: dt.datetime) -> Row:
    return [_selector_text((obj.get("spec") or {}).get("selector"))]


def _endpoints(obj: dict, now: dt.datetime) -> Row:
    eps = []
    for s in obj.get("subsets") or []:
        ports = [p.get("port") for p in s.get("ports") or []] or [None]
        for a in s.get("addresses") or []:
            for p in ports:
                eps.append(f"{a.get('ip')}:{p}" if p else a.get("ip"))
    text = ",".join(eps[:3]) + (f" + {len(eps) - 3} more..." if len(eps) > 3 else "")
    return [text or "<none>", age(obj, now)]


def node_status(obj: dict) -> str:
    conds = {c.get("type"): c.get("status") for c in (obj.get("status") or {}).get("conditions") or []}
    s = "Ready" if conds.get("Ready") == "True" else ("NotReady" if "Ready" in conds else "Unknown")
    if (obj.get("spec") or {}).get("unschedulable"):
        s += ",SchedulingDisabled"
    return s


def _node(obj: dict, now: dt.datetime) -> Row:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    roles = sorted(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/") and "/" in k)
    version = ((obj.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion") or ""
    return [node_status(obj), ",".join(roles) or "<none>", age(obj, now), version]


def _node_wide(obj: dict, now: dt.datetime) -> Row:
    st = obj.get("status") or {}
    addrs = {a.get("type"): a.get("address") for a in st.get("addresses") or []}
    info = st.get("nodeInfo") or {}
    return [addrs.get("InternalIP") or "<none>", addrs.get("ExternalIP") or "<none>", info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>", info.get("containerRuntimeVersion") or "<unknown>"]


def _namespace(obj: dict, now: dt.datetime) -> Row:
    return [(obj.get("status") or {}).get("phase") or "Active", age(obj, now)]


def _secret(obj: dict, now: dt.datetime) -> Row:
    return [obj.get("type") or "Opaque", str(len(obj.get("data") or {})), age(obj, now)]


def _configmap(obj: dict, now: dt.datetime) -> Row:
    return [str(len(obj.get("data") or {}) + len(obj.get("binaryData") or {})), age(obj, now)]


def _serviceaccount(obj: dict, now: dt.datetime) -> Row:
    return [str(len(obj.get("secrets") or [])), age(obj, now)]


def _modes(modes: list[str] | None) -> str:
    """kubectl's GetAccessModesAsString: a fixed order, each mode once."""
    have = set(modes or [])
    order = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
    return ",".join(short for mode, short in order if mode in have)


def _storage_class(obj: dict) -> str:
    """GetPersistentVolume(Claim)Class: the beta annotation wins over spec.storageClassName."""
    ann = (obj.get("metadata") or {}).get("annotations") or {}
    if "volume.beta.kubernetes.io/storage-class" in ann:
        return ann["volume.beta.kubernetes.io/storage-class"]
    return (obj.get("spec") or {}).get("storageClassName") or ""


def _volume_phase(obj: dict) -> str:
    if (obj.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    return (obj.get("status") or {}).get("phase") or ""


def _pv(obj: dict, now: dt.datetime) -> Row:
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace') or ''}/{ref.get('name') or ''}" if ref else ""
    return [str((spec.get("capacity") or {}).get("storage", "0")), _modes(spec.get("accessModes")),
            spec.get("persistentVolumeReclaimPolicy") or "", _volume_phase(obj), claim,
            _storage_class(obj), spec.get("volumeAttributesClassName") or "<unset>", st.get("reason") or "", age(obj, now)]


def _pvc(obj: dict, now: dt.datetime) -> Row:
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    cap = modes = ""
    if spec.get("volumeName"):
        cap = str((st.get("capacity") or {}).get("storage", "0"))
        modes = _modes(st.get("accessModes"))
    return [_volume_phase(obj), spec.get("volumeName") or "", cap, modes, _storage_class(obj),
            spec.get("volumeAttributesClassName") or "<unset>", age(obj, now)]


def _storageclass(obj: dict, now: dt.datetime) -> Row:
    return [obj.get("provisioner", ""), obj.get("reclaimPolicy", "Delete"), obj.get("volumeBindingMode", "Immediate"),
            "true" if obj.get("allowVolumeExpansion") else "false", age(obj, now)]


def _event(obj: dict, now: dt.datetime) -> Row:
    io = obj.get("involvedObject") or {}
    last = obj.get("lastTimestamp") or obj.get("eventTime") or (obj.get("metadata") or {}).get("creationTimestamp")
    seen = _since(last, now)
    count = obj.get("count") or 1
    if count > 1:
        first = obj.get("firstTimestamp")
        seen = f"{seen} (x{count} over {_since(first, now)})"
    return [seen, obj.get("type", ""), obj.get("reason", ""), f"{(io.get('kind') or '').lower()}/{io.get('name', '')}", obj.get("message", "")]


def _binding(obj: dict, now: dt.datetime) -> Row:
    ref = obj.get("roleRef") or {}
    return [f"{ref.get('kind')}/{ref.get('name')}", age(obj, now)]


def _binding_wide(obj: dict, now: dt.datetime) -> Row:
    subs = obj.get("subjects") or []

    def pick(kind: str) -> str:
        names = [(f"{s.get('namespace')}/{s.get('name')}" if kind == "ServiceAccount" else s.get("name", "")) for s in subs if s.get("kind") == kind]
        return ", ".join(names)

    return [pick("User"), pick("Group"), pick("ServiceAccount")]


def _created_at(obj: dict, now: dt.datetime) -> Row:
    return [(obj.get("metadata") or {}).get("creationTimestamp") or ""]


def _controllerrevision(obj: dict, now: dt.datetime) -> Row:
    refs = [r for r in (obj.get("metadata") or {}).get("ownerReferences") or [] if r.get("controller")]
    ctl = f"{refs[0].get('kind', '').lower()}.apps/{refs[0].get('name')}" if refs else "<none>"
    return [ctl, str(obj.get("revision", 0)), age(obj, now)]


def _lease(obj: dict, now: dt.datetime) -> Row:
    return [(obj.get("spec") or {}).get("holderIdentity") or "", age(obj, now)]


def _endpointslice(obj: dict, now: dt.datetime) -> Row:
    ports = ",".join(str(p.get("port")) for p in obj.get("ports") or [] if p.get("port") is not None) or "<unset>"
    addrs = [a for e in obj.get("endpoints") or [] for a in e.get("addresses") or []]
    text = ",".join(addrs[:3]) + (f" + {len(addrs) - 3} more..." if len(addrs) > 3 else "")
    return [obj.get("addressType", ""), ports, text or "<unset>", age(obj, now)]


def _kubefedcluster(obj: dict, now: dt.datetime) -> Row:
    conds = {c.get("type"): c.get("status") for c in (obj.get("status") or {}).get("conditions") or []}
    return [age(obj, now), conds.get("Ready", "")]


# -- the kinds issue 14 added (pkg/printers/internalversion/printers.go) ---------------------

def _str(v: Any) -> str:
    """A cell as kubectl prints Go values: booleans lower-case, None as <none>."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return "<none>" if v is None else str(v)


def _ingress(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    rules = spec.get("rules") or []
    hosts = [r.get("host") for r in rules[:3] if r.get("host")]
    text = ",".join(hosts) or "*"
    if len(rules) > 3 and hosts:
        text += f" + {len(rules) - 3} more..."
    lb = (obj.get("status") or {}).get("loadBalancer") or {}
    addrs = sorted({i.get("ip") or i.get("hostname") for i in lb.get("ingress") or [] if i.get("ip") or i.get("hostname")})
    address = ",".join(addrs)
    if len(address) > 16:  # kubectl clips it outside -o wide
        address = address[:13] + "..."
    return [spec.get("ingressClassName") or "<none>", text, address, "80, 443" if spec.get("tls") else "80", age(obj, now)]


def _ingressclass(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    params = spec.get("parameters")
    text = "<none>"
    if params:
        text = params.get("kind", "") + (f".{params['apiGroup']}" if params.get("apiGroup") else "") + "/" + params.get("name", "")
    return [spec.get("controller", ""), text, age(obj, now)]


def _networkpolicy(obj: dict, now: dt.datetime) -> Row:
    return [_selector_text((obj.get("spec") or {}).get("podSelector")), age(obj, now)]


def _pdb(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    allowed = (obj.get("status") or {}).get("disruptionsAllowed", 0)
    return [str(spec.get("minAvailable", "N/A")), str(spec.get("maxUnavailable", "N/A")), str(allowed), age(obj, now)]


def _priorityclass(obj: dict, now: dt.datetime) -> Row:
    return [str(obj.get("value", 0)), _str(bool(obj.get("globalDefault"))), age(obj, now)]


def _hpa_metric(spec: dict, status: dict | None) -> str:
    kind = spec.get("type")
    source = spec.get({"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
                       "Object": "object", "External": "external"}.get(kind, ""), None) or {}
    current = ((status or {}).get({"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
                                   "Object": "object", "External": "external"}.get(kind, "")) or {}).get("current") or {}
    target = source.get("target") or {}
    if kind in ("Resource", "ContainerResource"):
        name = source.get("name", "")
        if target.get("averageValue") is not None:
            return f"{name}: {current.get('averageValue', '<unknown>')}/{target['averageValue']}"
        now_ = f"{current['averageUtilization']}%" if current.get("averageUtilization") is not None else "<unknown>"
        goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
        return f"{name}: {now_}/{goal}"
    if kind == "Pods":
        return f"{current.get('averageValue', '<unknown>')}/{target.get('averageValue')}"
    if kind in ("Object", "External"):
        if target.get("averageValue") is not None:
            return f"{current.get('averageValue', '<unknown>')}/{target['averageValue']} (avg)"
        return f"{current.get('value', '<unknown>')}/{target.get('value')}"
    return "<unknown type>"


def _hpa(obj: dict, now: dt.datetime) -> Row:
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    metrics = spec.get("metrics") or []
    statuses = st.get("currentMetrics") or []
    cells = [_hpa_metric(m, statuses[i] if i < len(statuses) else None) for i, m in enumerate(metrics)]
    targets = ", ".join(cells[:2]) + (f" + {len(cells) - 2} more..." if len(cells) > 2 else "") if cells else "<none>"
    min_pods = str(spec["minReplicas"]) if spec.get("minReplicas") is not None else "<unset>"
    return [f"{ref.get('kind', '')}/{ref.get('name', '')}", targets, min_pods, str(spec.get("maxReplicas", 0)),
            str(st.get("currentReplicas", 0)), age(obj, now)]


def _resourcequota(obj: dict, now: dt.datetime) -> Row:
    st = obj.get("status") or {}
    hard, used = st.get("hard") or {}, st.get("used") or {}
    requests, limits = [], []
    for name in sorted(hard):
        cell = f"{name}: {used.get(name, '0')}/{hard[name]}"
        (limits if name.split(".")[0] == "limits" and "." in name else requests).append(cell)
    return [", ".join(requests), ", ".join(limits), age(obj, now)]


def _podtemplate(obj: dict, now: dt.datetime) -> Row:
    tmpl = obj.get("template") or {}
    labels = (tmpl.get("metadata") or {}).get("labels") or {}
    return _names_images(obj, ("template", "spec")) + [",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>"]


def _runtimeclass(obj: dict, now: dt.datetime) -> Row:
    return [obj.get("handler", ""), age(obj, now)]


def _csidriver(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    tokens = spec.get("tokenRequests")
    return [_str(spec.get("attachRequired", True)), _str(bool(spec.get("podInfoOnMount"))),
            _str(bool(spec.get("storageCapacity"))),
            "<unset>" if tokens is None else ",".join(t.get("audience", "") for t in tokens),
            _str(bool(spec.get("requiresRepublish"))), ",".join(spec.get("volumeLifecycleModes") or []) or "<none>",
            age(obj, now)]


def _csinode(obj: dict, now: dt.datetime) -> Row:
    return [str(len((obj.get("spec") or {}).get("drivers") or [])), age(obj, now)]


def _csistoragecapacity(obj: dict, now: dt.datetime) -> Row:
    cap = obj.get("capacity")
    return [obj.get("storageClassName", ""), "<unset>" if cap is None else str(cap)]


def _volumeattachment(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    return [spec.get("attacher", ""), (spec.get("source") or {}).get("persistentVolumeName") or "",
            spec.get("nodeName", ""), _str(bool((obj.get("status") or {}).get("attached"))), age(obj, now)]


def _csr(obj: dict, now: dt.datetime) -> Row:
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    kinds = {c.get("type") for c in st.get("conditions") or []}
    status = "Denied" if "Denied" in kinds else "Approved" if "Approved" in kinds else "Pending"
    status += ",Failed" if "Failed" in kinds else ""
    status += ",Issued" if st.get("certificate") else ""
    secs = spec.get("expirationSeconds")
    return [age(obj, now), spec.get("signerName") or "<none>", spec.get("username", ""),
            human_duration(secs) if secs is not None else "<none>", status]


def _webhooks(obj: dict, now: dt.datetime) -> Row:
    return [str(len(obj.get("webhooks") or [])), age(obj, now)]


def _vap(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    pk = spec.get("paramKind")
    return [str(len(spec.get("validations") or [])), f"{pk.get('apiVersion', '')}/{pk.get('kind', '')}" if pk else "<unset>",
            age(obj, now)]


def _vapb(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    ref, param = spec.get("paramRef"), "<unset>"
    if ref:
        if ref.get("name"):
            param = f"{ref.get('namespace') or '*'}/{ref['name']}"
        elif ref.get("selector") is not None:
            param = _selector_text(ref["selector"])
    return [spec.get("policyName", ""), param, age(obj, now)]


def _flowschema(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    dangling = next((c.get("status") for c in (obj.get("status") or {}).get("conditions") or []
                     if c.get("type") == "Dangling"), "?")
    return [(spec.get("priorityLevelConfiguration") or {}).get("name", ""), str(spec.get("matchingPrecedence", 0)),
            ((spec.get("distinguisherMethod") or {}).get("type")) or "<none>", age(obj, now), dangling]


def _prioritylevel(obj: dict, now: dt.datetime) -> Row:
    spec = obj.get("spec") or {}
    limited = spec.get("limited")
    queuing = ((limited or {}).get("limitResponse") or {}).get("queuing")
    ncs = str(limited.get("nominalConcurrencyShares", 0)) if limited is not None else "<none>"
    q = [str(queuing.get(k, 0)) for k in ("queues", "handSize", "queueLengthLimit")] if queuing else ["<none>"] * 3
    return [spec.get("type", ""), ncs, *q, age(obj, now)]


def _apiservice(obj: dict, now: dt.datetime) -> Row:
    """kube-aggregator's table: the service, else Local, and the Available condition."""
    spec = obj.get("spec") or {}
    svc = spec.get("service")
    service = f"{svc.get('namespace', '')}/{svc.get('name', '')}" if svc else "Local"
    cond = next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == "Available"), None)
    available = "Unknown"
    if cond:
        available = cond.get("status", "Unknown")
        if available != "True" and cond.get("reason"):
            available = f"{available} ({cond['reason']})"
    return [service, available, age(obj, now)]


def _default(obj: dict, now: dt.datetime) -> Row:
    return [age(obj, now)]


Columns = tuple[list[str], Callable[[dict, dt.datetime], Row], list[str], Callable[[dict, dt.datetime], Row] | None]

TABLES: dict[str, Columns] = {
    "Pod": (["READY", "STATUS", "RESTARTS", "AGE"], _pod, ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"], _pod_wide),
    "ReplicationController": (["DESIRED", "CURRENT", "READY", "AGE"], _replicas, ["CONTAINERS", "IMAGES", "SELECTOR"], _replicas_wide),
    "ReplicaSet": (["DESIRED", "CURRENT", "READY", "AGE"], _replicas, ["CONTAINERS", "IMAGES", "SELECTOR"], _replicas_wide),
    "Deployment": (["READY", "UP-TO-DATE", "AVAILABLE", "AGE"], _deployment, ["CONTAINERS", "IMAGES", "SELECTOR"], _replicas_wide),
    "DaemonSet": (["DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"], _daemonset, ["CONTAINERS", "IMAGES", "SELECTOR"], _replicas_wide),
    "StatefulSet": (["READY", "AGE"], _statefulset, ["CONTAINERS", "IMAGES"], lambda o, n: _names_images(o)),
    "Job": (["STATUS", "COMPLETIONS", "DURATION", "AGE"], _job, ["CONTAINERS", "IMAGES", "SELECTOR"], _job_wide),
    "CronJob": (["SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"], _cronjob, ["CONTAINERS", "IMAGES", "SELECTOR"], _cronjob_wide),
    "Service": (["TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], _service, ["SELECTOR"], _service_wide),
    "Endpoints": (["ENDPOINTS", "AGE"], _endpoints, [], None),
    "Node": (["STATUS", "ROLES", "AGE", "VERSION"], _node, ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"], _node_wide),
    "Namespace": (["STATUS", "AGE"], _namespace, [], None),
    "Secret": (["TYPE", "DATA", "AGE"], _secret, [], None),
    "ConfigMap": (["DATA", "AGE"], _configmap, [], None),
    "ServiceAccount": (["SECRETS", "AGE"], _serviceaccount, [], None),
    "PersistentVolume": (["CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"], _pv, ["VOLUMEMODE"], lambda o, n: [(o.get("spec") or {}).get("volumeMode") or "<unset>"]),
    "PersistentVolumeClaim": (["STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"], _pvc, ["VOLUMEMODE"], lambda o, n: [(o.get("spec") or {}).get("volumeMode") or "<unset>"]),
    "StorageClass": (["PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"], _storageclass, [], None),
    "Event": (["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], _event, [], None),
    "Role": (["CREATED AT"], _created_at, [], None),
    "ClusterRole": (["CREATED AT"], _created_at, [], None),
    "RoleBinding": (["ROLE", "AGE"], _binding, ["USERS", "GROUPS", "SERVICEACCOUNTS"], _binding_wide),
    "ClusterRoleBinding": (["ROLE", "AGE"], _binding, ["USERS", "GROUPS", "SERVICEACCOUNTS"], _binding_wide),
    "ControllerRevision": (["CONTROLLER", "REVISION", "AGE"], _controllerrevision, [], None),
    "Lease": (["HOLDER", "AGE"], _lease, [], None),
    "EndpointSlice": (["ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], _endpointslice, [], None),
    "KubeFedCluster": (["AGE", "READY"], _kubefedcluster, [], None),
    "Ingress": (["CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], _ingress, [], None),
    "IngressClass": (["CONTROLLER", "PARAMETERS", "AGE"], _ingressclass, [], None),
    "NetworkPolicy": (["POD-SELECTOR", "AGE"], _networkpolicy, [], None),
    "PodDisruptionBudget": (["MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"], _pdb, [], None),
    "PriorityClass": (["VALUE", "GLOBAL-DEFAULT", "AGE"], _priorityclass, ["PREEMPTIONPOLICY"],
                      lambda o, n: [o.get("preemptionPolicy") or ""]),
    "HorizontalPodAutoscaler": (["REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"], _hpa, [], None),
    "ResourceQuota": (["REQUEST", "LIMIT", "AGE"], _resourcequota, [], None),
    "LimitRange": (["CREATED AT"], _created_at, [], None),
    "PodTemplate": (["CONTAINERS", "IMAGES", "POD LABELS"], _podtemplate, [], None),
    "RuntimeClass": (["HANDLER", "AGE"], _runtimeclass, [], None),
    "CSIDriver": (["ATTACHREQUIRED", "PODINFOONMOUNT", "STORAGECAPACITY", "TOKENREQUESTS", "REQUIRESREPUBLISH",
                   "MODES", "AGE"], _csidriver, [], None),
    "CSINode": (["DRIVERS", "AGE"], _csinode, [], None),
    "CSIStorageCapacity": (["STORAGECLASSNAME", "CAPACITY"], _csistoragecapacity, [], None),
    "VolumeAttachment": (["ATTACHER", "PV", "NODE", "ATTACHED", "AGE"], _volumeattachment, [], None),
    "CertificateSigningRequest": (["AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"], _csr, [], None),
    "MutatingWebhookConfiguration": (["WEBHOOKS", "AGE"], _webhooks, [], None),
    "ValidatingWebhookConfiguration": (["WEBHOOKS", "AGE"], _webhooks, [], None),
    "ValidatingAdmissionPolicy": (["VALIDATIONS", "PARAMKIND", "AGE"], _vap, [], None),
    "ValidatingAdmissionPolicyBinding": (["POLICYNAME", "PARAMREF", "AGE"], _vapb, [], None),
    "FlowSchema": (["PRIORITYLEVEL", "MATCHINGPRECEDENCE", "DISTINGUISHERMETHOD", "AGE", "MISSINGPL"], _flowschema, [], None),
    "PriorityLevelConfiguration": (["TYPE", "NOMINALCONCURRENCYSHARES", "QUEUES", "HANDSIZE", "QUEUELENGTHLIMIT", "AGE"],
                                   _prioritylevel, [], None),
    "CustomResourceDefinition": (["CREATED AT"], _created_at, [], None),
    "APIService": (["SERVICE", "AVAILABLE", "AGE"], _apiservice, [], None),
}


def table_for(kind: str) -> Columns:
    return TABLES.get(kind, (["AGE"], _default, [], None))


def custom_table(kind) -> Columns:
    """A custom kind's columns: its CRD's additionalPrinterColumns for the served version
    (priority 0 in tables, the rest with -o wide), or AGE when it names none, as upstream."""
    from kubelite.api import kinds
    from kubelite.api.crd import definition

    crd = kinds.definition(kind) or {}
    cols = definition.printer_columns(crd, kind.version)
    if not cols:
        return (["AGE"], _default, [], None)
    main = [c for c in cols if not c.get("priority")]
    extra = [c for c in cols if c.get("priority")]

    def cells(chosen: list[dict]):
        return lambda obj, now: [_column_cell(c, obj, now) for c in chosen]

    return ([c.get("name", "").upper() for c in main], cells(main),
            [c.get("name", "").upper() for c in extra], cells(extra) if extra else None)


def _column_cell(col: dict, obj: dict, now: dt.datetime) -> str:
    from kubelite.api import jsonpath

    try:
        found = jsonpath.values(obj, col.get("jsonPath", ""))
    except Exception:
        found = []
    if not found or found[0] is None:
        return "<none>"
    v = found[0]
    if col.get("type") == "date" and isinstance(v, str):
        return _since(v, now)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        import json

        return json.dumps(v, separators=(",", ":"), sort_keys=True)
    return str(v)


def display_name(obj: dict) -> str:
    name = (obj.get("metadata") or {}).get("name", "")
    if obj.get("kind") == "StorageClass":
        ann = (obj.get("metadata") or {}).get("annotations") or {}
        if "true" in (ann.get("storageclass.kubernetes.io/is-default-class"), ann.get("storageclass.beta.kubernetes.io/is-default-class")):
            return f"{name} (default)"
    return name
