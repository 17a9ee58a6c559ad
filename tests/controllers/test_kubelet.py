"""The simulated kubelet: running pods, IPs, heartbeats and the sim.kubelite.io knobs."""
from __future__ import annotations

import json

from kubelite.controllers import kubelet
from tests.controllers.helpers import at, cond, node_yaml, objects, one, reconcile


def _pod(name, restart="Always", annotations=None):
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "annotations": annotations or {}},
                       "spec": {"restartPolicy": restart, "containers": [{"name": "c", "image": "busybox"}]}}) + "\n---\n"


def test_bound_pods_run_with_unique_ips_from_the_node_cidr_and_full_status(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + node_yaml("n2") + "".join(_pod(f"p{i}") for i in range(6)), now=at(0))
    reconcile(kl, at(0))
    pods = objects(kl, "pods")
    nodes = {n["metadata"]["name"]: n for n in objects(kl, "nodes")}
    ips = [p["status"]["podIP"] for p in pods]
    assert len(set(ips)) == 6
    for p in pods:
        cidr = nodes[p["spec"]["nodeName"]]["spec"]["podCIDR"]
        assert p["status"]["podIP"].rsplit(".", 1)[0] == cidr.rsplit(".", 1)[0]
        assert p["status"]["phase"] == "Running" and p["status"]["hostIP"] and p["status"]["startTime"] == at(0)
        assert {c["type"] for c in p["status"]["conditions"]} >= {"PodScheduled", "Initialized", "ContainersReady", "Ready"}
        assert p["status"]["containerStatuses"][0]["state"]["running"]["startedAt"] == at(0)
    leases = objects(kl, "leases", "-n", "kube-node-lease")
    assert {l["metadata"]["name"] for l in leases} == {"n1", "n2"}


def test_never_with_exit_zero_succeeds_and_nonzero_fails(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + _pod("ok", "Never") + _pod("bad", "Never", {"sim.kubelite.io/exit-code": "3"}), now=at(0))
    reconcile(kl, at(0))
    reconcile(kl, at(1))
    ok, bad = one(kl, "pod", "ok"), one(kl, "pod", "bad")
    assert ok["status"]["phase"] == "Succeeded"
    assert ok["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    assert bad["status"]["phase"] == "Failed"
    assert bad["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3


def test_a_duration_keeps_the_container_running_until_it_elapses(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + _pod("timed", "Never", {"sim.kubelite.io/duration": "30s"}), now=at(0))
    reconcile(kl, at(0))
    reconcile(kl, at(20))
    assert one(kl, "pod", "timed")["status"]["phase"] == "Running"
    reconcile(kl, at(31))
    assert one(kl, "pod", "timed")["status"]["phase"] == "Succeeded"


def test_a_failing_container_with_restart_always_crash_loops_with_growing_restarts(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + _pod("crashy", "Always", {"sim.kubelite.io/exit-code": "1"}), now=at(0))
    reconcile(kl, at(0))
    reconcile(kl, at(1))
    p = one(kl, "pod", "crashy")
    cs = p["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 1 and cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert p["status"]["phase"] == "Running"
    assert "CrashLoopBackOff" in kl(["get", "pods"]).out
    reconcile(kl, at(12))  # back-off of 10 s elapsed: running again
    assert "running" in one(kl, "pod", "crashy")["status"]["containerStatuses"][0]["state"]
    reconcile(kl, at(13))
    assert one(kl, "pod", "crashy")["status"]["containerStatuses"][0]["restartCount"] == 2


def test_a_pod_marked_never_ready_runs_but_is_not_ready(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + _pod("shy", annotations={"sim.kubelite.io/ready": "false"}), now=at(0))
    reconcile(kl, at(0))
    p = one(kl, "pod", "shy")
    assert p["status"]["phase"] == "Running" and cond(p, "Ready")["status"] == "False"
    assert "0/1" in kl(["get", "pod", "shy"]).out


def test_a_pod_waits_for_a_missing_config_map_and_starts_once_it_exists(kl):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "needs-config"},
           "spec": {"containers": [{"name": "c", "image": "x", "envFrom": [{"configMapRef": {"name": "settings"}}]}]}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + json.dumps(pod), now=at(0))
    reconcile(kl, at(0))
    p = one(kl, "pod", "needs-config")
    assert p["status"]["phase"] == "Pending"
    assert p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CreateContainerConfigError"
    assert "CreateContainerConfigError" in kl(["get", "pods"]).out
    kl(["create", "configmap", "settings", "--from-literal=a=b"])
    reconcile(kl, at(1))
    assert one(kl, "pod", "needs-config")["status"]["phase"] == "Running"


def test_an_init_container_runs_before_a_secret_the_app_container_needs_exists(kl):
    # Argo CD's redis: its init container makes the Secret its app container reads.
    ref = {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "made-by-init", "key": "auth"}}}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "redis"},
           "spec": {"initContainers": [{"name": "secret-init", "image": "x"}],
                    "containers": [{"name": "redis", "image": "x", "env": [ref]}]}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + json.dumps(pod), now=at(0))
    reconcile(kl, at(0))
    st = one(kl, "pod", "redis")["status"]
    assert st["phase"] == "Pending"
    assert st["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    assert st["containerStatuses"][0]["state"]["waiting"] == {"reason": "CreateContainerConfigError",
                                                             "message": 'secret "made-by-init" not found'}
    assert cond({"status": st}, "Initialized")["status"] == "True"
    assert "CreateContainerConfigError" in kl(["get", "pod", "redis"]).out
    kl(["create", "secret", "generic", "made-by-init", "--from-literal=auth=x"])
    reconcile(kl, at(1))
    assert one(kl, "pod", "redis")["status"]["phase"] == "Running"


