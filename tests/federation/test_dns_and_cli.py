"""Cross-cluster DNS, `federation join/unjoin`, contexts and `reconcile --members`."""
from __future__ import annotations

import json

from tests.conftest import T0, run_kubelite
from tests.federation.helpers import FED_NS, MEMBERS

APP = """
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      replicas: 2
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
    clusters: [{name: c1}, {name: c2}]
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedService
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      selector: {app: web}
      ports:
      - {port: 80}
  placement:
    clusterSelector: {}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedService
metadata: {name: db, namespace: shop}
spec:
  template:
    spec:
      selector: {app: db}
      ports:
      - {port: 5432}
  placement:
    clusterSelector: {}
"""


def test_federated_services_resolve_to_every_clusters_ready_endpoints(fed):
    fed.apply(APP)
    r = fed.reconcile("--members", "--until-stable")
    assert r.rc == 0, r.err
    rec = fed.get("host", "ServiceDNSRecord", "web")
    assert rec["spec"] == {"domainRef": "kubefed"}
    assert rec["metadata"]["ownerReferences"][0]["kind"] == "FederatedService"
    # c3 has the Service but no pods behind it: not listed.
    assert rec["status"] == {"domain": "cluster.local", "dns": [
        {"cluster": "c1", "loadBalancer": {"ingress": [{"ip": "10.1.0.2"}, {"ip": "10.1.0.3"}]},
         "zones": ["zone-c1"], "region": "region-1"},
        {"cluster": "c2", "loadBalancer": {"ingress": [{"ip": "10.2.0.2"}, {"ip": "10.2.0.3"}]},
         "zones": ["zone-c2"], "region": "region-1"}]}
    assert all(fed.get(m, "Service", "web") for m in MEMBERS)
    r = fed.kl("resolve web.shop.kubefed.svc.cluster.local")
    assert r == (0, "10.1.0.2\n10.1.0.3\n10.2.0.2\n10.2.0.3\n", "")
    answer = json.loads(fed.kl("resolve web.shop.kubefed.svc -o json").out)
    assert answer["type"] == "A" and sorted(answer["clusters"]) == ["c1", "c2"]
    # In a member, the same service resolves as that cluster's own.
    ip = fed.get("c3", "Service", "web")["spec"]["clusterIP"]
    assert fed.member("c3", "resolve web.shop.svc.cluster.local").out == f"{ip}\n"
    # A federated service without ready endpoints anywhere is NXDOMAIN; other names are not federation names.
    assert fed.get("host", "ServiceDNSRecord", "db")["status"] == {"domain": "cluster.local"}
    r = fed.kl("resolve db.shop.kubefed.svc.cluster.local")
    assert r.rc == 1 and r.err == "** server can't find db.shop.kubefed.svc.cluster.local: NXDOMAIN\n"
    assert fed.kl("resolve kubernetes.default.svc.cluster.local").out == "10.96.0.1\n"


def test_join_and_unjoin_through_the_cli(tmp_path, pristine):
    import shutil

    host = tmp_path / "host"
    shutil.copytree(pristine, tmp_path / "eu")

    def kl(*args):
        return run_kubelite(["--state-dir", host, *args], now=T0, env={"KUBELITE_CONFIG": str(tmp_path / "cfg")})

    r = kl("federation", "join", "eu", "--member-state-dir", tmp_path / "eu", "--label", "region=eu")
    assert r.rc == 0, r.err
    assert r.out == (f"namespace/{FED_NS} created\n"
                     f"kubefedcluster.core.kubefed.io/eu joined (member state directory {tmp_path / 'eu'})\n")
    # A directory that does not exist yet becomes a new, empty member.
    r = kl("federation", "join", "us", "--member-state-dir", tmp_path / "us")
    assert r.rc == 0 and f"created state directory {tmp_path / 'us'}" in r.out
    assert (tmp_path / "us" / "registry").is_dir()
    eu = json.loads(kl("get", "kubefedcluster", "eu", "-n", FED_NS, "-o", "json").out)
    assert eu["spec"] == {"apiEndpoint": str(tmp_path / "eu")} and eu["metadata"]["labels"] == {"region": "eu"}
    r = kl("federation", "join", "eu", "--member-state-dir", tmp_path / "eu", "--label", "tier=gold")
    assert r.out.startswith("kubefedcluster.core.kubefed.io/eu rejoined")
    eu = json.loads(kl("get", "kubefedcluster", "eu", "-n", FED_NS, "-o", "json").out)
    assert eu["metadata"]["labels"] == {"region": "eu", "tier": "gold"}
    # Refusals.
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "file").write_text("x")
    r = kl("federation", "join", "bad", "--member-state-dir", tmp_path / "junk")
    assert r.rc == 1 and r.err == f"error: {tmp_path / 'junk'} is not a kubelite state directory\n"
    r = kl("federation", "join", "bad", "--label", "oops")
    assert r.rc == 1 and "--member-state-dir DIR or --member-context NAME" in r.err
    assert kl("federation", "unjoin", "us").out == 'kubefedcluster.core.kubefed.io "us" unjoined\n'
    assert kl("get", "kubefedclusters", "-n", FED_NS, "-o", "name").out == "kubefedcluster.core.kubefed.io/eu\n"


