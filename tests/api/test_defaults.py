"""Defaults filled on create and update, as upstream's SetDefaults_* functions."""
from __future__ import annotations

import copy

from kubelite.api.defaults import apply_defaults


def defaulted(obj: dict) -> dict:
    return apply_defaults(copy.deepcopy(obj))


def deployment(**spec) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}, **spec}}


def test_a_deployment_gets_upstreams_defaults():
    spec = defaulted(deployment())["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Always"
    assert pod["dnsPolicy"] == "ClusterFirst"
    assert pod["terminationGracePeriodSeconds"] == 30
    assert pod["schedulerName"] == "default-scheduler"
    assert pod["securityContext"] == {}
    c = pod["containers"][0]
    assert c["imagePullPolicy"] == "Always"
    assert c["terminationMessagePath"] == "/dev/termination-log"
    assert c["terminationMessagePolicy"] == "File"
    assert c["resources"] == {}


def test_defaults_never_override_what_was_set():
    d = deployment(replicas=0, revisionHistoryLimit=2, strategy={"type": "Recreate"})
    spec = defaulted(d)["spec"]
    assert spec["replicas"] == 0
    assert spec["revisionHistoryLimit"] == 2
    assert spec["strategy"] == {"type": "Recreate"}


def test_a_partial_rolling_update_is_completed():
    spec = defaulted(deployment(strategy={"rollingUpdate": {"maxSurge": 1}}))["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}


def test_kubectl_dry_run_nulls_and_empty_maps_are_filled():
    d = deployment(strategy={})
    d["metadata"]["creationTimestamp"] = None
    d["spec"]["template"]["spec"]["containers"][0]["resources"] = {}
    spec = defaulted(d)["spec"]
    assert spec["strategy"]["type"] == "RollingUpdate"


def test_image_pull_policy_follows_the_tag():
    def policy(image):
        return defaulted({"kind": "Pod", "spec": {"containers": [{"name": "c", "image": image}]}})["spec"]["containers"][0]["imagePullPolicy"]

    assert policy("nginx") == "Always"
    assert policy("nginx:latest") == "Always"
    assert policy("nginx:1.25") == "IfNotPresent"
    assert policy("registry:5000/nginx") == "Always"
    assert policy("registry:5000/nginx:1.0") == "IfNotPresent"
    assert policy("nginx@sha256:abc") == "IfNotPresent"


def test_a_pod_gets_restart_policy_service_account_and_default_tolerations():
    spec = defaulted({"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "busybox", "ports": [{"containerPort": 80}]}]}})["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["serviceAccountName"] == "default"
    assert spec["serviceAccount"] == "default"
    assert spec["enableServiceLinks"] is True
    assert "priority" not in spec  # the Priority admission plugin sets it (tests/admission/test_policy_admission.py)
    assert spec["containers"][0]["ports"][0]["protocol"] == "TCP"
    assert {(t["key"], t["tolerationSeconds"]) for t in spec["tolerations"]} == {
        ("node.kubernetes.io/not-ready", 300), ("node.kubernetes.io/unreachable", 300)}


def test_a_pod_keeps_its_own_service_account_and_not_ready_toleration():
    spec = defaulted({"kind": "Pod", "spec": {"serviceAccountName": "builder", "containers": [],
                                              "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}]}})["spec"]
    assert spec["serviceAccountName"] == spec["serviceAccount"] == "builder"
    assert [t["key"] for t in spec["tolerations"]] == ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]


def test_a_job_gets_one_completion_one_parallel_pod_and_backoff_limit_6():
    spec = defaulted({"kind": "Job", "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": []}}}})["spec"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (1, 1, 6)
    assert spec["completionMode"] == "NonIndexed"
    assert spec["suspend"] is False


def test_a_work_queue_job_keeps_completions_unset():
    spec = defaulted({"kind": "Job", "spec": {"parallelism": 3, "template": {"spec": {}}}})["spec"]
    assert spec["parallelism"] == 3
    assert "completions" not in spec or spec["completions"] is None


def test_a_job_with_completions_gets_parallelism_1():
    spec = defaulted({"kind": "Job", "spec": {"completions": 5, "template": {"spec": {}}}})["spec"]
    assert (spec["completions"], spec["parallelism"]) == (5, 1)


def test_a_cronjob_is_defaulted_and_only_its_pod_template_within_the_job_template():
    spec = defaulted({"kind": "CronJob", "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {}}}}}})["spec"]
    assert spec["concurrencyPolicy"] == "Allow"
    assert spec["suspend"] is False
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    # SetDefaults_Job is for Jobs: the Job made from the template is defaulted when created.
    assert "backoffLimit" not in spec["jobTemplate"]["spec"]
    assert spec["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


def test_a_service_gets_cluster_ip_type_tcp_and_target_port_equal_to_port():
    spec = defaulted({"kind": "Service", "spec": {"ports": [{"port": 80}, {"port": 443, "targetPort": 8443, "protocol": "UDP"}]}})["spec"]
    assert spec["type"] == "ClusterIP"
    assert spec["sessionAffinity"] == "None"
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80},
                             {"port": 443, "targetPort": 8443, "protocol": "UDP"}]
    assert "externalTrafficPolicy" not in spec


def test_a_node_port_service_gets_an_external_traffic_policy():
    assert defaulted({"kind": "Service", "spec": {"type": "NodePort", "ports": [{"port": 80}]}})["spec"]["externalTrafficPolicy"] == "Cluster"


def test_an_external_name_service_gets_nothing_else():
    assert defaulted({"kind": "Service", "spec": {"type": "ExternalName", "externalName": "db.example.com"}})["spec"] == {
        "type": "ExternalName", "externalName": "db.example.com"}


def test_a_namespace_is_active_with_the_kubernetes_finalizer_and_its_name_label():
    ns = defaulted({"kind": "Namespace", "metadata": {"name": "dev"}})
    assert ns["status"] == {"phase": "Active"}
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "dev"}


def test_a_secret_is_opaque_by_default():
    assert defaulted({"kind": "Secret", "metadata": {"name": "s"}})["type"] == "Opaque"


def test_a_daemon_set_and_stateful_set_get_their_update_strategies():
    ds = defaulted({"kind": "DaemonSet", "spec": {"template": {"spec": {}}}})["spec"]
    assert ds["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert ds["revisionHistoryLimit"] == 10
    sts = defaulted({"kind": "StatefulSet", "spec": {"template": {"spec": {}},
                                                     "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {}}]}})["spec"]
    assert sts["replicas"] == 1
    assert sts["podManagementPolicy"] == "OrderedReady"
    assert sts["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert sts["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert sts["volumeClaimTemplates"][0]["spec"]["volumeMode"] == "Filesystem"


def test_a_pvc_is_pending_with_a_filesystem_volume_mode():
    pvc = defaulted({"kind": "PersistentVolumeClaim", "spec": {}})
    assert pvc["spec"]["volumeMode"] == "Filesystem"
    assert pvc["status"]["phase"] == "Pending"


def test_a_replication_controller_takes_selector_and_labels_from_its_template():
    rc = defaulted({"kind": "ReplicationController", "metadata": {"name": "r"},
                    "spec": {"template": {"metadata": {"labels": {"app": "r"}}, "spec": {}}}})
    assert rc["spec"]["selector"] == {"app": "r"}
    assert rc["metadata"]["labels"] == {"app": "r"}
    assert rc["spec"]["replicas"] == 1


def test_a_node_allocatable_defaults_to_its_capacity():
    node = defaulted({"kind": "Node", "status": {"capacity": {"cpu": "4", "memory": "8Gi"}}})
    assert node["status"]["allocatable"] == {"cpu": "4", "memory": "8Gi"}


def test_kinds_without_defaults_are_left_alone():
    cm = {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}
    assert defaulted(cm) == cm


def test_defaulting_twice_changes_nothing():
    for obj in (deployment(), {"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "x"}]}},
                {"kind": "Service", "spec": {"ports": [{"port": 80}]}},
                {"kind": "Job", "spec": {"template": {"spec": {}}}}):
        once = defaulted(obj)
        assert defaulted(once) == once


# -- the kinds issue 14 added (pkg/apis/*/v1/defaults.go) ------------------------------------

def test_a_networkpolicy_defaults_its_policy_types_and_port_protocols():
    np = defaulted({"kind": "NetworkPolicy", "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 80}]}]}})
    assert np["spec"]["policyTypes"] == ["Ingress"]
    assert np["spec"]["ingress"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]
    np = defaulted({"kind": "NetworkPolicy", "spec": {"podSelector": {}, "egress": [{}]}})
    assert np["spec"]["policyTypes"] == ["Ingress", "Egress"]
    np = defaulted({"kind": "NetworkPolicy", "spec": {"podSelector": {}, "egress": [{}], "policyTypes": ["Egress"]}})
    assert np["spec"]["policyTypes"] == ["Egress"]


def test_an_ingress_gets_no_defaults():
    ing = {"kind": "Ingress", "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": {}}]}}]}}
    assert defaulted(ing) == ing


def test_a_priorityclass_preempts_lower_priority_by_default():
    assert defaulted({"kind": "PriorityClass", "value": 10})["preemptionPolicy"] == "PreemptLowerPriority"
    assert defaulted({"kind": "PriorityClass", "value": 10, "preemptionPolicy": "Never"})["preemptionPolicy"] == "Never"


def test_an_hpa_defaults_min_replicas_cpu_target_and_behavior_rules():
    hpa = defaulted({"kind": "HorizontalPodAutoscaler", "spec": {"maxReplicas": 3}})
    assert hpa["spec"]["minReplicas"] == 1
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    assert "behavior" not in hpa["spec"]  # rules are filled only in a behavior that is there
    hpa = defaulted({"kind": "HorizontalPodAutoscaler",
                     "spec": {"maxReplicas": 3, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}})
    up, down = hpa["spec"]["behavior"]["scaleUp"], hpa["spec"]["behavior"]["scaleDown"]
    assert up == {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
        {"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]}
    assert down == {"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
                    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def test_a_container_limit_range_defaults_limits_from_max_and_requests_from_limits_or_min():
    lr = defaulted({"kind": "LimitRange", "spec": {"limits": [
        {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}, "default": {"memory": "1Gi"}},
        {"type": "Pod", "max": {"cpu": "4"}}]}})
    container, pod = lr["spec"]["limits"]
    assert container["default"] == {"memory": "1Gi", "cpu": "2"}
    assert container["defaultRequest"] == {"memory": "1Gi", "cpu": "2"}
    assert "default" not in pod


def test_webhooks_get_v1_defaults():
    vwc = defaulted({"kind": "ValidatingWebhookConfiguration", "webhooks": [
        {"name": "a.example.com", "clientConfig": {"service": {"name": "s", "namespace": "n"}},
         "rules": [{"operations": ["CREATE"]}]}]})
    hook = vwc["webhooks"][0]
    assert (hook["failurePolicy"], hook["matchPolicy"], hook["timeoutSeconds"]) == ("Fail", "Equivalent", 10)
    assert hook["namespaceSelector"] == {} and hook["objectSelector"] == {}
    assert hook["rules"][0]["scope"] == "*" and hook["clientConfig"]["service"]["port"] == 443
    assert "reinvocationPolicy" not in hook
    mwc = defaulted({"kind": "MutatingWebhookConfiguration", "webhooks": [{"name": "b.example.com"}]})
    assert mwc["webhooks"][0]["reinvocationPolicy"] == "Never"


def test_admission_policies_default_failure_and_match_policies():
    vap = defaulted({"kind": "ValidatingAdmissionPolicy", "spec": {"matchConstraints": {"resourceRules": [{}]}}})
    assert vap["spec"]["failurePolicy"] == "Fail"
    assert vap["spec"]["matchConstraints"] == {"matchPolicy": "Equivalent", "namespaceSelector": {},
                                               "objectSelector": {}, "resourceRules": [{"scope": "*"}]}
    vapb = defaulted({"kind": "ValidatingAdmissionPolicyBinding", "spec": {"matchResources": {}}})
    assert vapb["spec"]["matchResources"]["matchPolicy"] == "Equivalent"


def test_a_csidriver_gets_its_flags():
    spec = defaulted({"kind": "CSIDriver", "spec": {"podInfoOnMount": True}})["spec"]
    assert spec == {"attachRequired": True, "podInfoOnMount": True, "storageCapacity": False,
                    "fsGroupPolicy": "ReadWriteOnceWithFSType", "requiresRepublish": False, "seLinuxMount": False,
                    "volumeLifecycleModes": ["Persistent"]}


def test_a_crd_defaults_its_names_and_conversion():
    spec = defaulted({"kind": "CustomResourceDefinition", "spec": {"names": {"kind": "CronTab", "plural": "crontabs"}}})["spec"]
    assert spec["names"] == {"kind": "CronTab", "plural": "crontabs", "singular": "crontab", "listKind": "CronTabList"}
    assert spec["conversion"] == {"strategy": "None"}


def test_flow_control_defaults():
    fs = defaulted({"kind": "FlowSchema", "spec": {"priorityLevelConfiguration": {"name": "x"}}})
    assert fs["spec"]["matchingPrecedence"] == 1000
    plc = defaulted({"kind": "PriorityLevelConfiguration", "spec": {"type": "Limited", "limited": {
        "limitResponse": {"type": "Queue", "queuing": {"queues": 16}}}}})
    limited = plc["spec"]["limited"]
    assert (limited["nominalConcurrencyShares"], limited["lendablePercent"]) == (30, 0)
    assert limited["limitResponse"]["queuing"] == {"queues": 16, "handSize": 8, "queueLengthLimit": 50}


def test_a_pod_template_gets_pod_defaults():
    pt = defaulted({"kind": "PodTemplate", "template": {"spec": {"containers": [{"name": "a", "image": "nginx"}]}}})
    assert pt["template"]["spec"]["restartPolicy"] == "Always"
    assert pt["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