def test_an_init_container_whose_own_secret_is_missing_waits_and_holds_the_app_container(kl):
    ref = {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "t"}}}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "held"},
           "spec": {"initContainers": [{"name": "first", "image": "x"}, {"name": "second", "image": "x", "env": [ref]}],
                    "containers": [{"name": "app", "image": "x"}]}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + json.dumps(pod), now=at(0))
    reconcile(kl, at(0))
    st = one(kl, "pod", "held")["status"]
    first, second = st["initContainerStatuses"]
    assert first["state"]["terminated"]["reason"] == "Completed"
    assert second["state"]["waiting"]["reason"] == "CreateContainerConfigError"
    assert st["containerStatuses"][0]["state"]["waiting"]["reason"] == "PodInitializing"
    assert "Init:CreateContainerConfigError" in kl(["get", "pod", "held"]).out


def test_heartbeats_renew_the_lease_only_after_the_interval(kl, state):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1"), now=at(0))
    reconcile(kl, at(0))
    lease = one(kl, "lease", "n1", "-n", "kube-node-lease")
    reconcile(kl, at(5))
    assert one(kl, "lease", "n1", "-n", "kube-node-lease")["spec"]["renewTime"] == lease["spec"]["renewTime"]
    reconcile(kl, at(11))
    assert one(kl, "lease", "n1", "-n", "kube-node-lease")["spec"]["renewTime"] != lease["spec"]["renewTime"]


def test_pod_ips_are_the_lowest_free_hosts_of_the_node_cidr_after_the_bridge_until_none_are_left():
    node = {"spec": {"podCIDR": "10.244.3.0/29"}}  # hosts .1 to .6; .1 is the bridge
    ips = kubelet._Addresses(node, {"10.244.3.3", None})
    assert [ips.allocate() for _ in range(5)] == ["10.244.3.2", "10.244.3.4", "10.244.3.5", "10.244.3.6", None]
    assert kubelet._Addresses({"spec": {}}, set()).allocate() is None


class _Watcher:
    """A pass context for one pod's sync that fails on any write."""

    def __init__(self, now: str):
        from kubelite.clock import parse_time

        self.stamp, self.now = now, parse_time(now)

    def requeue_at(self, *a):
        pass

    def update(self, obj):
        raise AssertionError(f"wrote {obj['metadata']['name']}: {obj['status']}")


def _running(kl) -> tuple[list[dict], dict]:
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + _pod("a") + _pod("b", annotations={"team": "x"}), now=at(0))
    reconcile(kl, at(0))
    return objects(kl, "pods"), one(kl, "node", "n1")


def test_a_running_pod_is_steady_exactly_when_its_full_sync_would_write_nothing(kl):
    pods, node = _running(kl)
    host = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    assert [kubelet.steady(p, host) for p in pods] == [True, True]
    for p in pods:  # the whole computation, which a steady pod is spared
        kubelet._pod(_Watcher(at(100)), node, p, kubelet._Addresses(node, set()))


def test_a_pod_is_not_steady_when_anything_its_status_derives_from_differs(kl):
    pods, node = _running(kl)
    host = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
    pod = pods[0]

    def changed(edit) -> dict:
        p = json.loads(json.dumps(pod))
        edit(p)
        return p

    variants = [
        lambda p: p["metadata"].setdefault("annotations", {}).update({"sim.kubelite.io/duration": "30s"}),
        lambda p: p["spec"]["containers"][0].update(image="busybox:2"),
        lambda p: p["spec"].update(restartPolicy="OnFailure"),
        lambda p: p["status"]["conditions"].append({"type": "DisruptionTarget", "status": "True", "lastTransitionTime": at(0)}),
        lambda p: p["status"]["conditions"][1].update(status="False"),
        lambda p: p["status"]["containerStatuses"][0].update(ready=False),
        lambda p: p["status"]["containerStatuses"][0].update(lastState={"waiting": {}}),
        lambda p: p["status"].update(qosClass="Guaranteed"),
        lambda p: p["status"].pop("podIPs"),
    ]
    assert kubelet.steady(pod, host) and not kubelet.steady(pod, "10.0.0.9")
    assert [kubelet.steady(changed(v), host) for v in variants] == [False] * len(variants)


def test_a_running_pod_whose_image_changes_reports_the_new_image_on_the_next_pass(kl):
    _running(kl)
    kl(["set", "image", "pod/a", "c=busybox:2"], now=at(5))
    reconcile(kl, at(5))
    assert one(kl, "pod", "a")["status"]["containerStatuses"][0]["image"] == "busybox:2"
