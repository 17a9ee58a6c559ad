"""Semantic validation as upstream's ValidateX functions: names, labels, selectors,
quantities, ports, strategies and immutable fields.

Structural checks (types, unknown and required fields) come first from the
JSON Schemas; these rules run only on objects that passed them.
"""
from __future__ import annotations

import base64
import copy
import binascii
import ipaddress
import re
from typing import Any

from kubelite.api import meta as m
from kubelite.api import quantity, selectors
from kubelite.api.fielderrors import Errors, FieldError

_NAME_RULE = {
    "Namespace": "label",
    "Service": "dns1035",
    "Role": "path", "ClusterRole": "path", "RoleBinding": "path", "ClusterRoleBinding": "path",
}
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_PERCENT = re.compile(r"^[0-9]+%$")


def name_errors(kind: str, name: str) -> list[str]:
    return m.NAME_RULES[_NAME_RULE.get(kind, "subdomain")](name)


def validate_object(obj: dict) -> list[FieldError]:
    errs = Errors()
    kind = obj.get("kind", "")
    _metadata(obj.get("metadata") or {}, kind, errs)
    fn = _VALIDATORS.get(kind)
    if fn is not None:
        fn(obj, errs)
    return list(errs)


def validate_metadata(obj: dict) -> list[FieldError]:
    """The metadata rules alone (custom objects: names are DNS subdomains, as upstream)."""
    errs = Errors()
    _metadata(obj.get("metadata") or {}, "", errs)
    return list(errs)


def _metadata(meta: dict, kind: str, errs: Errors) -> None:
    name = meta.get("name")
    if not name:
        if not meta.get("generateName"):
            errs.required("metadata.name", "name or generateName is required")
    else:
        for e in name_errors(kind, name):
            errs.invalid("metadata.name", name, e)
    ns = meta.get("namespace")
    if ns:
        for e in m.dns1123_label_errors(ns):
            errs.invalid("metadata.namespace", ns, e)
    for k, v in (meta.get("labels") or {}).items():
        for e in m.label_key_errors(k):
            errs.invalid("metadata.labels", k, e)
        for e in m.label_value_errors(v):
            errs.invalid(f"metadata.labels[{k}]", v, e)
    total = 0
    for k, v in (meta.get("annotations") or {}).items():
        for e in m.label_key_errors(k):
            errs.invalid("metadata.annotations", k, e)
        total += len(k) + len(v or "")
    if total > 256 * 1024:
        errs.append(FieldError("metadata.annotations", "Too long", None, "must have at most 262144 bytes"))


def _nonneg(obj: dict, field: str, path: str, errs: Errors) -> None:
    v = obj.get(field)
    if isinstance(v, int) and v < 0:
        errs.invalid(f"{path}.{field}", v, "must be greater than or equal to 0")


def _int_or_percent(v: Any, path: str, errs: Errors) -> None:
    if v is None:
        return
    if isinstance(v, int):
        if v < 0:
            errs.invalid(path, v, "must be greater than or equal to 0")
    elif isinstance(v, str):
        if not _PERCENT.match(v):
            errs.invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")
        elif int(v[:-1]) > 100 and path.endswith("maxUnavailable"):
            errs.invalid(path, v, "must not be greater than 100%")


def _is_zero(v: Any) -> bool:
    return v in (0, "0%") or v is None


def _resources(res: Any, path: str, errs: Errors) -> None:
    if not isinstance(res, dict):
        return
    values: dict[str, dict] = {}
    for section in ("requests", "limits"):
        for rname, q in (res.get(section) or {}).items():
            p = f"{path}.{section}[{rname}]"
            try:
                val = quantity.parse(q)
            except quantity.QuantityError as e:
                errs.invalid(p, q, str(e))
                continue
            if val < 0:
                errs.invalid(p, q, "must be greater than or equal to 0")
            values.setdefault(section, {})[rname] = val
    for rname, req in (values.get("requests") or {}).items():
        lim = (values.get("limits") or {}).get(rname)
        if lim is not None and req > lim:
            errs.invalid(f"{path}.requests", res["requests"][rname], f"must be less than or equal to {rname} limit of {res['limits'][rname]}")


def _port(v: Any, path: str, errs: Errors, allow_zero: bool = False) -> None:
    if isinstance(v, int) and not ((allow_zero and v == 0) or 1 <= v <= 65535):
        errs.invalid(path, v, "must be between 1 and 65535, inclusive")


