"""Real projects' published install manifests, applied as their docs say, through the real CLI.

ingress-nginx (an IngressClass, an admission webhook, certificate Jobs), Argo CD (CRDs,
NetworkPolicies, a StatefulSet; installed with --server-side as its docs say) and
kube-prometheus (CRDs, NetworkPolicies, a DaemonSet, an APIService, custom resources).
Each goes to a fresh state directory with three nodes; `reconcile --until-stable` must
bring every workload Running. Simulated containers run no code, so what a project's own
containers make at run time (a Secret) the test makes, as that container would.
See tests/data/<project>/README.md for where the manifests come from.
"""
from __future__ import annotations

import gzip
import json
import tarfile
from pathlib import Path

import kubernetes_validate
import pytest

from tests.conftest import load_yaml, object_files, run_kubelite
from tests.controllers.helpers import at, cond, node_yaml

DATA = Path(__file__).resolve().parent.parent / "data"
NODES = "".join(node_yaml(f"node-{i}") for i in (1, 2, 3))


class Install:
    """One project's state directory, and what its commands printed."""

    def __init__(self, state: Path):
        self.state = state
        self.outputs: dict[str, str] = {}

    def run(self, *args: str, stdin: str | None = None, now: str = at(0), ok: bool = True):
        r = run_kubelite(list(args), state=self.state, stdin=stdin, now=now, timeout=120)
        if ok:
            assert r.rc == 0, r.out + r.err
        return r

    def items(self, kind: str, namespace: str) -> list[dict]:
        return json.loads(self.run("get", kind, "-n", namespace, "-o", "json").out)["items"]


