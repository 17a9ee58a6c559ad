"""Federation end to end through the real CLI: a host and three member state directories."""
from __future__ import annotations

import json

from tests.conftest import assert_every_object_valid, snapshot
from tests.federation.helpers import MEMBERS, condition, status_of

WEB = """
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      replicas: 3
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
          - name: web
            image: nginx:1.26
  placement:
    clusterSelector: {}
  overrides:
  - clusterName: c2
    clusterOverrides:
    - path: /spec/template/spec/containers/0/image
      value: nginx:1.27
---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata:
  name: web
  namespace: shop
spec:
  targetKind: FederatedDeployment
  totalReplicas: 8
  clusters:
    c1: {weight: 1}
    c2: {weight: 2}
    c3: {weight: 1}
"""


def test_joined_members_run_their_share_of_a_replica_scheduling_preference(fed):
    fed.apply(WEB)
    r = fed.reconcile("--members", "--until-stable")
    assert r.rc == 0, r.err
    assert "replicaschedulingpreference.scheduling.kubefed.io/web -n shop: scheduled c1=2, c2=4, c3=2" in r.out
    for name, want in zip(MEMBERS, (2, 4, 2)):
        d = fed.get(name, "Deployment", "web")
        assert d["spec"]["replicas"] == want
        assert d["metadata"]["labels"]["kubefed.io/managed"] == "true"
        assert d["status"]["readyReplicas"] == want
        pods = fed.pods(name)
        assert len(pods) == want and {p["status"]["phase"] for p in pods} == {"Running"}
    # The image override shows only in c2.
    images = {m: fed.get(m, "Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"] for m in MEMBERS}
    assert images == {"c1": "nginx:1.26", "c2": "nginx:1.27", "c3": "nginx:1.26"}
    # KubeFed's propagation status, and the plan on the preference.
    fd = fed.get("host", "FederatedDeployment", "web")
    assert status_of(fd) == {"c1": "", "c2": "", "c3": ""}
    assert condition(fd, "Propagation")["status"] == "True"
    assert fd["metadata"]["finalizers"] == ["kubefed.io/sync-controller"]
    rsp = fed.get("host", "ReplicaSchedulingPreference", "web")
    assert rsp["status"]["clusters"] == [{"name": "c1", "replicas": 2}, {"name": "c2", "replicas": 4},
                                         {"name": "c3", "replicas": 2}]
    # Every cluster's view through its own CLI, and every object valid against its schema.
    out = fed.member("c2", "get deploy web -n shop -o jsonpath={.spec.replicas}").out
    assert out == "4"
    for d in [fed.host, *fed.dirs.values()]:
        assert_every_object_valid(d)
    # A second host reconcile at the same instant writes nothing, host or members.
    before = {d: snapshot(d) for d in [fed.host, *fed.dirs.values()]}
    r = fed.reconcile("-o", "json")
    assert r.rc == 0 and json.loads(r.out)["writes"] == 0 and json.loads(r.out)["changes"] == []
    assert {d: snapshot(d) for d in before} == before


def test_moving_placement_off_a_cluster_removes_its_copy(fed):
    cm = """
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: shop}
spec:
  template:
    data: {color: blue}
  placement:
    clusters: [{name: c1}, {name: c2}, {name: c3}]
"""
    fed.apply(cm)
    assert fed.reconcile().rc == 0
    assert all(fed.get(m, "ConfigMap", "settings")["data"] == {"color": "blue"} for m in MEMBERS)
    # Named clusters win over a selector.
    fed.apply(cm.replace("clusters: [{name: c1}, {name: c2}, {name: c3}]",
                         "clusters: [{name: c1}, {name: c3}]\n    clusterSelector: {}"))
    r = fed.reconcile()
    assert r.rc == 0 and "cluster c2: deleted configmap/settings" in r.out
    assert fed.get("c2", "ConfigMap", "settings") is None
    assert fed.get("c1", "ConfigMap", "settings") is not None and fed.get("c3", "ConfigMap", "settings") is not None
    assert status_of(fed.get("host", "FederatedConfigMap", "settings")) == {"c1": "", "c3": ""}
    # A selector picks clusters by their KubeFedCluster labels (c3 is tier=silver).
    fed.apply(cm.replace("clusters: [{name: c1}, {name: c2}, {name: c3}]", "clusterSelector: {matchLabels: {tier: gold}}"))
    assert fed.reconcile().rc == 0
    assert [m for m in MEMBERS if fed.get(m, "ConfigMap", "settings")] == ["c1", "c2"]
    # No placement: no cluster.
    fed.apply(cm.replace("  placement:\n    clusters: [{name: c1}, {name: c2}, {name: c3}]\n", ""))
    assert fed.reconcile().rc == 0
    assert [m for m in MEMBERS if fed.get(m, "ConfigMap", "settings")] == []
    # The host's copy of the namespace in each member was created by federation, labelled managed.
    assert fed.get("c1", "Namespace", "shop", None)["metadata"]["labels"]["kubefed.io/managed"] == "true"


