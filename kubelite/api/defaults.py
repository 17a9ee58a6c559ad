"""Defaults applied on create and update, as upstream's SetDefaults_* functions do.

Defaulting only fills fields that are absent (or null), so applying the same
manifest twice yields the same object.
"""
from __future__ import annotations

from typing import Any, Callable


def _set(d: dict, key: str, value: Any) -> None:
    if d.get(key) is None:
        d[key] = value


def _sub(d: dict, key: str) -> dict:
    v = d.get(key)
    if not isinstance(v, dict):
        v = {}
        d[key] = v
    return v


def _image_pull_policy(image: str) -> str:
    name = image.rsplit("/", 1)[-1]
    if "@" in name:
        return "IfNotPresent"
    if ":" not in name or name.endswith(":latest"):
        return "Always"
    return "IfNotPresent"


def container(c: dict) -> None:
    if not isinstance(c, dict):
        return
    _set(c, "terminationMessagePath", "/dev/termination-log")
    _set(c, "terminationMessagePolicy", "File")
    if isinstance(c.get("image"), str):
        _set(c, "imagePullPolicy", _image_pull_policy(c["image"]))
    if c.get("resources") is None:
        c["resources"] = {}
    for p in c.get("ports") or []:
        if isinstance(p, dict):
            _set(p, "protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        pr = c.get(probe)
        if isinstance(pr, dict):
            _set(pr, "timeoutSeconds", 1)
            _set(pr, "periodSeconds", 10)
            _set(pr, "successThreshold", 1)
            _set(pr, "failureThreshold", 3)
    for e in c.get("env") or []:
        vf = e.get("valueFrom") if isinstance(e, dict) else None
        if isinstance(vf, dict) and isinstance(vf.get("fieldRef"), dict):
            _set(vf["fieldRef"], "apiVersion", "v1")


def pod_spec(spec: dict) -> None:
    if not isinstance(spec, dict):
        return
    _set(spec, "restartPolicy", "Always")
    _set(spec, "dnsPolicy", "ClusterFirst")
    _set(spec, "terminationGracePeriodSeconds", 30)
    _set(spec, "schedulerName", "default-scheduler")
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or []:
            container(c)
    for v in spec.get("volumes") or []:
        if not isinstance(v, dict):
            continue
        if not any(k != "name" and v[k] is not None for k in v):
            v["emptyDir"] = {}  # upstream's SetDefaults_Volume
        for src, mode_key in (("configMap", "defaultMode"), ("secret", "defaultMode"), ("projected", "defaultMode"), ("downwardAPI", "defaultMode")):
            if isinstance(v.get(src), dict):
                _set(v[src], mode_key, 420)
        if isinstance(v.get("hostPath"), dict):
            _set(v["hostPath"], "type", "")


def template(tmpl: Any) -> None:
    if isinstance(tmpl, dict):
        if tmpl.get("spec") is not None:
            pod_spec(tmpl["spec"])


def pod(obj: dict) -> None:
    spec = _sub(obj, "spec")
    pod_spec(spec)
    _set(spec, "enableServiceLinks", True)
    # spec.priority and spec.preemptionPolicy come from the Priority admission plugin
    # (kubelite/admission/priority.py), which resolves priorityClassName first.
    # The ServiceAccount admission plugin.
    _set(spec, "serviceAccountName", spec.get("serviceAccount") or "default")
    _set(spec, "serviceAccount", spec["serviceAccountName"])
    # The DefaultTolerationSeconds admission plugin.
    tolerations = spec.get("tolerations") or []
    keys = {t.get("key") for t in tolerations if isinstance(t, dict) and t.get("effect") in (None, "", "NoExecute")}
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if key not in keys:
            tolerations.append({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})
    spec["tolerations"] = tolerations


def deployment(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "replicas", 1)
    strategy = _sub(spec, "strategy")
    _set(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        ru = _sub(strategy, "rollingUpdate")
        _set(ru, "maxSurge", "25%")
        _set(ru, "maxUnavailable", "25%")
    _set(spec, "revisionHistoryLimit", 10)
    _set(spec, "progressDeadlineSeconds", 600)
    template(spec.get("template"))


def replicaset(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "replicas", 1)
    template(spec.get("template"))


def replicationcontroller(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "replicas", 1)
    tmpl = spec.get("template")
    labels = (tmpl or {}).get("metadata", {}).get("labels") if isinstance(tmpl, dict) else None
    if labels and not spec.get("selector"):
        spec["selector"] = dict(labels)
    if labels and not obj.setdefault("metadata", {}).get("labels"):
        obj["metadata"]["labels"] = dict(labels)
    template(tmpl)


def daemonset(obj: dict) -> None:
    spec = _sub(obj, "spec")
    us = _sub(spec, "updateStrategy")
    _set(us, "type", "RollingUpdate")
    if us["type"] == "RollingUpdate":
        ru = _sub(us, "rollingUpdate")
        _set(ru, "maxUnavailable", 1)
        _set(ru, "maxSurge", 0)
    _set(spec, "revisionHistoryLimit", 10)
    template(spec.get("template"))


def statefulset(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "replicas", 1)
    _set(spec, "serviceName", "")  # not a default upstream: Go writes the empty string it decoded
    _set(spec, "podManagementPolicy", "OrderedReady")
    us = _sub(spec, "updateStrategy")
    # As upstream: rollingUpdate is only added when the type itself is defaulted; an
    # explicit `type: RollingUpdate` without it stays without (no partition).
    if not us.get("type"):
        us["type"] = "RollingUpdate"
        _sub(us, "rollingUpdate")
    if us["type"] == "RollingUpdate" and isinstance(us.get("rollingUpdate"), dict):
        _set(us["rollingUpdate"], "partition", 0)
    _set(spec, "revisionHistoryLimit", 10)
    pol = _sub(spec, "persistentVolumeClaimRetentionPolicy")
    _set(pol, "whenDeleted", "Retain")
    _set(pol, "whenScaled", "Retain")
    for pvc in spec.get("volumeClaimTemplates") or []:
        if isinstance(pvc, dict):
            _set(pvc, "apiVersion", "v1")
            _set(pvc, "kind", "PersistentVolumeClaim")
            _set(_sub(pvc, "spec"), "volumeMode", "Filesystem")
    template(spec.get("template"))


def job(obj: dict) -> None:
    spec = _sub(obj, "spec")
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    _set(spec, "parallelism", 1)
    _set(spec, "backoffLimit", 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6)
    _set(spec, "completionMode", "NonIndexed")
    _set(spec, "suspend", False)
    _set(spec, "podReplacementPolicy", "Failed" if spec.get("podFailurePolicy") is not None else "TerminatingOrFailed")
    # A Job without labels takes its pod template's (SetDefaults_Job).
    tmpl = spec.get("template")
    labels = ((tmpl.get("metadata") or {}).get("labels")) if isinstance(tmpl, dict) and isinstance(tmpl.get("metadata"), dict) else None
    meta = obj.get("metadata")
    if isinstance(labels, dict) and labels and isinstance(meta, dict) and not meta.get("labels"):
        meta["labels"] = dict(labels)
    template(tmpl)


JOB_NAME_LABELS = ("job-name", "batch.kubernetes.io/job-name")
JOB_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")


def job_generated_selector(obj: dict) -> dict:
    """The Job spec with upstream's generated selector and pod template labels
    (pkg/registry/batch/job generateSelector): the template gains job-name and controller-uid
    labels (legacy and batch.kubernetes.io/ forms) it does not already have, and the selector
    matches batch.kubernetes.io/controller-uid. Needs the uid: the API server applies it at
    create, having chosen the uid first, and the Job controller on its first sync of a Job
    stored without it; a Job with manualSelector: true is left alone."""
    import copy

    spec = copy.deepcopy(obj.get("spec") or {})
    if spec.get("manualSelector"):
        return spec
    meta = obj.get("metadata") or {}
    tmpl = spec.get("template")
    if not isinstance(tmpl, dict):
        return spec
    tmeta = tmpl.get("metadata") if isinstance(tmpl.get("metadata"), dict) else {}
    tmpl["metadata"] = tmeta
    labels = tmeta.get("labels") if isinstance(tmeta.get("labels"), dict) else {}
    tmeta["labels"] = labels
    for key in JOB_NAME_LABELS:
        labels.setdefault(key, meta.get("name", ""))
    for key in JOB_UID_LABELS:
        labels.setdefault(key, meta.get("uid", ""))
    sel = spec.get("selector") if isinstance(spec.get("selector"), dict) else {}
    spec["selector"] = sel
    ml = sel.get("matchLabels") if isinstance(sel.get("matchLabels"), dict) else {}
    sel["matchLabels"] = ml
    ml.setdefault(JOB_UID_LABELS[1], meta.get("uid", ""))
    return spec


def cronjob(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "concurrencyPolicy", "Allow")
    _set(spec, "suspend", False)
    _set(spec, "successfulJobsHistoryLimit", 3)
    _set(spec, "failedJobsHistoryLimit", 1)
    jt = spec.get("jobTemplate")
    if isinstance(jt, dict) and isinstance(jt.get("spec"), dict):
        # SetDefaults_Job is for Jobs, not for a CronJob's JobSpec: only the pod template is
        # defaulted here; the Job made from it is defaulted when it is created.
        template(jt["spec"].get("template"))


def service(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "type", "ClusterIP")
    if spec["type"] == "ExternalName":
        return
    _set(spec, "sessionAffinity", "None")
    _set(spec, "internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer") or spec.get("externalIPs"):  # externally accessible
        _set(spec, "externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        _set(spec, "allocateLoadBalancerNodePorts", True)
    for p in spec.get("ports") or []:
        if isinstance(p, dict):
            _set(p, "protocol", "TCP")
            if p.get("targetPort") is None and p.get("port") is not None:
                p["targetPort"] = p["port"]


def namespace(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "finalizers", ["kubernetes"])
    status = _sub(obj, "status")
    _set(status, "phase", "Active")
    labels = _sub(obj.setdefault("metadata", {}), "labels")
    name = obj["metadata"].get("name")
    if isinstance(name, str):
        labels["kubernetes.io/metadata.name"] = name


def secret(obj: dict) -> None:
    """stringData is write-only: folded into base64 data, as the apiserver does."""
    _set(obj, "type", "Opaque")
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        import base64

        data = obj.get("data") or {}
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        obj["data"] = data


def pvc(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "volumeMode", "Filesystem")
    status = _sub(obj, "status")
    _set(status, "phase", "Pending")


def pv(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "persistentVolumeReclaimPolicy", "Retain")
    _set(spec, "volumeMode", "Filesystem")
    status = _sub(obj, "status")
    _set(status, "phase", "Pending")


def storageclass(obj: dict) -> None:
    _set(obj, "reclaimPolicy", "Delete")
    _set(obj, "volumeBindingMode", "Immediate")


def node(obj: dict) -> None:
    status = _sub(obj, "status")
    cap = status.get("capacity")
    if isinstance(cap, dict) and status.get("allocatable") is None:
        status["allocatable"] = dict(cap)


def endpointslice(obj: dict) -> None:
    for p in obj.get("ports") or []:
        if isinstance(p, dict):
            _set(p, "protocol", "TCP")


def _each(items: Any) -> list[dict]:
    return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []


def limitrange(obj: dict) -> None:
    """A container limit's default is its max, its default request its default, else its min."""
    for item in _each((obj.get("spec") or {}).get("limits")):
        if item.get("type") != "Container":
            continue
        default = dict(item.get("default") or {})
        request = dict(item.get("defaultRequest") or {})
        for source, target in ((item.get("max"), default), (default, request), (item.get("min"), request)):
            for k, v in (source or {}).items():
                target.setdefault(k, v)
        for key, value in (("default", default), ("defaultRequest", request)):
            if value:
                item[key] = value


def podtemplate(obj: dict) -> None:
    template(obj.get("template"))


def hpa(obj: dict) -> None:
    """autoscaling/v2: minReplicas 1, 80% CPU when no metric, and a behavior's rules filled in."""
    spec = _sub(obj, "spec")
    _set(spec, "minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        up = _sub(behavior, "scaleUp")
        _set(up, "stabilizationWindowSeconds", 0)
        _set(up, "selectPolicy", "Max")
        if up.get("policies") is None:
            up["policies"] = [{"type": "Pods", "value": 4, "periodSeconds": 15},
                              {"type": "Percent", "value": 100, "periodSeconds": 15}]
        down = _sub(behavior, "scaleDown")  # its stabilization window stays unset: a controller flag
        _set(down, "selectPolicy", "Max")
        if down.get("policies") is None:
            down["policies"] = [{"type": "Percent", "value": 100, "periodSeconds": 15}]


def networkpolicy(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "podSelector", {})  # Go writes the empty selector: it selects every pod
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
    for rule in _each(spec.get("ingress")) + _each(spec.get("egress")):
        for port in _each(rule.get("ports")):
            _set(port, "protocol", "TCP")


def ingressclass(obj: dict) -> None:
    params = (obj.get("spec") or {}).get("parameters")
    if isinstance(params, dict):
        _set(params, "scope", "Cluster")


def priorityclass(obj: dict) -> None:
    _set(obj, "preemptionPolicy", "PreemptLowerPriority")


def csidriver(obj: dict) -> None:
    spec = _sub(obj, "spec")
    for key, value in (("attachRequired", True), ("podInfoOnMount", False), ("storageCapacity", False),
                       ("fsGroupPolicy", "ReadWriteOnceWithFSType"), ("requiresRepublish", False),
                       ("seLinuxMount", False)):
        _set(spec, key, value)
    if not spec.get("volumeLifecycleModes"):
        spec["volumeLifecycleModes"] = ["Persistent"]


def _service_reference(client: Any) -> None:
    if isinstance(client, dict) and isinstance(client.get("service"), dict):
        _set(client["service"], "port", 443)


def _rules(rules: Any) -> None:
    for rule in _each(rules):
        _set(rule, "scope", "*")


def _match_resources(m: Any) -> None:
    if isinstance(m, dict):
        _set(m, "matchPolicy", "Equivalent")
        _set(m, "namespaceSelector", {})
        _set(m, "objectSelector", {})
        _rules(m.get("resourceRules"))
        _rules(m.get("excludeResourceRules"))


def _webhooks(obj: dict, mutating: bool) -> None:
    for hook in _each(obj.get("webhooks")):
        _set(hook, "failurePolicy", "Fail")
        _set(hook, "matchPolicy", "Equivalent")
        _set(hook, "namespaceSelector", {})
        _set(hook, "objectSelector", {})
        _set(hook, "timeoutSeconds", 10)
        if mutating:
            _set(hook, "reinvocationPolicy", "Never")
        _rules(hook.get("rules"))
        _service_reference(hook.get("clientConfig"))


def validatingwebhookconfiguration(obj: dict) -> None:
    _webhooks(obj, mutating=False)


def mutatingwebhookconfiguration(obj: dict) -> None:
    _webhooks(obj, mutating=True)


def validatingadmissionpolicy(obj: dict) -> None:
    spec = _sub(obj, "spec")
    _set(spec, "failurePolicy", "Fail")
    _match_resources(spec.get("matchConstraints"))


def validatingadmissionpolicybinding(obj: dict) -> None:
    _match_resources((obj.get("spec") or {}).get("matchResources"))


def customresourcedefinition(obj: dict) -> None:
    spec = _sub(obj, "spec")
    names = spec.get("names")
    if isinstance(names, dict) and isinstance(names.get("kind"), str) and names["kind"]:
        _set(names, "singular", names["kind"].lower())
        _set(names, "listKind", names["kind"] + "List")
    if spec.get("conversion") is None:
        spec["conversion"] = {"strategy": "None"}
    conversion = spec["conversion"]
    if isinstance(conversion, dict) and isinstance(conversion.get("webhook"), dict):
        _service_reference(conversion["webhook"].get("clientConfig"))


def apiservice(obj: dict) -> None:
    service = (obj.get("spec") or {}).get("service")
    if isinstance(service, dict):
        _set(service, "port", 443)


def flowschema(obj: dict) -> None:
    spec = _sub(obj, "spec")
    if not spec.get("matchingPrecedence"):
        spec["matchingPrecedence"] = 1000


def prioritylevelconfiguration(obj: dict) -> None:
    spec = _sub(obj, "spec")
    exempt = spec.get("exempt")
    if isinstance(exempt, dict):
        _set(exempt, "nominalConcurrencyShares", 0)
        _set(exempt, "lendablePercent", 0)
    limited = spec.get("limited")
    if isinstance(limited, dict):
        _set(limited, "nominalConcurrencyShares", 30)
        _set(limited, "lendablePercent", 0)
        queuing = (limited.get("limitResponse") or {}).get("queuing")
        if isinstance(queuing, dict):
            for key, value in (("handSize", 8), ("queues", 64), ("queueLengthLimit", 50)):
                if not queuing.get(key):
                    queuing[key] = value


DEFAULTERS: dict[str, Callable[[dict], None]] = {
    "Pod": pod,
    "Deployment": deployment,
    "ReplicaSet": replicaset,
    "ReplicationController": replicationcontroller,
    "DaemonSet": daemonset,
    "StatefulSet": statefulset,
    "Job": job,
    "CronJob": cronjob,
    "Service": service,
    "Namespace": namespace,
    "Secret": secret,
    "PersistentVolumeClaim": pvc,
    "PersistentVolume": pv,
    "StorageClass": storageclass,
    "Node": node,
    "EndpointSlice": endpointslice,
    # No defaults upstream: Ingress (pathType has none in v1), PodDisruptionBudget,
    # ResourceQuota, VolumeAttachment, CSINode, RuntimeClass, CertificateSigningRequest.
    "LimitRange": limitrange,
    "PodTemplate": podtemplate,
    "HorizontalPodAutoscaler": hpa,
    "NetworkPolicy": networkpolicy,
    "IngressClass": ingressclass,
    "PriorityClass": priorityclass,
    "CSIDriver": csidriver,
    "ValidatingWebhookConfiguration": validatingwebhookconfiguration,
    "MutatingWebhookConfiguration": mutatingwebhookconfiguration,
    "ValidatingAdmissionPolicy": validatingadmissionpolicy,
    "ValidatingAdmissionPolicyBinding": validatingadmissionpolicybinding,
    "CustomResourceDefinition": customresourcedefinition,
    "APIService": apiservice,
    "FlowSchema": flowschema,
    "PriorityLevelConfiguration": prioritylevelconfiguration,
}


def apply_defaults(obj: dict) -> dict:
    """Fill upstream's defaults in place; returns the object."""
    f = DEFAULTERS.get(obj.get("kind", ""))
    if f is not None:
        f(obj)
    return obj