def verbs(out: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in out.splitlines():
        counts[line.split()[-1]] = counts.get(line.split()[-1], 0) + 1
    return counts


def documents(text: str) -> list[dict]:
    from kubelite.api import yamlio

    return [d.data for d in yamlio.iter_documents(yamlio.load_documents(text, "manifest"))]


def assert_workloads_run(inst: Install, namespace: str) -> None:
    """Every Deployment available, every DaemonSet and StatefulSet ready, their pods Running and Ready."""
    deployments = inst.items("deployments", namespace)
    for d in deployments:
        assert cond(d, "Available").get("status") == "True", (d["metadata"]["name"], d.get("status"))
        assert d["status"].get("availableReplicas") == d["spec"]["replicas"], d["metadata"]["name"]
    for ds in inst.items("daemonsets", namespace):
        assert ds["status"]["desiredNumberScheduled"] == ds["status"].get("numberReady") == 3, ds["metadata"]["name"]
    for sts in inst.items("statefulsets", namespace):
        assert sts["status"].get("readyReplicas") == sts["spec"]["replicas"], sts["metadata"]["name"]
    pods = [p for p in inst.items("pods", namespace) if not (p["metadata"].get("labels") or {}).get("batch.kubernetes.io/job-name")]
    assert pods
    bad = {p["metadata"]["name"]: p["status"].get("phase") for p in pods
           if p["status"].get("phase") != "Running" or cond(p, "Ready").get("status") != "True"}
    assert not bad, bad


def assert_everything_written_is_valid(state: Path) -> int:
    """Every built-in object validates strictly against the official 1.32 schemas; custom
    objects (registry/<plural>.<group>/) against their CRD, by `kubelite doctor`."""
    bad, checked = [], 0
    for path in object_files(state):
        if "." in path.relative_to(state / "registry").parts[0]:
            continue
        try:
            kubernetes_validate.validate(load_yaml(path.read_text()), "1.32.0", strict=True)
        except kubernetes_validate.ValidationError as e:
            bad.append(f"{path.relative_to(state)}: {'.'.join(map(str, e.path))}: {e.message}")
        checked += 1
    assert not bad, bad[:10]
    doctor = run_kubelite(["doctor"], state=state, timeout=120)  # custom objects and allocations too
    assert doctor.rc == 0 and doctor.out.startswith("no problems found"), doctor.out
    return checked


# -- ingress-nginx --------------------------------------------------------------------------

INGRESS_NGINX = gzip.decompress((DATA / "ingress-nginx" / "deploy.yaml.gz").read_bytes()).decode()


@pytest.fixture(scope="module")
def ingress_nginx(tmp_path_factory) -> Install:
    inst = Install(tmp_path_factory.mktemp("ingress-nginx") / "state")
    inst.run("apply", "-f", "-", stdin=NODES)
    inst.outputs["apply"] = inst.run("apply", "-f", "-", stdin=INGRESS_NGINX).out
    inst.outputs["again"] = inst.run("apply", "-f", "-", stdin=INGRESS_NGINX).out
    inst.outputs["reconcile"] = inst.run("reconcile", "--until-stable").out
    inst.outputs["waiting"] = json.dumps(inst.items("pods", "ingress-nginx"))
    # What the certgen Job's container does: make the webhook's serving certificate Secret.
    inst.run("create", "secret", "generic", "ingress-nginx-admission", "-n", "ingress-nginx",
             "--from-literal=ca=CA", "--from-literal=cert=CERT", "--from-literal=key=KEY", now=at(1))
    inst.outputs["reconcile2"] = inst.run("reconcile", "--until-stable", now=at(1)).out
    return inst


@pytest.mark.xdist_group("ingress-nginx")
def test_ingress_nginx_applies_cleanly_and_a_second_apply_is_unchanged(ingress_nginx):
    n = len(documents(INGRESS_NGINX))
    assert verbs(ingress_nginx.outputs["apply"]) == {"created": n}
    assert verbs(ingress_nginx.outputs["again"]) == {"unchanged": n}


@pytest.mark.xdist_group("ingress-nginx")
def test_ingress_nginx_certificate_jobs_complete_and_are_cleaned_up_by_their_ttl(ingress_nginx):
    out = ingress_nginx.outputs["reconcile"]
    for job in ("ingress-nginx-admission-create", "ingress-nginx-admission-patch"):
        assert f"job.batch/{job} -n ingress-nginx: Complete (1 succeeded)" in out
        assert f"job.batch/{job} -n ingress-nginx: deleted (0s after it finished)" in out  # ttlSecondsAfterFinished: 0
    events = ingress_nginx.items("events", "ingress-nginx")
    completed = {e["involvedObject"]["name"] for e in events if e["involvedObject"]["kind"] == "Job" and e["reason"] == "Completed"}
    assert completed == {"ingress-nginx-admission-create", "ingress-nginx-admission-patch"}
    assert ingress_nginx.items("jobs", "ingress-nginx") == []


@pytest.mark.xdist_group("ingress-nginx")
def test_ingress_nginx_controller_waits_for_its_certificate_then_runs(ingress_nginx):
    waiting = [p for p in json.loads(ingress_nginx.outputs["waiting"]) if p["metadata"]["name"].startswith("ingress-nginx-controller-")]
    assert [p["status"]["phase"] for p in waiting] == ["Pending"]
    events = ingress_nginx.items("events", "ingress-nginx")
    assert any(e["reason"] == "FailedMount" and 'secret "ingress-nginx-admission" not found' in e["message"] for e in events)
    assert_workloads_run(ingress_nginx, "ingress-nginx")


@pytest.mark.xdist_group("ingress-nginx")
def test_ingress_nginx_load_balancer_gets_distinct_node_ports_and_a_health_check_port(ingress_nginx):
    svc = json.loads(ingress_nginx.run("get", "svc", "ingress-nginx-controller", "-n", "ingress-nginx", "-o", "json").out)
    ports = [p["nodePort"] for p in svc["spec"]["ports"]] + [svc["spec"]["healthCheckNodePort"]]  # externalTrafficPolicy: Local
    assert len(set(ports)) == 3


@pytest.mark.xdist_group("ingress-nginx")
def test_ingress_nginx_class_and_webhook_are_stored_and_the_webhook_says_it_is_never_called(ingress_nginx):
    classes = ingress_nginx.run("get", "ingressclass").out
    assert "nginx" in classes and "k8s.io/ingress-nginx" in classes
    described = ingress_nginx.run("describe", "validatingwebhookconfiguration", "ingress-nginx-admission").out
    assert "Not called:   kubelite has no network endpoint to reach admission webhooks" in described


@pytest.mark.xdist_group("ingress-nginx")
def test_ingress_nginx_objects_validate_strictly_and_a_reapply_recreates_only_the_jobs_their_ttl_removed(ingress_nginx):
    assert assert_everything_written_is_valid(ingress_nginx.state) > 20
    again = ingress_nginx.run("apply", "-f", "-", stdin=INGRESS_NGINX, now=at(2)).out
    changed = [line for line in again.splitlines() if not line.endswith(" unchanged")]
    assert changed == ["job.batch/ingress-nginx-admission-create created", "job.batch/ingress-nginx-admission-patch created"]


# -- Argo CD ---------------------------------------------------------------------------------

ARGO_CD = gzip.decompress((DATA / "argo-cd" / "install.yaml.gz").read_bytes()).decode()


@pytest.fixture(scope="module")
def argo_cd(tmp_path_factory) -> Install:
    inst = Install(tmp_path_factory.mktemp("argo-cd") / "state")
    inst.run("apply", "-f", "-", stdin=NODES)
    inst.run("create", "namespace", "argocd")
    inst.outputs["client-side"] = json.dumps(inst.run("apply", "-n", "argocd", "-f", "-", stdin=ARGO_CD, ok=False)._asdict())
    # As its docs say: kubectl apply -n argocd --server-side --force-conflicts -f install.yaml
    ssa = ("apply", "-n", "argocd", "--server-side", "--force-conflicts", "-f", "-")
    inst.outputs["apply"] = inst.run(*ssa, stdin=ARGO_CD).out
    inst.outputs["journal"] = (inst.state / "journal" / "changes").read_text()
    inst.outputs["again"] = inst.run(*ssa, stdin=ARGO_CD).out
    inst.outputs["journal-again"] = (inst.state / "journal" / "changes").read_text()
    inst.outputs["reconcile"] = inst.run("reconcile", "--until-stable").out
    inst.outputs["waiting"] = json.dumps(inst.items("pods", "argocd"))
    # What redis's secret-init init container (`argocd admin redis-initial-password`) makes.
    inst.run("create", "secret", "generic", "argocd-redis", "-n", "argocd", "--from-literal=auth=s3cret", now=at(1))
    inst.outputs["reconcile2"] = inst.run("reconcile", "--until-stable", now=at(1)).out
    return inst


@pytest.mark.xdist_group("argo-cd")
def test_argo_cd_needs_server_side_apply_as_upstream_for_its_big_crd(argo_cd):
    r = json.loads(argo_cd.outputs["client-side"])
    assert r["rc"] == 1
    assert ('The CustomResourceDefinition "applicationsets.argoproj.io" is invalid: metadata.annotations: '
            "Too long: must have at most 262144 bytes") in r["err"]


@pytest.mark.xdist_group("argo-cd")
def test_argo_cd_applies_server_side_and_a_second_apply_writes_nothing(argo_cd):
    n = len(documents(ARGO_CD))
    assert verbs(argo_cd.outputs["apply"]) == {"serverside-applied": n}  # kubectl's word, also when nothing changed
    assert verbs(argo_cd.outputs["again"]) == {"serverside-applied": n}
    assert argo_cd.outputs["journal-again"] == argo_cd.outputs["journal"]
    crd = json.loads(argo_cd.run("get", "crd", "applicationsets.argoproj.io", "-o", "json").out)
    assert "kubectl.kubernetes.io/last-applied-configuration" not in (crd["metadata"].get("annotations") or {})
    assert [(m["manager"], m["operation"]) for m in crd["metadata"]["managedFields"]] == [("kubectl", "Apply")]
    assert cond(crd, "Established").get("status") == "True"


@pytest.mark.xdist_group("argo-cd")
def test_argo_cd_workloads_run_once_redis_has_its_password(argo_cd):
    waiting = {p["metadata"]["labels"]["app.kubernetes.io/name"]: p["status"] for p in json.loads(argo_cd.outputs["waiting"])}
    redis = waiting["argocd-redis"]
    assert redis["initContainerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"  # secret-init ran...
    assert redis["containerStatuses"][0]["state"]["waiting"] == {  # ...but simulated, it made nothing
        "reason": "CreateContainerConfigError", "message": 'secret "argocd-redis" not found'}
    assert {name for name, st in waiting.items() if st["phase"] == "Pending"} == {
        "argocd-redis", "argocd-repo-server", "argocd-server", "argocd-application-controller"}
    assert_workloads_run(argo_cd, "argocd")
    assert len(argo_cd.items("pods", "argocd")) == 7


@pytest.mark.xdist_group("argo-cd")
def test_argo_cd_network_policies_decide_who_reaches_redis(argo_cd):
    pods = {p["metadata"]["labels"]["app.kubernetes.io/name"]: p["metadata"]["name"] for p in argo_cd.items("pods", "argocd")}
    check = lambda a, b: argo_cd.run("netpol", "check", pods[a], pods[b], "--port", "6379", "-n", "argocd", ok=False)  # noqa: E731
    assert check("argocd-server", "argocd-redis").rc == 0
    denied = check("argocd-dex-server", "argocd-redis")
    assert denied.rc == 1 and "argocd/argocd-redis-network-policy" in denied.out


@pytest.mark.xdist_group("argo-cd")
def test_argo_cd_objects_validate_strictly(argo_cd):
    assert assert_everything_written_is_valid(argo_cd.state) > 50


# -- kube-prometheus -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kube_prometheus(tmp_path_factory) -> Install:
    root = tmp_path_factory.mktemp("kube-prometheus")
    with tarfile.open(DATA / "kube-prometheus" / "manifests.tar.gz") as tar:
        tar.extractall(root, filter="data")
    inst = Install(root / "state")
    inst.outputs["dir"] = str(root / "manifests")
    inst.run("apply", "-f", "-", stdin=NODES)
    # As its README says: kubectl apply --server-side -f manifests/setup; kubectl apply -f manifests/
    inst.outputs["setup"] = inst.run("apply", "--server-side", "-f", str(root / "manifests" / "setup")).out
    inst.outputs["apply"] = inst.run("apply", "-f", str(root / "manifests")).out
    inst.outputs["reconcile"] = inst.run("reconcile", "--until-stable").out
    return inst


@pytest.mark.xdist_group("kube-prometheus")
def test_kube_prometheus_applies_cleanly_and_a_second_apply_is_unchanged(kube_prometheus):
    manifests = Path(kube_prometheus.outputs["dir"])
    count = lambda d: sum(len(documents(p.read_text())) for p in d.glob("*.yaml"))  # noqa: E731
    assert verbs(kube_prometheus.outputs["setup"]) == {"serverside-applied": count(manifests / "setup")}
    assert verbs(kube_prometheus.outputs["apply"]) == {"created": count(manifests)}
    again = kube_prometheus.run("apply", "-f", str(manifests), now=at(1)).out
    assert verbs(again) == {"unchanged": count(manifests)}


@pytest.mark.xdist_group("kube-prometheus")
def test_kube_prometheus_workloads_run_with_node_exporter_on_every_node(kube_prometheus):
    assert_workloads_run(kube_prometheus, "monitoring")
    exporters = [p for p in kube_prometheus.items("pods", "monitoring") if p["metadata"]["name"].startswith("node-exporter-")]
    assert sorted(p["spec"]["nodeName"] for p in exporters) == ["node-1", "node-2", "node-3"]


@pytest.mark.xdist_group("kube-prometheus")
def test_kube_prometheus_custom_resources_get_their_crds_printer_columns(kube_prometheus):
    rows = kube_prometheus.run("get", "prometheus", "-n", "monitoring").out.splitlines()
    assert rows[0].split() == ["NAME", "VERSION", "DESIRED", "READY", "RECONCILED", "AVAILABLE", "AGE"]
    assert rows[1].split()[:6] == ["k8s", "3.12.0", "2", "<none>", "<none>", "<none>"]  # no operator runs to fill status
    monitors = kube_prometheus.run("get", "servicemonitors", "-n", "monitoring", "-o", "name").out.split()
    assert len(monitors) == 13


@pytest.mark.xdist_group("kube-prometheus")
def test_kube_prometheus_objects_validate_strictly(kube_prometheus):
    assert assert_everything_written_is_valid(kube_prometheus.state) > 80