def test_an_object_federation_does_not_manage_is_never_overwritten(fed):
    from tests.federation.helpers import api_for

    mine = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"},
            "data": {"color": "local"}}
    api_for(fed.dirs["c1"]).create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    api_for(fed.dirs["c1"]).create(mine)
    api_for(fed.dirs["c2"]).create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    api_for(fed.dirs["c2"]).create({**mine, "metadata": {**mine["metadata"], "labels": {"kubefed.io/managed": "false"}}})
    before = fed.get("c1", "ConfigMap", "settings")
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
    assert fed.reconcile("--until-stable").rc == 0
    assert fed.get("c1", "ConfigMap", "settings") == before
    assert fed.get("c2", "ConfigMap", "settings")["data"] == {"color": "local"}
    assert fed.get("c3", "ConfigMap", "settings")["data"] == {"color": "blue"}
    fcm = fed.get("host", "FederatedConfigMap", "settings")
    assert status_of(fcm) == {"c1": "AlreadyExists", "c2": "ManagedLabelFalse", "c3": ""}
    assert condition(fcm, "Propagation")["status"] == "False"
    assert condition(fcm, "Propagation")["reason"] == "CheckClusters"
    # Unplacing does not delete what federation does not manage either.
    fed.apply("""
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: shop}
spec:
  template:
    data: {color: blue}
  placement:
    clusters: []
""")
    assert fed.reconcile().rc == 0
    assert fed.get("c1", "ConfigMap", "settings") == before
    assert fed.get("c3", "ConfigMap", "settings") is None


def test_deleting_a_federated_object_first_removes_it_from_the_members(fed):
    text = """
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: creds, namespace: shop}
spec:
  template:
    stringData: {password: s3cret}
  placement:
    clusterSelector: {}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedServiceAccount
metadata:
  name: robot
  namespace: shop
  annotations: {kubefed.io/orphan: "true"}
spec:
  placement:
    clusters: [{name: c1}]
"""
    fed.apply(text)
    assert fed.reconcile().rc == 0
    assert all(fed.get(m, "Secret", "creds") for m in MEMBERS) and fed.get("c1", "ServiceAccount", "robot")
    assert fed.kl("delete federatedsecret/creds fsa/robot -n shop").rc == 0
    assert fed.get("host", "FederatedSecret", "creds")["metadata"]["deletionTimestamp"]  # held by the finalizer
    r = fed.reconcile()
    assert r.rc == 0
    assert fed.get("host", "FederatedSecret", "creds") is None
    assert not any(fed.get(m, "Secret", "creds") for m in MEMBERS)
    # kubefed.io/orphan: the member keeps its copy, no longer labelled managed.
    assert fed.get("host", "FederatedServiceAccount", "robot") is None
    assert "kubefed.io/managed" not in (fed.get("c1", "ServiceAccount", "robot")["metadata"].get("labels") or {})


def test_federated_namespace_limits_where_its_contents_go(fed):
    fed.apply("""
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: shop, namespace: shop}
spec:
  template:
    metadata:
      labels: {team: shop}
  placement:
    clusters: [{name: c1}, {name: c2}]
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: shop}
spec:
  template:
    data: {color: blue}
  placement:
    clusterSelector: {}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: wrong, namespace: shop}
spec:
  placement:
    clusterSelector: {}
""")
    assert fed.reconcile().rc == 0
    assert fed.get("c1", "Namespace", "shop", None)["metadata"]["labels"]["team"] == "shop"
    assert [m for m in MEMBERS if fed.get(m, "ConfigMap", "settings")] == ["c1", "c2"]
    assert fed.get("c3", "Namespace", "shop", None) is None
    wrong = fed.get("host", "FederatedNamespace", "wrong")
    assert condition(wrong, "Propagation")["reason"] == "ComputePlacementFailed"


