"""Member health: an unusable member is Offline, reported, and never stops the others."""
from __future__ import annotations

import json
import shutil

from tests.federation.helpers import FED_NS, condition, status_of

WEB = """
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: IMAGE
  placement:
    clusterSelector: {}
---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: web, namespace: shop}
spec:
  targetKind: FederatedDeployment
  totalReplicas: 8
  rebalance: REBALANCE
  clusters:
    c1: {weight: 1}
    c2: {weight: 2}
    c3: {weight: 1}
"""


def web(image="nginx:1.26", rebalance=False) -> str:
    return WEB.replace("IMAGE", image).replace("REBALANCE", "true" if rebalance else "false")


def replicas(fed) -> dict:
    out = {}
    for m in ("c1", "c2", "c3"):
        d = fed.get(m, "Deployment", "web") if m in fed.dirs and fed.dirs[m].exists() else None
        out[m] = None if d is None else d["spec"]["replicas"]
    return out


def test_an_unreachable_member_is_offline_and_the_others_are_still_served(fed):
    fed.apply(web())
    assert fed.reconcile().rc == 0
    assert replicas(fed) == {"c1": 2, "c2": 4, "c3": 2}
    away = fed.dirs["c3"].with_name("c3-away")
    fed.dirs["c3"].rename(away)
    # The template changes while c3 is gone: c1 and c2 still get it.
    fed.apply(web(image="nginx:1.27"))
    r = fed.reconcile()
    assert r.rc == 1  # degraded: one member failed, everything else ran
    assert "kubefedcluster.core.kubefed.io/c3 -n kube-federation-system: Offline: cluster is not reachable: " \
           f"state directory {fed.dirs['c3']} does not exist" in r.out
    assert f"error: federation kubefedcluster.core.kubefed.io/c3 -n {FED_NS}: cluster is not reachable" in r.err
    assert "cluster c1: updated deployment.apps/web" in r.out and "cluster c2: updated deployment.apps/web" in r.out
    c3 = fed.get("host", "KubeFedCluster", "c3", FED_NS)
    assert condition(c3, "Offline")["status"] == "True" and condition(c3, "Offline")["reason"] == "ClusterNotReachable"
    assert condition(c3, "Ready")["status"] == "False"
    assert condition(fed.get("host", "KubeFedCluster", "c1", FED_NS), "Ready")["reason"] == "ClusterReady"
    fd = fed.get("host", "FederatedDeployment", "web")
    assert status_of(fd) == {"c1": "", "c2": "", "c3": "ClusterNotReady"}
    assert fed.get("c1", "Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    # Without rebalance the offline member keeps its share; nothing was written there.
    assert replicas(fed) == {"c1": 2, "c2": 4, "c3": None}
    assert fed.get("host", "ReplicaSchedulingPreference", "web")["status"]["clusters"][2] == {"name": "c3", "replicas": 2}
    # With rebalance its replicas move to the members that are there (weights 1:2).
    fed.apply(web(image="nginx:1.27", rebalance=True))
    r = fed.reconcile("--members")
    assert "scheduled c1=2, c2=6, c3=0" in r.out
    assert f"warning: member c3 skipped: cluster is not reachable: state directory {fed.dirs['c3']} does not exist" in r.err
    assert replicas(fed) == {"c1": 2, "c2": 6, "c3": None}
    assert len(fed.pods("c2")) == 6
    # Back online: Ready again, and the plan returns to 2/4/2.
    away.rename(fed.dirs["c3"])
    r = fed.reconcile("-o", "json")
    assert r.rc == 0, r.err
    assert replicas(fed) == {"c1": 2, "c2": 4, "c3": 2}
    assert condition(fed.get("host", "KubeFedCluster", "c3", FED_NS), "Ready")["status"] == "True"
    assert condition(fed.get("host", "KubeFedCluster", "c3", FED_NS), "Offline") == {}


def _corrupt_counter(fed, d):
    (d / "resource-version").write_text("garbage\n")


def _no_registry(fed, d):
    shutil.rmtree(d / "registry")


def _a_file(fed, d):
    shutil.rmtree(d)
    d.write_text("not a directory")


def _bad_namespace_file(fed, d):
    (d / "registry/namespaces/default.yaml").write_text("{{{ not yaml")


BREAKAGES = {
    "c1": (_corrupt_counter, "cluster is not reachable: corrupt resourceVersion counter"),
    "c2": (_no_registry, "is not a kubelite state directory"),
    "c3": (_a_file, "is not a directory"),
    "c4": (_bad_namespace_file, "cluster is not reachable: corrupt object file"),
}


def test_corrupt_or_unreadable_members_are_offline_with_the_reason(fed):
    fed.add_member("c4", 4)
    fed.add_member("c5", 5)
    fed.apply("""
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: shop}
spec:
  template:
    data: {color: blue}
  placement:
    clusterSelector: {}
""")
    for name, (breakage, _) in BREAKAGES.items():
        breakage(fed, fed.dirs[name])
    r = fed.reconcile()
    assert r.rc == 1
    for name, (_, message) in BREAKAGES.items():
        assert message in r.err
        assert message in condition(fed.get("host", "KubeFedCluster", name, FED_NS), "Offline")["message"]
    assert fed.get("c5", "ConfigMap", "settings")["data"] == {"color": "blue"}
    assert status_of(fed.get("host", "FederatedConfigMap", "settings")) == {
        "c1": "ClusterNotReady", "c2": "ClusterNotReady", "c3": "ClusterNotReady", "c4": "ClusterNotReady", "c5": ""}


def test_a_member_locked_past_the_timeout_is_offline(fed):
    from filelock import FileLock

    fed.apply("""
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: shop}
spec:
  template:
    data: {color: blue}
  placement:
    clusterSelector: {}
""")
    lock = FileLock(str(fed.dirs["c1"] / "locks" / "store.lock"))
    lock.acquire()
    try:
        r = fed.reconcile(env={"KUBELITE_MEMBER_LOCK_TIMEOUT": "0.2"})
    finally:
        lock.release()
    assert r.rc == 1 and "waiting for the store lock" in r.err
    assert condition(fed.get("host", "KubeFedCluster", "c1", FED_NS), "Offline")["status"] == "True"
    assert fed.get("c1", "ConfigMap", "settings") is None
    assert fed.get("c2", "ConfigMap", "settings") and fed.get("c3", "ConfigMap", "settings")
    r = fed.reconcile()
    assert r.rc == 0 and fed.get("c1", "ConfigMap", "settings")


def test_an_endpoint_that_is_not_a_directory_is_a_malformed_configuration(fed):
    from tests.federation.helpers import api_for

    api_for(fed.host).create({"apiVersion": "core.kubefed.io/v1beta1", "kind": "KubeFedCluster",
                              "metadata": {"name": "remote", "namespace": FED_NS},
                              "spec": {"apiEndpoint": "https://10.0.0.1:6443"}})
    r = fed.reconcile("-o", "json")
    assert r.rc == 1
    errors = json.loads(r.out)["errors"]
    assert errors[0]["object"] == f"kubefedcluster.core.kubefed.io/remote -n {FED_NS}"
    assert "configuration may be malformed" in errors[0]["error"]
    remote = fed.get("host", "KubeFedCluster", "remote", FED_NS)
    assert condition(remote, "ClusterConfigMalformed")["status"] == "True"


def test_rebalance_moves_replicas_a_member_cannot_schedule(tmp_path, pristine):
    from tests.federation.helpers import Federation, api_for, node

    fed = Federation(tmp_path, pristine)
    for i, name in enumerate(("c1", "c2"), start=1):
        fed.add_member(name, i, join=True)
    small = node("c1-small", "10.9.0.0/24")
    small["status"]["capacity"]["pods"] = "1"
    api = api_for(fed.dirs["c1"])
    api.delete(api.kind_of(small), None, "c1-node")
    api.create(small)
    fed.apply(web(rebalance=True).replace("totalReplicas: 8", "totalReplicas: 6")
              .replace("    c1: {weight: 1}\n    c2: {weight: 2}\n    c3: {weight: 1}\n", "    \"*\": {weight: 1}\n"))
    assert fed.reconcile("--members", "--until-stable").rc == 0
    assert replicas(fed) == {"c1": 3, "c2": 3, "c3": None}
    assert sum(p["status"]["phase"] == "Running" for p in fed.pods("c1")) == 1
    # A minute later the two pods c1 cannot place count against its capacity: they move to c2
    # (c1 keeps its overflow, as KubeFed's scheduler does, in case room appears).
    r = fed.reconcile("--members", "--until-stable", now="2026-01-02T15:06:05Z")
    assert "scheduled c1=3, c2=5" in r.out
    assert replicas(fed) == {"c1": 3, "c2": 5, "c3": None}
    assert fed.get("c2", "Deployment", "web")["status"]["readyReplicas"] == 5