def test_contexts_name_state_directories_outside_them(tmp_path, pristine):
    import shutil

    for d in ("host", "eu"):
        shutil.copytree(pristine, tmp_path / d)
    cfg = tmp_path / "conf" / "config.yaml"
    env = {"KUBELITE_CONFIG": str(cfg), "HOME": str(tmp_path)}

    def kl(*args, extra=None):
        return run_kubelite([str(a) for a in args], now=T0, env={**env, **(extra or {})})

    assert kl("config", "current-context") == (1, "", "error: current-context is not set\n")
    assert kl("config", "set-context", "host", "--state-dir", tmp_path / "host").out == 'Context "host" created.\n'
    assert kl("--state-dir", tmp_path / "eu", "config", "set-context", "eu").out == 'Context "eu" created.\n'
    assert kl("config", "use-context", "host").out == 'Switched to context "host".\n'
    assert kl("config", "current-context").out == "host\n"
    assert kl("config", "get-contexts").out.splitlines() == [
        "CURRENT   NAME   STATE DIR",
        f"          eu     {tmp_path / 'eu'}",
        f"*         host   {tmp_path / 'host'}"]
    # The current context is the default directory; --context and $KUBELITE_CONTEXT pick another.
    assert kl("create", "namespace", "only-host").rc == 0
    assert (tmp_path / "host" / "registry/namespaces/only-host.yaml").exists()
    assert kl("--context", "eu", "create", "namespace", "only-eu").rc == 0
    assert kl("create", "namespace", "via-env", extra={"KUBELITE_CONTEXT": "eu"}).rc == 0
    assert sorted(p.stem for p in (tmp_path / "eu" / "registry/namespaces").glob("only-*")) == ["only-eu"]
    assert (tmp_path / "eu" / "registry/namespaces/via-env.yaml").exists()
    # --state-dir and $KUBELITE_STATE_DIR still win over the current context.
    assert kl("get", "ns", "only-eu", "-o", "name", extra={"KUBELITE_STATE_DIR": str(tmp_path / "eu")}).out == "namespace/only-eu\n"
    # Joining a member by its context.
    r = kl("federation", "join", "eu", "--member-context", "eu")
    assert r.rc == 0 and f"(member state directory {tmp_path / 'eu'})" in r.out
    # Errors name the context; the config file lives outside every state directory.
    assert kl("--context", "nope", "get", "ns") == (1, "", 'error: context "nope" does not exist\n')
    assert kl("config", "use-context", "nope") == (1, "", 'error: no context exists with the name: "nope"\n')
    assert cfg.exists() and not any(p.name == "config.yaml" for p in (tmp_path / "host").rglob("*"))
    assert oct(cfg.stat().st_mode & 0o777) == "0o600"
    assert kl("config", "delete-context", "eu").rc == 0
    assert kl("config", "get-contexts", "-o", "name").out == "host\n"


def test_reconcile_members_runs_each_member_with_its_own_lock(fed):
    from filelock import FileLock

    fed.apply(APP)
    lock = FileLock(str(fed.dirs["c2"] / "locks" / "reconcile.lock"))
    lock.acquire()
    try:
        r = fed.reconcile("--members", "-o", "json")
    finally:
        lock.release()
    out = json.loads(r.out)
    members = {m["name"]: m for m in out["members"]}
    assert members["c1"]["status"] == "Reconciled" and members["c1"]["exit"] == 0 and members["c1"]["writes"] > 0
    assert members["c2"]["status"] == "Busy" and members["c2"]["exit"] == 3
    assert r.rc == 1  # a member could not be reconciled
    assert len(fed.pods("c1")) == 2 and fed.pods("c2") == []