def test_bad_overrides_are_reported_per_cluster(fed):
    fed.apply("""
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: shop}
spec:
  template:
    data: {color: blue}
  placement:
    clusterSelector: {}
  overrides:
  - clusterName: c3
    clusterOverrides:
    - {path: /data/color, value: red}
  - clusterName: c2
    clusterOverrides:
    - {path: /nothing/here, value: 1}
""")
    assert fed.reconcile().rc == 0
    assert fed.get("c3", "ConfigMap", "settings")["data"] == {"color": "red"}
    assert fed.get("c1", "ConfigMap", "settings")["data"] == {"color": "blue"}
    assert fed.get("c2", "ConfigMap", "settings") is None
    assert status_of(fed.get("host", "FederatedConfigMap", "settings"))["c2"] == "ApplyOverridesFailed"
    r = fed.kl("get events -n shop -o json")
    reasons = {(e["reason"], e["message"]) for e in json.loads(r.out)["items"]}
    assert ("ApplyOverridesFailed", 'cluster "c2": path /nothing/here: /nothing does not exist') in reasons


def test_invalid_member_objects_are_refused_by_the_members_own_validation(fed):
    fed.apply("""
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: settings, namespace: shop}
spec:
  template:
    data: {color: blue}
  placement:
    clusterSelector: {}
  overrides:
  - clusterName: c1
    clusterOverrides:
    - {path: /data/color, value: [not, a, string]}
""")
    assert fed.reconcile().rc == 0
    assert fed.get("c1", "ConfigMap", "settings") is None
    assert status_of(fed.get("host", "FederatedConfigMap", "settings")) == {"c1": "CreationFailed", "c2": "", "c3": ""}


EVERY_KIND = """
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: shop, namespace: shop}
spec:
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedJob
metadata: {name: pi, namespace: shop}
spec:
  placement: {clusterSelector: {}}
  template:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: pi
            image: perl
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDaemonSet
metadata: {name: agent, namespace: shop}
spec:
  placement: {clusterSelector: {}}
  template:
    spec:
      selector: {matchLabels: {app: agent}}
      template:
        metadata: {labels: {app: agent}}
        spec:
          containers:
          - name: a
            image: busybox
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedStatefulSet
metadata: {name: db, namespace: shop}
spec:
  placement: {clusterSelector: {}}
  template:
    spec:
      serviceName: db
      replicas: 2
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec:
          containers:
          - name: db
            image: postgres
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedReplicaSet
metadata: {name: rs, namespace: shop}
spec:
  placement: {clusterSelector: {}}
  template:
    spec:
      replicas: 1
      selector: {matchLabels: {app: rs}}
      template:
        metadata: {labels: {app: rs}}
        spec:
          containers:
          - name: rs
            image: nginx
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata: {name: s, namespace: shop}
spec:
  placement: {clusterSelector: {}}
  template:
    stringData: {a: b}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedServiceAccount
metadata: {name: robot, namespace: shop}
spec:
  placement: {clusterSelector: {}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedService
metadata: {name: np, namespace: shop}
spec:
  placement: {clusterSelector: {}}
  template:
    spec:
      type: NodePort
      selector: {app: rs}
      ports: [{port: 80}]
"""


def test_every_federated_kind_propagates_and_settles(tmp_path, pristine):
    from tests.federation.helpers import Federation

    fed = Federation(tmp_path, pristine)
    fed.add_member("m1", 1)
    fed.apply(EVERY_KIND)
    r = fed.reconcile("--members", "--until-stable")
    assert r.rc == 0, r.err
    for kind, name in [("Namespace", "shop"), ("Job", "pi"), ("DaemonSet", "agent"), ("StatefulSet", "db"),
                       ("ReplicaSet", "rs"), ("Secret", "s"), ("ServiceAccount", "robot"), ("Service", "np")]:
        obj = fed.get("m1", kind, name, None if kind == "Namespace" else "shop")
        assert obj["metadata"]["labels"]["kubefed.io/managed"] == "true", kind
    assert fed.get("m1", "Service", "np")["spec"]["ports"][0]["nodePort"] >= 30000
    # Member controllers changed their objects (a Job's selector, a Service's IPs, statuses):
    # federation keeps what they own, so the next host pass writes nothing anywhere.
    before = snapshot(fed.dirs["m1"])
    r = fed.reconcile("-o", "json")
    assert json.loads(r.out)["writes"] == 0, r.out
    assert snapshot(fed.dirs["m1"]) == before