def _container(c: dict, path: str, errs: Errors, volumes: set[str]) -> None:  # noqa: C901
    name = c.get("name")
    if isinstance(name, str):
        for e in m.dns1123_label_errors(name):
            errs.invalid(f"{path}.name", name, e)
    if isinstance(c.get("image"), str) and not c["image"].strip():
        errs.required(f"{path}.image")
    seen_ports: set[str] = set()
    for i, p in enumerate(c.get("ports") or []):
        pp = f"{path}.ports[{i}]"
        _port(p.get("containerPort"), f"{pp}.containerPort", errs)
        _port(p.get("hostPort"), f"{pp}.hostPort", errs, allow_zero=True)
        pn = p.get("name")
        if pn:
            if len(pn) > 15 or not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", pn) or not re.search(r"[a-z]", pn):
                errs.invalid(f"{pp}.name", pn, "must be no more than 15 characters and contain only lowercase letters, digits and '-', with at least one letter")
            if pn in seen_ports:
                errs.duplicate(f"{pp}.name", pn)
            seen_ports.add(pn)
        proto = p.get("protocol")
        if proto and proto not in ("TCP", "UDP", "SCTP"):
            errs.unsupported(f"{pp}.protocol", proto, ["SCTP", "TCP", "UDP"])
    _resources(c.get("resources"), f"{path}.resources", errs)
    mount_paths: set[str] = set()
    for i, vm in enumerate(c.get("volumeMounts") or []):
        vn = vm.get("name")
        if vn and vn not in volumes:
            errs.append(FieldError(f"{path}.volumeMounts[{i}].name", "Not found", vn, ""))
        mp = vm.get("mountPath")
        if isinstance(mp, str):
            if not mp:
                errs.required(f"{path}.volumeMounts[{i}].mountPath")
            elif mp in mount_paths:
                errs.invalid(f"{path}.volumeMounts[{i}].mountPath", mp, "must be unique")
            mount_paths.add(mp)
    for i, e in enumerate(c.get("env") or []):
        en = e.get("name")
        if isinstance(en, str) and not en:
            errs.required(f"{path}.env[{i}].name")
    policy = c.get("imagePullPolicy")
    if policy and policy not in ("Always", "IfNotPresent", "Never"):
        errs.unsupported(f"{path}.imagePullPolicy", policy, ["Always", "IfNotPresent", "Never"])


def pod_spec(spec: dict, path: str, errs: Errors, restart_policies: tuple[str, ...] | None = None,
             extra_volumes: set[str] | None = None) -> None:
    if not isinstance(spec, dict):
        return
    volumes: set[str] = set(extra_volumes or ())
    for i, v in enumerate(spec.get("volumes") or []):
        vn = v.get("name")
        if isinstance(vn, str):
            for e in m.dns1123_label_errors(vn):
                errs.invalid(f"{path}.volumes[{i}].name", vn, e)
            if vn in volumes:
                errs.duplicate(f"{path}.volumes[{i}].name", vn)
            volumes.add(vn)
        sources = [k for k in v if k != "name" and v[k] is not None]
        if len(sources) > 1:
            errs.forbidden(f"{path}.volumes[{i}].{sources[1]}", "may not specify more than 1 volume type")
        claim = v.get("persistentVolumeClaim")
        if isinstance(claim, dict) and not claim.get("claimName"):
            errs.required(f"{path}.volumes[{i}].persistentVolumeClaim.claimName")
        vp = f"{path}.volumes[{i}]"
        if isinstance(v.get("hostPath"), dict) and not v["hostPath"].get("path"):
            errs.required(f"{vp}.hostPath.path")
        if isinstance(v.get("nfs"), dict):
            for f in ("server", "path"):
                if not v["nfs"].get(f):
                    errs.required(f"{vp}.nfs.{f}")
        if isinstance(v.get("configMap"), dict) and not v["configMap"].get("name"):
            errs.required(f"{vp}.configMap.name")
        if isinstance(v.get("secret"), dict) and not v["secret"].get("secretName"):
            errs.required(f"{vp}.secret.secretName")
        for src in ("configMap", "secret", "projected", "downwardAPI"):
            mode = (v.get(src) or {}).get("defaultMode") if isinstance(v.get(src), dict) else None
            if isinstance(mode, int) and not 0 <= mode <= 0o777:
                errs.invalid(f"{vp}.{src}.defaultMode", mode, "must be a number between 0 and 0777 (octal), both inclusive")
    names: set[str] = set()
    containers = spec.get("containers")
    if containers is not None and len(containers) == 0:
        errs.required(f"{path}.containers")
    for key in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(key) or []):
            cp = f"{path}.{key}[{i}]"
            _container(c, cp, errs, volumes)
            cn = c.get("name")
            if cn in names:
                errs.duplicate(f"{cp}.name", cn)
            names.add(cn)
    rp = spec.get("restartPolicy")
    allowed = restart_policies or ("Always", "OnFailure", "Never")
    if rp is not None and rp not in allowed:
        errs.unsupported(f"{path}.restartPolicy", rp, list(allowed))
    for i, t in enumerate(spec.get("tolerations") or []):
        op = t.get("operator")
        if op and op not in ("Exists", "Equal"):
            errs.unsupported(f"{path}.tolerations[{i}].operator", op, ["Equal", "Exists"])
        if op == "Exists" and t.get("value"):
            errs.invalid(f"{path}.tolerations[{i}].operator", t.get("value"), "value must be empty when `operator` is 'Exists'")
        eff = t.get("effect")
        if eff and eff not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.unsupported(f"{path}.tolerations[{i}].effect", eff, ["NoExecute", "NoSchedule", "PreferNoSchedule"])
    for k, v in (spec.get("nodeSelector") or {}).items():
        for e in m.label_key_errors(k):
            errs.invalid(f"{path}.nodeSelector", k, e)
    _nonneg(spec, "terminationGracePeriodSeconds", path, errs)
    ads = spec.get("activeDeadlineSeconds")
    if isinstance(ads, int) and ads <= 0:
        errs.invalid(f"{path}.activeDeadlineSeconds", ads, "must be between 1 and 2147483647, inclusive")


