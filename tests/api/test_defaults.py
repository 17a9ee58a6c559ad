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
    assert spec["priority"] == 0
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