def _selector_and_template(spec: dict, errs: Errors, path: str = "spec", map_selector: bool = False) -> None:
    sel = spec.get("selector")
    tmpl = spec.get("template") or {}
    labels = ((tmpl.get("metadata") or {}).get("labels")) or {}
    if map_selector:
        s = selectors.from_map(sel) if sel else None
    else:
        if isinstance(sel, dict):
            if not sel.get("matchLabels") and not sel.get("matchExpressions"):
                errs.invalid(f"{path}.selector", sel, "empty selector is invalid for deployment")
                return
            for i, ex in enumerate(sel.get("matchExpressions") or []):
                op = ex.get("operator")
                if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
                    errs.unsupported(f"{path}.selector.matchExpressions[{i}].operator", op, ["DoesNotExist", "Exists", "In", "NotIn"])
                    return
                if op in ("In", "NotIn") and not ex.get("values"):
                    errs.required(f"{path}.selector.matchExpressions[{i}].values", "must be specified when `operator` is 'In' or 'NotIn'")
                    return
                if op in ("Exists", "DoesNotExist") and ex.get("values"):
                    errs.forbidden(f"{path}.selector.matchExpressions[{i}].values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
                    return
            for k, v in (sel.get("matchLabels") or {}).items():
                for e in m.label_key_errors(k):
                    errs.invalid(f"{path}.selector.matchLabels", k, e)
                for e in m.label_value_errors(v):
                    errs.invalid(f"{path}.selector.matchLabels", v, e)
            s = selectors.from_label_selector(sel)
        else:
            s = None
    if s is not None and tmpl and not s.matches({k: str(v) for k, v in labels.items()}):
        errs.invalid(f"{path}.template.metadata.labels", labels, "`selector` does not match template `labels`")
    for k, v in labels.items():
        for e in m.label_key_errors(k):
            errs.invalid(f"{path}.template.metadata.labels", k, e)
        for e in m.label_value_errors(v):
            errs.invalid(f"{path}.template.metadata.labels", v, e)


def _deployment(obj: dict, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    for f in ("replicas", "minReadySeconds", "revisionHistoryLimit"):
        _nonneg(spec, f, "spec", errs)
    _selector_and_template(spec, errs)
    pod_spec((spec.get("template") or {}).get("spec"), "spec.template.spec", errs, ("Always",))
    strategy = spec.get("strategy") or {}
    st = strategy.get("type")
    if st and st not in ("RollingUpdate", "Recreate"):
        errs.unsupported("spec.strategy.type", st, ["Recreate", "RollingUpdate"])
    ru = strategy.get("rollingUpdate")
    if st == "Recreate" and ru:
        errs.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
    if isinstance(ru, dict):
        _int_or_percent(ru.get("maxSurge"), "spec.strategy.rollingUpdate.maxSurge", errs)
        _int_or_percent(ru.get("maxUnavailable"), "spec.strategy.rollingUpdate.maxUnavailable", errs)
        if _is_zero(ru.get("maxSurge")) and _is_zero(ru.get("maxUnavailable")) and "maxSurge" in ru and "maxUnavailable" in ru:
            errs.invalid("spec.strategy.rollingUpdate.maxUnavailable", ru.get("maxUnavailable"), "may not be 0 when `maxSurge` is 0")
    pds = spec.get("progressDeadlineSeconds")
    if isinstance(pds, int):
        if pds <= 0:
            errs.invalid("spec.progressDeadlineSeconds", pds, "must be greater than 0")
        elif pds <= (spec.get("minReadySeconds") or 0):
            errs.invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds")


def _replicaset(obj: dict, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    for f in ("replicas", "minReadySeconds"):
        _nonneg(spec, f, "spec", errs)
    _selector_and_template(spec, errs, map_selector=obj.get("kind") == "ReplicationController")
    pod_spec((spec.get("template") or {}).get("spec"), "spec.template.spec", errs, ("Always",))


def _daemonset(obj: dict, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    _nonneg(spec, "minReadySeconds", "spec", errs)
    _selector_and_template(spec, errs)
    pod_spec((spec.get("template") or {}).get("spec"), "spec.template.spec", errs, ("Always",))
    us = spec.get("updateStrategy") or {}
    if us.get("type") and us["type"] not in ("RollingUpdate", "OnDelete"):
        errs.unsupported("spec.updateStrategy.type", us["type"], ["OnDelete", "RollingUpdate"])
    ru = us.get("rollingUpdate")
    if isinstance(ru, dict):
        _int_or_percent(ru.get("maxSurge"), "spec.updateStrategy.rollingUpdate.maxSurge", errs)
        _int_or_percent(ru.get("maxUnavailable"), "spec.updateStrategy.rollingUpdate.maxUnavailable", errs)
        if _is_zero(ru.get("maxSurge")) and _is_zero(ru.get("maxUnavailable")):
            errs.invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", ru.get("maxUnavailable"), "cannot be 0 when maxSurge is 0")


def _statefulset(obj: dict, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    for f in ("replicas", "minReadySeconds", "revisionHistoryLimit"):
        _nonneg(spec, f, "spec", errs)
    _selector_and_template(spec, errs)
    claims = {(t.get("metadata") or {}).get("name") for t in spec.get("volumeClaimTemplates") or []}
    pod_spec((spec.get("template") or {}).get("spec"), "spec.template.spec", errs, ("Always",), claims)
    pmp = spec.get("podManagementPolicy")
    if pmp and pmp not in ("OrderedReady", "Parallel"):
        errs.unsupported("spec.podManagementPolicy", pmp, ["OrderedReady", "Parallel"])
    us = spec.get("updateStrategy") or {}
    if us.get("type") and us["type"] not in ("RollingUpdate", "OnDelete"):
        errs.unsupported("spec.updateStrategy.type", us["type"], ["OnDelete", "RollingUpdate"])
    ru = us.get("rollingUpdate")
    if us.get("type") == "OnDelete" and ru is not None:
        errs.invalid("spec.updateStrategy.rollingUpdate", ru, "only allowed for updateStrategy 'RollingUpdate'")
    if isinstance(ru, dict):
        _nonneg(ru, "partition", "spec.updateStrategy.rollingUpdate", errs)
    _nonneg(spec.get("ordinals") or {}, "start", "spec.ordinals", errs)
    pol = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    for f in ("whenDeleted", "whenScaled"):
        if pol.get(f) is not None and pol[f] not in ("Retain", "Delete"):
            errs.unsupported(f"spec.persistentVolumeClaimRetentionPolicy.{f}", pol[f], ["Retain", "Delete"])
    for i, t in enumerate(spec.get("volumeClaimTemplates") or []):
        n = (t.get("metadata") or {}).get("name")
        if not n:
            errs.required(f"spec.volumeClaimTemplates[{i}].metadata.name")


def _job_spec(spec: dict, path: str, errs: Errors) -> None:
    for f in ("parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished"):
        _nonneg(spec, f, path, errs)
    ads = spec.get("activeDeadlineSeconds")
    if isinstance(ads, int) and ads <= 0:
        errs.invalid(f"{path}.activeDeadlineSeconds", ads, "must be greater than 0")
    mode = spec.get("completionMode")
    if mode and mode not in ("NonIndexed", "Indexed"):
        errs.unsupported(f"{path}.completionMode", mode, ["Indexed", "NonIndexed"])
    if mode == "Indexed" and spec.get("completions") is None:
        errs.required(f"{path}.completions", "when completion mode is Indexed")
    tmpl = spec.get("template") or {}
    pod_spec(tmpl.get("spec"), f"{path}.template.spec", errs, ("OnFailure", "Never"))
    if isinstance(tmpl.get("spec"), dict) and tmpl["spec"].get("restartPolicy") is None:
        errs.required(f"{path}.template.spec.restartPolicy", 'supported values: "OnFailure", "Never"')
    if spec.get("selector") and spec.get("manualSelector"):
        _selector_and_template(spec, errs, path)


def _job(obj: dict, errs: Errors) -> None:
    _job_spec(obj.get("spec") or {}, "spec", errs)


def _cronjob(obj: dict, errs: Errors) -> None:
    from kubelite.api import cron

    spec = obj.get("spec") or {}
    sched = spec.get("schedule")
    if isinstance(sched, str):
        try:
            cron.parse(sched)
        except ValueError as e:
            errs.invalid("spec.schedule", sched, str(e))
        if "TZ=" in sched or "CRON_TZ=" in sched:
            errs.invalid("spec.schedule", sched, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    tz = spec.get("timeZone")
    if tz:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(tz)
        except Exception:
            errs.invalid("spec.timeZone", tz, "unknown time zone " + tz)
    cp = spec.get("concurrencyPolicy")
    if cp and cp not in ("Allow", "Forbid", "Replace"):
        errs.unsupported("spec.concurrencyPolicy", cp, ["Allow", "Forbid", "Replace"])
    for f in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        _nonneg(spec, f, "spec", errs)
    jt = spec.get("jobTemplate") or {}
    _job_spec(jt.get("spec") or {}, "spec.jobTemplate.spec", errs)


def _pod(obj: dict, errs: Errors) -> None:
    pod_spec(obj.get("spec") or {}, "spec", errs)


def _service(obj: dict, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    st = spec.get("type", "ClusterIP")
    if st not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        errs.unsupported("spec.type", st, ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"])
        return
    if st == "ExternalName":
        if not spec.get("externalName"):
            errs.required("spec.externalName")
        return
    ports = spec.get("ports") or []
    if not ports and spec.get("clusterIP") != "None":
        errs.required("spec.ports")
    names: set = set()
    seen: set = set()
    for i, p in enumerate(ports):
        pp = f"spec.ports[{i}]"
        _port(p.get("port"), f"{pp}.port", errs)
        tp = p.get("targetPort")
        if isinstance(tp, int):
            _port(tp, f"{pp}.targetPort", errs)
        elif isinstance(tp, str) and (len(tp) > 15 or not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", tp)):
            errs.invalid(f"{pp}.targetPort", tp, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        np = p.get("nodePort")
        if np is not None:
            if st == "ClusterIP":
                errs.forbidden(f"{pp}.nodePort", "may not be used when `type` is 'ClusterIP'")
            else:
                _port(np, f"{pp}.nodePort", errs)
        if len(ports) > 1 and not p.get("name"):
            errs.required(f"{pp}.name")
        if p.get("name"):
            if p["name"] in names:
                errs.duplicate(f"{pp}.name", p["name"])
            names.add(p["name"])
        key = (p.get("port"), p.get("protocol", "TCP"))
        if key in seen:
            errs.duplicate(pp, {"port": key[0], "protocol": key[1]})
        seen.add(key)
        proto = p.get("protocol")
        if proto and proto not in ("TCP", "UDP", "SCTP"):
            errs.unsupported(f"{pp}.protocol", proto, ["SCTP", "TCP", "UDP"])
    ip = spec.get("clusterIP")
    if ip not in (None, "", "None"):
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            errs.invalid("spec.clusterIP", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
    for k, v in (spec.get("selector") or {}).items():
        for e in m.label_key_errors(k):
            errs.invalid("spec.selector", k, e)
        for e in m.label_value_errors(v):
            errs.invalid("spec.selector", v, e)
    sa = spec.get("sessionAffinity")
    if sa and sa not in ("None", "ClientIP"):
        errs.unsupported("spec.sessionAffinity", sa, ["ClientIP", "None"])


def _data_keys(obj: dict, errs: Errors, fields: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for f in fields:
        for k in obj.get(f) or {}:
            if not _CONFIG_KEY.match(k) or len(k) > 253:
                errs.invalid(f"{f}[{k}]", k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
            if k in seen and f != "stringData":
                errs.invalid(f"{f}[{k}]", k, "duplicate of key present in data")
            seen.add(k)


_SECRET_REQUIRED = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}


def _secret(obj: dict, errs: Errors) -> None:
    _data_keys(obj, errs, ("data",))
    for k, v in (obj.get("data") or {}).items():
        if isinstance(v, str):
            try:
                base64.b64decode(v, validate=True)
            except (binascii.Error, ValueError):
                # The value is not echoed: it may be a secret.
                errs.append(FieldError(f"data[{k}]", "Invalid value", "<secret contents redacted>", "illegal base64 data"))
    t = obj.get("type") or "Opaque"
    keys = set(obj.get("data") or {}) | set(obj.get("stringData") or {})
    for req in _SECRET_REQUIRED.get(t, ()):
        if req not in keys:
            errs.required(f"data[{req}]")
    if t == "kubernetes.io/basic-auth" and not ({"username", "password"} & keys):
        errs.required("data[username]", "either username or password is required")
    if t == "kubernetes.io/service-account-token":
        if not (obj.get("metadata", {}).get("annotations") or {}).get("kubernetes.io/service-account.name"):
            errs.required("metadata.annotations[kubernetes.io/service-account.name]")


def _configmap(obj: dict, errs: Errors) -> None:
    _data_keys(obj, errs, ("data", "binaryData"))


def _node(obj: dict, errs: Errors) -> None:
    status = obj.get("status") or {}
    for section in ("capacity", "allocatable"):
        for r, q in (status.get(section) or {}).items():
            if not quantity.is_valid(q):
                errs.invalid(f"status.{section}[{r}]", q, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    for i, t in enumerate((obj.get("spec") or {}).get("taints") or []):
        eff = t.get("effect")
        if eff not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.unsupported(f"spec.taints[{i}].effect", eff, ["NoExecute", "NoSchedule", "PreferNoSchedule"])
        for e in m.label_key_errors(t.get("key") or ""):
            errs.invalid(f"spec.taints[{i}].key", t.get("key"), e)


_ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
_VOLUME_MODES = ["Block", "Filesystem"]
_PV_SOURCES = ("awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "fc", "flexVolume",
               "flocker", "gcePersistentDisk", "glusterfs", "hostPath", "iscsi", "local", "nfs", "photonPersistentDisk",
               "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume")


def _access_modes(spec: dict, errs: Errors) -> None:
    modes = spec.get("accessModes") or []
    if not modes:
        errs.required("spec.accessModes")
    for i, a in enumerate(modes):
        if a not in _ACCESS_MODES:
            errs.unsupported(f"spec.accessModes[{i}]", a, _ACCESS_MODES)
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        errs.forbidden("spec.accessModes", "may not use ReadWriteOncePod with other access modes")


def _class_and_mode(spec: dict, errs: Errors) -> None:
    sc = spec.get("storageClassName")
    if sc:
        for e in m.dns1123_subdomain_errors(sc):
            errs.invalid("spec.storageClassName", sc, e)
    mode = spec.get("volumeMode")
    if mode is not None and mode not in _VOLUME_MODES:
        errs.unsupported("spec.volumeMode", mode, _VOLUME_MODES)


def _pv(obj: dict, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    _access_modes(spec, errs)
    cap = spec.get("capacity") or {}
    if not cap:
        errs.required("spec.capacity")
    for r in cap:
        if r != "storage":
            errs.unsupported("spec.capacity", r, ["storage"])
    if cap and cap.get("storage") is None:
        errs.required("spec.capacity[storage]")
    elif cap.get("storage") is not None:
        try:
            if quantity.parse(cap["storage"]) < 0:
                errs.invalid("spec.capacity[storage]", cap["storage"], "must be greater than or equal to 0")
        except quantity.QuantityError as e:
            errs.invalid("spec.capacity[storage]", cap["storage"], str(e))
    rp = spec.get("persistentVolumeReclaimPolicy")
    if rp and rp not in ("Retain", "Delete", "Recycle"):
        errs.unsupported("spec.persistentVolumeReclaimPolicy", rp, ["Delete", "Recycle", "Retain"])
    _class_and_mode(spec, errs)
    sources = [k for k in _PV_SOURCES if spec.get(k) is not None]
    if not sources:
        errs.required("spec", "must specify a volume type")
    elif len(sources) > 1:
        errs.forbidden(f"spec.{sources[1]}", "may not specify more than 1 volume type")
    hp = spec.get("hostPath")
    if isinstance(hp, dict):
        if not hp.get("path"):
            errs.required("spec.hostPath.path")
        elif rp == "Recycle" and hp["path"].rstrip("/") == "":
            errs.forbidden("spec.persistentVolumeReclaimPolicy", "may not be 'recycle' for a hostPath mount of '/'")
    nfs = spec.get("nfs")
    if isinstance(nfs, dict):
        if not nfs.get("server"):
            errs.required("spec.nfs.server")
        if not nfs.get("path"):
            errs.required("spec.nfs.path")
        elif not nfs["path"].startswith("/"):
            errs.invalid("spec.nfs.path", nfs["path"], "must be an absolute path")
    local = spec.get("local")
    if isinstance(local, dict):
        if not local.get("path"):
            errs.required("spec.local.path")
        if not ((spec.get("nodeAffinity") or {}).get("required")):
            errs.required("spec.nodeAffinity", "Local volume requires node affinity")
    na = spec.get("nodeAffinity")
    if isinstance(na, dict) and "required" in na and not ((na.get("required") or {}).get("nodeSelectorTerms")):
        errs.required("spec.nodeAffinity.required.nodeSelectorTerms", "must have at least one node selector term")
    ref = spec.get("claimRef")
    if isinstance(ref, dict) and not ref.get("name"):
        errs.required("spec.claimRef.name")


def _pvc(obj: dict, errs: Errors) -> None:
    spec = obj.get("spec") or {}
    _access_modes(spec, errs)
    _class_and_mode(spec, errs)
    req = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    if req is None and not spec.get("dataSource"):
        errs.required("spec.resources[storage]")
    elif req is not None:
        try:
            if quantity.parse(req) <= 0:
                errs.invalid("spec.resources[storage]", req, "must be greater than zero")
        except quantity.QuantityError as e:
            errs.invalid("spec.resources[storage]", req, str(e))
    sel = spec.get("selector")
    if isinstance(sel, dict):
        for i, e in enumerate(sel.get("matchExpressions") or []):
            op = e.get("operator")
            if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
                errs.unsupported(f"spec.selector.matchExpressions[{i}].operator", op, ["DoesNotExist", "Exists", "In", "NotIn"])


def _storageclass(obj: dict, errs: Errors) -> None:
    prov = obj.get("provisioner")
    if not prov:
        errs.required("provisioner")
    elif len(prov) > 63 or not re.match(r"^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$", prov):
        errs.invalid("provisioner", prov, "name part must consist of alphanumeric characters, '-', '_' or '.', "
                     "and must start and end with an alphanumeric character")
    rp = obj.get("reclaimPolicy")
    if rp is not None and rp not in ("Delete", "Retain"):
        errs.unsupported("reclaimPolicy", rp, ["Delete", "Retain"])
    mode = obj.get("volumeBindingMode")
    if mode is not None and mode not in ("Immediate", "WaitForFirstConsumer"):
        errs.unsupported("volumeBindingMode", mode, ["Immediate", "WaitForFirstConsumer"])


def _binding(obj: dict, errs: Errors) -> None:
    ref = obj.get("roleRef") or {}
    allowed = ["ClusterRole"] if obj.get("kind") == "ClusterRoleBinding" else ["ClusterRole", "Role"]
    if ref.get("kind") not in allowed:
        errs.unsupported("roleRef.kind", ref.get("kind"), allowed)
    if ref.get("apiGroup") != "rbac.authorization.k8s.io":
        errs.unsupported("roleRef.apiGroup", ref.get("apiGroup"), ["rbac.authorization.k8s.io"])
    for i, s in enumerate(obj.get("subjects") or []):
        k = s.get("kind")
        if k not in ("User", "Group", "ServiceAccount"):
            errs.unsupported(f"subjects[{i}].kind", k, ["Group", "ServiceAccount", "User"])
        if k == "ServiceAccount" and not s.get("namespace") and obj.get("kind") == "ClusterRoleBinding":
            errs.required(f"subjects[{i}].namespace")


def _role(obj: dict, errs: Errors) -> None:
    for i, r in enumerate(obj.get("rules") or []):
        if not r.get("verbs"):
            errs.required(f"rules[{i}].verbs", "verbs must contain at least one value")
        if not r.get("nonResourceURLs") and not r.get("resources"):
            errs.required(f"rules[{i}].resources", "resource rules must supply at least one resource")


_VALIDATORS = {
    "Pod": _pod,
    "Deployment": _deployment,
    "ReplicaSet": _replicaset,
    "ReplicationController": _replicaset,
    "DaemonSet": _daemonset,
    "StatefulSet": _statefulset,
    "Job": _job,
    "CronJob": _cronjob,
    "Service": _service,
    "Secret": _secret,
    "ConfigMap": _configmap,
    "Node": _node,
    "PersistentVolume": _pv,
    "PersistentVolumeClaim": _pvc,
    "StorageClass": _storageclass,
    "RoleBinding": _binding,
    "ClusterRoleBinding": _binding,
    "Role": _role,
    "ClusterRole": _role,
}


# -- updates -----------------------------------------------------------------

def _immutable(errs: Errors, path: str, old: Any, new: Any) -> None:
    if old != new:
        errs.invalid(path, new, "field is immutable")


def _pvc_update(old: dict, new: dict, errs: Errors) -> None:
    """Upstream's ValidatePersistentVolumeClaimUpdate: the spec is immutable, except that a bound
    claim may change its storage request (never below the previous one), volumeName may be set
    once, and a claim without a class may get one."""
    os_, ns_ = copy.deepcopy(old.get("spec") or {}), copy.deepcopy(new.get("spec") or {})
    if not os_.get("volumeName"):
        os_.pop("volumeName", None)
        ns_.pop("volumeName", None)
    if os_.get("storageClassName") is None and not ((old.get("metadata") or {}).get("annotations") or {}).get(
            "volume.beta.kubernetes.io/storage-class"):
        os_.pop("storageClassName", None)
        ns_.pop("storageClassName", None)
    old_req = (os_.get("resources") or {}).get("requests") or {}
    new_req = (ns_.get("resources") or {}).get("requests") or {}
    try:
        smaller = "storage" in new_req and "storage" in old_req and quantity.parse(new_req["storage"]) < quantity.parse(old_req["storage"])
    except quantity.QuantityError:
        smaller = False
    if (new.get("status") or {}).get("phase") == "Bound":
        for s in (os_, ns_):
            s.pop("volumeAttributesClassName", None)
        if "storage" in new_req and "storage" in old_req:
            ns_["resources"]["requests"]["storage"] = old_req["storage"]
    if os_ != ns_:
        errs.forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims")
    if smaller:
        errs.forbidden("spec.resources.requests.storage", "field can not be less than previous value")


_POD_MUTABLE_NOTE = (
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)


def validate_update(old: dict, new: dict) -> list[FieldError]:
    """Immutable-field rules; run after validate_object on the new object."""
    errs = Errors()
    kind = new.get("kind")
    os_, ns_ = old.get("spec") or {}, new.get("spec") or {}
    if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"):
        _immutable(errs, "spec.selector", os_.get("selector"), ns_.get("selector"))
    if kind == "StatefulSet":
        mutable = {"replicas", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "ordinals", "revisionHistoryLimit"}
        if {k: v for k, v in os_.items() if k not in mutable} != {k: v for k, v in ns_.items() if k not in mutable}:
            errs.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")
    if kind == "Job":
        if not os_.get("manualSelector") and os_ != ns_:
            # The Job controller writes the generated selector and template labels once
            # (upstream generates them at create, when the uid is known): allow exactly that.
            from kubelite.api.defaults import job_generated_selector

            gen = job_generated_selector(old)
            if gen.get("selector") == ns_.get("selector") and gen.get("template") == ns_.get("template"):
                os_ = dict(os_, selector=gen.get("selector"), template=gen.get("template"))
        for f in ("selector", "completionMode"):
            _immutable(errs, f"spec.{f}", os_.get(f), ns_.get(f))
        if os_.get("template") != ns_.get("template") and not ns_.get("suspend"):
            errs.invalid("spec.template", ns_.get("template"), "field is immutable")
        if os_.get("completions") != ns_.get("completions") and ns_.get("completionMode") != "Indexed":
            errs.invalid("spec.completions", ns_.get("completions"), "field is immutable")
    if kind == "Service":
        old_ip = os_.get("clusterIP")
        if old_ip and ns_.get("type") != "ExternalName" and ns_.get("clusterIP") not in (None, "", old_ip):
            errs.invalid("spec.clusterIP", ns_.get("clusterIP"), "field is immutable")
    if kind == "PersistentVolumeClaim":
        _pvc_update(old, new, errs)
    if kind == "PersistentVolume":
        if {k: os_.get(k) for k in _PV_SOURCES} != {k: ns_.get(k) for k in _PV_SOURCES}:
            errs.forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation")
        _immutable(errs, "spec.volumeMode", os_.get("volumeMode"), ns_.get("volumeMode"))
        if os_.get("nodeAffinity") is not None:
            _immutable(errs, "spec.nodeAffinity", os_.get("nodeAffinity"), ns_.get("nodeAffinity"))
    if kind == "StorageClass":
        if (old.get("parameters") or {}) != (new.get("parameters") or {}):
            errs.forbidden("parameters", "updates to parameters are forbidden.")
        if old.get("provisioner") != new.get("provisioner"):
            errs.forbidden("provisioner", "updates to provisioner are forbidden.")
        if old.get("reclaimPolicy") != new.get("reclaimPolicy"):
            errs.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden.")
        _immutable(errs, "volumeBindingMode", old.get("volumeBindingMode"), new.get("volumeBindingMode"))
    if kind in ("ConfigMap", "Secret") and old.get("immutable"):
        if new.get("immutable") is not True:
            errs.forbidden("immutable", "field is immutable when `immutable` is set")
        for f in ("data", "binaryData"):
            if old.get(f) != new.get(f):
                errs.forbidden(f, "field is immutable when `immutable` is set")
    if kind == "Secret" and old.get("type") != new.get("type"):
        errs.invalid("type", new.get("type"), "field is immutable")
    if kind == "Pod":
        def norm(s: dict) -> dict:
            s = dict(s)
            for key in ("containers", "initContainers"):
                s[key] = [{k: v for k, v in c.items() if k != "image"} for c in s.get(key) or []]
            for key in ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds", "schedulingGates"):
                s.pop(key, None)
            if not (old.get("spec") or {}).get("nodeName"):
                s.pop("nodeName", None)
            return s

        if norm(os_) != norm(ns_):
            errs.forbidden("spec", _POD_MUTABLE_NOTE)
    if kind in ("RoleBinding", "ClusterRoleBinding") and old.get("roleRef") != new.get("roleRef"):
        errs.invalid("roleRef", new.get("roleRef"), "cannot change roleRef")
    return list(errs)
