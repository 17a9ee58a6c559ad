"""Tests for the generated Kubernetes JSON Schemas in schemas/."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT / "schemas"
INT32_MAX = 2**31 - 1

# Every GA kind a Kubernetes 1.32 API server stores, by apiVersion (kubectl api-resources
# of a 1.32 cluster, less the request-only kinds), and KubeFed's kinds.
_RBAC, _STORAGE, _ADMREG, _NET = ("rbac.authorization.k8s.io/v1", "storage.k8s.io/v1",
                                  "admissionregistration.k8s.io/v1", "networking.k8s.io/v1")
EXPECTED_KINDS = {
    **{k: "v1" for k in (
        "Pod", "ReplicationController", "Service", "Endpoints", "Node", "Namespace", "Secret", "ConfigMap",
        "ServiceAccount", "PersistentVolume", "PersistentVolumeClaim", "Event", "LimitRange", "ResourceQuota",
        "PodTemplate")},
    **{k: "apps/v1" for k in ("ReplicaSet", "Deployment", "DaemonSet", "StatefulSet", "ControllerRevision")},
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    **{k: _RBAC for k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")},
    **{k: _STORAGE for k in ("StorageClass", "CSIDriver", "CSINode", "CSIStorageCapacity", "VolumeAttachment")},
    **{k: _ADMREG for k in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
                            "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")},
    **{k: _NET for k in ("Ingress", "IngressClass", "NetworkPolicy")},
    "Lease": "coordination.k8s.io/v1",
    "EndpointSlice": "discovery.k8s.io/v1",
    "CustomResourceDefinition": "apiextensions.k8s.io/v1",
    "APIService": "apiregistration.k8s.io/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "CertificateSigningRequest": "certificates.k8s.io/v1",
    "FlowSchema": "flowcontrol.apiserver.k8s.io/v1",
    "PriorityLevelConfiguration": "flowcontrol.apiserver.k8s.io/v1",
    "RuntimeClass": "node.k8s.io/v1",
    "PodDisruptionBudget": "policy/v1",
    "PriorityClass": "scheduling.k8s.io/v1",
    # Federation (KubeFed's groups)
    "KubeFedCluster": "core.kubefed.io/v1beta1",
    **{f"Federated{k}": "types.kubefed.io/v1beta1" for k in (
        "Namespace", "Deployment", "ReplicaSet", "Service", "ConfigMap", "Secret", "Job", "DaemonSet",
        "StatefulSet", "ServiceAccount")},
    "ReplicaSchedulingPreference": "scheduling.kubefed.io/v1alpha1",
    "ServiceDNSRecord": "multiclusterdns.kubefed.io/v1alpha1",
}
# Kinds served in a second GA version: file name -> apiVersion.
OTHER_VERSIONS = {
    "horizontalpodautoscaler.autoscaling.v1": "autoscaling/v1",
    "event.events.k8s.io.v1": "events.k8s.io/v1",
}

_yaml = YAML(typ="safe")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _load_generator():
    spec = importlib.util.spec_from_file_location("kubelite_schema_generate", SCHEMA_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=None)
def schema_for(kind: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{kind.lower()}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator_for(kind: str) -> Draft202012Validator:
    return Draft202012Validator(schema_for(kind))


def load(text: str) -> dict:
    return _yaml.load(text)


def errors_of(obj: dict) -> list:
    return list(validator_for(obj["kind"]).iter_errors(obj))


def assert_valid(obj: dict) -> None:
    errs = errors_of(obj)
    assert not errs, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errs)


def assert_rejected(obj: dict, path: list, keyword: str, fragment: str | None = None) -> None:
    """Some error must sit exactly at `path` and come from `keyword`."""
    errs = errors_of(obj)
    assert errs, "expected the object to be rejected"
    found = [list(e.absolute_path) for e in errs]
    matching = [e for e in errs if list(e.absolute_path) == path and e.validator == keyword]
    assert matching, f"no {keyword!r} error at {path}; got {[(p, e.validator, e.message) for p, e in zip(found, errs)]}"
    if fragment is not None:
        assert any(fragment in e.message for e in matching), [e.message for e in matching]
    # The single "best" error (what a CLI would print) points at the same place.
    assert list(best_match(errs).absolute_path) == path


def all_files() -> list[Path]:
    return sorted(SCHEMA_DIR.glob("*.json"))


# ---------------------------------------------------------------------------
# the schema files themselves
# ---------------------------------------------------------------------------


def test_one_file_per_expected_kind():
    assert {p.stem for p in all_files()} == {k.lower() for k in EXPECTED_KINDS} | set(OTHER_VERSIONS)


@pytest.mark.parametrize("path", all_files(), ids=lambda p: p.stem)
def test_file_is_valid_draft_2020_12_schema(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    kind = schema["title"]
    assert path.stem.split(".")[0] == kind.lower()
    api_version = OTHER_VERSIONS.get(path.stem) or EXPECTED_KINDS[kind]
    group, _, version = api_version.rpartition("/")
    assert schema["x-kubernetes-group-version-kind"] == {"group": group, "version": version, "kind": kind}
    assert schema["properties"]["apiVersion"]["const"] == api_version
    assert schema["properties"]["kind"]["const"] == kind
    assert {"apiVersion", "kind", "metadata"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert schema["description"]

    # Output is deterministic: sorted keys, indent=1, trailing newline.
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(schema, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def test_generator_check_passes_on_the_committed_files():
    proc = subprocess.run([sys.executable, str(SCHEMA_DIR / "generate.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_generator_check_names_a_stale_file(tmp_path):
    for p in all_files():
        shutil.copy(p, tmp_path / p.name)
    pod = json.loads((tmp_path / "pod.json").read_text())
    pod["description"] = "typed by hand"
    (tmp_path / "pod.json").write_text(json.dumps(pod))
    (tmp_path / "nosuchkind.json").write_text("{}")
    (tmp_path / "lease.json").unlink()
    proc = subprocess.run([sys.executable, str(SCHEMA_DIR / "generate.py"), "--check", "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["missing lease.json", "stale pod.json", "unexpected nosuchkind.json"]


def test_generator_reads_the_official_definitions():
    gen = _load_generator()
    path = gen.default_definitions()
    assert path.name == "_definitions.json" and "v1.32.0" in str(path)
    defs = gen.load_definitions(path)
    pod = defs["io.k8s.api.core.v1.Pod"]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    stored = {(g, v, k) for g, v, k, _ in gen.stored_kinds(defs)}
    assert ("", "v1", "Pod") in stored and ("networking.k8s.io", "v1", "IngressClass") in stored
    assert not {k for _, _, k in stored} & {"TokenReview", "Eviction", "Binding", "Scale", "SubjectAccessReview"}
    assert not any(v.startswith("v1beta") or "alpha" in v for _, v, _ in stored)


def _walk(node, visit, path=()):
    visit(node, path)
    if isinstance(node, dict):
        for k, v in node.items():
            _walk(v, visit, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _walk(v, visit, path + (i,))


@pytest.mark.parametrize("path", all_files(), ids=lambda p: p.stem)
def test_files_are_self_contained_and_minimal(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    refs = set()

    def visit(node, _):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):  # not JSONSchemaProps' "$ref" field
            assert node["$ref"].startswith("#/$defs/"), node["$ref"]
            refs.add(node["$ref"].removeprefix("#/$defs/"))

    _walk(schema, visit)
    assert refs <= set(defs), refs - set(defs)
    assert set(defs) <= refs, f"unused defs: {set(defs) - refs}"


def _object_schemas(schema):
    """(where, object schema) for the root and every def."""
    yield "<root>", schema
    for name, d in schema["$defs"].items():
        yield name, d


@pytest.mark.parametrize("path", all_files(), ids=lambda p: p.stem)
def test_structural_conventions(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    problems = []

    def visit(node, where):
        if not isinstance(node, dict) or where[-1:] == ("properties",):  # a map of field names
            return
        types = node.get("type")
        types = [types] if isinstance(types, str) else (types or [])
        if "properties" in node:
            if node.get("additionalProperties") is not False:
                problems.append(f"{where}: object with properties must set additionalProperties: false")
        if node.get("format") == "int32":
            if node.get("minimum") != -(2**31) or node.get("maximum") != INT32_MAX:
                problems.append(f"{where}: int32 without bounds")
        if isinstance(node.get("$ref"), str) and node["$ref"].rsplit(".", 1)[-1] in ("Quantity", "IntOrString", "Time", "MicroTime"):
            problems.append(f"{where}: scalar definition not inlined")

    _walk(schema, visit)
    for name, d in schema["$defs"].items():
        assert d["title"] == name.rsplit(".", 1)[-1]
        if "type" in d:
            assert "null" in d["type"], name
    assert not problems, problems


def test_optional_properties_accept_null_required_ones_do_not():
    # All files draw their $defs from one pool, so checking the union covers every file.
    pool: dict[str, dict] = {}
    roots = []
    for kind in EXPECTED_KINDS:
        schema = schema_for(kind)
        pool.update(schema["$defs"])
        roots.append((kind, schema))
    objects = [(k, s) for k, s in roots] + list(pool.items())
    checked = 0
    for where, obj in objects:
        required = set(obj.get("required", []))
        for prop, sub in obj.get("properties", {}).items():
            if not sub.get("type") and not sub.get("$ref"):
                continue  # any JSON value (apiextensions JSON), null included
            v = Draft202012Validator({"$defs": pool, **sub})
            accepts_null = v.is_valid(None)
            assert accepts_null is (prop not in required), f"{where}.{prop}: required={prop in required} accepts_null={accepts_null}"
            checked += 1
    assert checked > 1000


def _pool() -> dict[str, dict]:
    pool = {}
    for kind in EXPECTED_KINDS:
        pool.update(schema_for(kind)["$defs"])
    return pool


CORE, APPS, BATCH, META = "io.k8s.api.core.v1.", "io.k8s.api.apps.v1.", "io.k8s.api.batch.v1.", "io.k8s.apimachinery.pkg.apis.meta.v1."


def test_required_fields_follow_upstream():
    pool = _pool()

    def required(name):
        return set(pool[name].get("required", []))

    assert required(META + "ObjectMeta") == set()
    assert required(CORE + "PodSpec") == {"containers"}
    assert required(CORE + "Container") == {"name", "image"}
    assert required(CORE + "EphemeralContainer") == {"name", "image"}
    assert required(CORE + "ContainerPort") == {"containerPort"}
    assert required(CORE + "ServicePort") == {"port"}
    assert required(CORE + "EnvVar") == {"name"}
    assert required(CORE + "Volume") == {"name"}
    assert required(CORE + "VolumeMount") == {"name", "mountPath"}
    assert required(CORE + "Toleration") == set()
    assert required(APPS + "DeploymentSpec") == {"selector", "template"}
    assert required(APPS + "ReplicaSetSpec") == {"selector", "template"}
    assert required(APPS + "DaemonSetSpec") == {"selector", "template"}
    assert required(APPS + "StatefulSetSpec") == {"selector", "template"}
    assert required(BATCH + "JobSpec") == {"template"}
    assert required(BATCH + "CronJobSpec") == {"schedule", "jobTemplate"}
    assert required("io.k8s.api.rbac.v1.RoleRef") == {"apiGroup", "kind", "name"}
    assert required("io.k8s.api.rbac.v1.Subject") == {"kind", "name"}
    assert required("io.k8s.api.rbac.v1.PolicyRule") == {"verbs"}
    assert required("io.k8s.api.discovery.v1.Endpoint") == {"addresses"}
    assert required("io.k8s.api.coordination.v1.LeaseSpec") == set()
    assert "roleRef" in schema_for("RoleBinding")["required"]
    assert "roleRef" in schema_for("ClusterRoleBinding")["required"]
    assert {"addressType", "endpoints"} <= set(schema_for("EndpointSlice")["required"])
    assert {"involvedObject", "metadata"} <= set(schema_for("Event")["required"])
    assert "provisioner" in schema_for("StorageClass")["required"]
    assert "spec" in schema_for("Deployment")["required"]


def test_scalar_typing():
    pool = _pool()
    replicas = pool[APPS + "DeploymentSpec"]["properties"]["replicas"]
    assert replicas["type"] == ["integer", "null"] and replicas["maximum"] == INT32_MAX
    assert pool[META + "ObjectMeta"]["properties"]["generation"]["type"] == ["integer", "null"]
    assert "maximum" not in pool[META + "ObjectMeta"]["properties"]["generation"]
    limits = pool[CORE + "ResourceRequirements"]["properties"]["limits"]["additionalProperties"]
    assert limits["type"] == ["string", "number"] and limits["format"] == "quantity"
    target = pool[CORE + "ServicePort"]["properties"]["targetPort"]
    assert target["type"] == ["integer", "string", "null"] and target["x-kubernetes-int-or-string"] is True
    assert target["format"] == "int-or-string"
    assert pool[APPS + "RollingUpdateDeployment"]["properties"]["maxSurge"]["type"] == ["integer", "string", "null"]
    assert pool[CORE + "HTTPGetAction"]["properties"]["port"]["type"] == ["integer", "string"]
    created = pool[META + "ObjectMeta"]["properties"]["creationTimestamp"]
    assert created["type"] == ["string", "null"] and created["format"] == "date-time"
    assert schema_for("Secret")["properties"]["data"]["additionalProperties"]["type"] == "string"


def test_strategic_merge_extensions_are_kept():
    pool = _pool()
    containers = pool[CORE + "PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-type"] == "map" and containers["x-kubernetes-list-map-keys"] == ["name"]
    ports = pool[CORE + "Container"]["properties"]["ports"]
    assert ports["x-kubernetes-patch-merge-key"] == "containerPort"
    assert ports["x-kubernetes-list-map-keys"] == ["containerPort", "protocol"]
    assert pool[META + "ObjectMeta"]["properties"]["finalizers"]["x-kubernetes-patch-strategy"] == "merge"
    assert pool[CORE + "PodSpec"]["properties"]["volumes"]["x-kubernetes-patch-strategy"] == "merge,retainKeys"


def test_upstream_field_coverage():
    pool = _pool()

    def props(name):
        return set(pool[name]["properties"])

    assert {
        "containers", "initContainers", "ephemeralContainers", "volumes", "affinity", "tolerations",
        "topologySpreadConstraints", "securityContext", "dnsConfig", "hostAliases", "readinessGates",
        "schedulingGates", "resourceClaims", "os", "overhead", "nodeSelector", "serviceAccountName",
        "priorityClassName", "runtimeClassName", "hostUsers", "setHostnameAsFQDN", "imagePullSecrets",
    } <= props(CORE + "PodSpec")
    assert {
        "emptyDir", "hostPath", "nfs", "configMap", "secret", "persistentVolumeClaim", "projected",
        "downwardAPI", "csi", "ephemeral", "iscsi", "rbd", "cephfs", "fc", "azureDisk", "image",
    } <= props(CORE + "Volume")
    assert {
        "ports", "env", "envFrom", "resources", "volumeMounts", "livenessProbe", "readinessProbe",
        "startupProbe", "lifecycle", "securityContext", "resizePolicy", "restartPolicy",
    } <= props(CORE + "Container")
    assert {"requests", "limits", "claims"} == props(CORE + "ResourceRequirements")
    assert {"nodeAffinity", "podAffinity", "podAntiAffinity"} == props(CORE + "Affinity")
    assert {"running", "waiting", "terminated"} == props(CORE + "ContainerState")
    assert {"loadBalancer", "conditions"} == props(CORE + "ServiceStatus")


# ---------------------------------------------------------------------------
# manifests produced by kubectl
# ---------------------------------------------------------------------------

_KUBECTL = shutil.which("kubectl")

_KUBECTL_CASES = {
    "deployment": ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80"],
    "deployment-multi": ["create", "deployment", "multi", "--image=nginx", "--image=redis"],
    "job": ["create", "job", "once", "--image=busybox", "--", "date"],
    "cronjob": ["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "echo", "hi"],
    "namespace": ["create", "namespace", "team-a"],
    "configmap": ["create", "configmap", "cfg", "--from-literal=a=1", "--from-literal=b=two"],
    "secret": ["create", "secret", "generic", "creds", "--from-literal=user=admin", "--from-literal=pass=s3cr3t"],
    "secret-tls-like": ["create", "secret", "docker-registry", "reg", "--docker-server=r.example",
                        "--docker-username=u", "--docker-password=p"],
    "serviceaccount": ["create", "serviceaccount", "robot"],
    "service-clusterip": ["create", "service", "clusterip", "api", "--tcp=80:8080", "--tcp=443:8443"],
    "service-headless": ["create", "service", "clusterip", "db", "--clusterip=None"],
    "service-nodeport": ["create", "service", "nodeport", "web", "--tcp=80:8080", "--node-port=30080"],
    "service-loadbalancer": ["create", "service", "loadbalancer", "lb", "--tcp=443:8443"],
    "service-externalname": ["create", "service", "externalname", "ext", "--external-name=example.com"],
    "role": ["create", "role", "reader", "--verb=get", "--verb=list", "--resource=pods,configmaps"],
    "clusterrole": ["create", "clusterrole", "cluster-reader", "--verb=get,list,watch", "--resource=pods"],
    "clusterrole-nonresource": ["create", "clusterrole", "health", "--verb=get", "--non-resource-url=/healthz",
                                "--non-resource-url=/livez"],
    "clusterrole-aggregated": ["create", "clusterrole", "agg", "--aggregation-rule=rbac.example.com/aggregate=true"],
    "rolebinding": ["create", "rolebinding", "rb", "--role=reader", "--user=alice", "--group=devs",
                    "--serviceaccount=default:robot"],
    "clusterrolebinding": ["create", "clusterrolebinding", "crb", "--clusterrole=view", "--user=bob"],
}

# kubectl consults API discovery for `create role`/`create clusterrole`; a pre-seeded
# discovery cache lets it run without a cluster.
_DISCOVERY = {
    "servergroups.json": {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {"name": "", "versions": [{"groupVersion": "v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": "v1", "version": "v1"}},
            {"name": "rbac.authorization.k8s.io",
             "versions": [{"groupVersion": "rbac.authorization.k8s.io/v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": "rbac.authorization.k8s.io/v1", "version": "v1"}},
        ],
    },
    "v1/serverresources.json": {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "v1",
        "resources": [
            {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod", "verbs": ["get", "list"]},
            {"name": "configmaps", "singularName": "configmap", "namespaced": True, "kind": "ConfigMap",
             "verbs": ["get", "list"]},
        ],
    },
    "rbac.authorization.k8s.io/v1/serverresources.json": {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "rbac.authorization.k8s.io/v1",
        "resources": [],
    },
}
_FAKE_SERVER = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def kubectl_env(tmp_path_factory):
    if _KUBECTL is None:
        pytest.skip("kubectl not installed")
    base = tmp_path_factory.mktemp("kubectl")
    disc = base / "cache" / "discovery" / "127.0.0.1_9"
    for rel, body in _DISCOVERY.items():
        p = disc / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(body), encoding="utf-8")
    env = dict(os.environ, KUBECONFIG=str(base / "no-kubeconfig"), HOME=str(base))
    return env, base / "cache"


@pytest.mark.parametrize("case", sorted(_KUBECTL_CASES))
def test_kubectl_dry_run_manifest_validates(case, kubectl_env):
    env, cache = kubectl_env
    args = list(_KUBECTL_CASES[case])
    sep = args.index("--") if "--" in args else len(args)
    args[sep:sep] = ["--dry-run=client", "-o", "yaml"]
    cmd = [_KUBECTL, f"--server={_FAKE_SERVER}", f"--cache-dir={cache}", *args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    obj = load(proc.stdout)
    assert obj["kind"] in EXPECTED_KINDS
    assert_valid(obj)


# ---------------------------------------------------------------------------
# realistic, fully populated objects
# ---------------------------------------------------------------------------

RUNNING_POD = """
apiVersion: v1
kind: Pod
metadata:
  name: web-7d9c6b8f5-x2k4p
  generateName: web-7d9c6b8f5-
  namespace: default
  uid: 3f1c2a9e-8d6b-4c1f-9a3e-1b2c3d4e5f60
  resourceVersion: "48213"
  generation: 1
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels: {app: web, pod-template-hash: 7d9c6b8f5}
  annotations: {kubectl.kubernetes.io/restartedAt: "2024-05-01T09:59:00Z"}
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: web-7d9c6b8f5
    uid: 0a1b2c3d-0000-4000-8000-000000000001
    controller: true
    blockOwnerDeletion: true
  finalizers: [example.com/cleanup]
  managedFields:
  - manager: kube-controller-manager
    operation: Update
    apiVersion: v1
    time: "2024-05-01T10:00:00Z"
    fieldsType: FieldsV1
    fieldsV1: {"f:metadata": {"f:labels": {".": {}}}}
spec:
  restartPolicy: Always
  terminationGracePeriodSeconds: 30
  activeDeadlineSeconds: null
  dnsPolicy: ClusterFirst
  serviceAccountName: web
  serviceAccount: web
  automountServiceAccountToken: false
  nodeName: node-1
  hostNetwork: false
  shareProcessNamespace: true
  enableServiceLinks: false
  priorityClassName: high
  priority: 1000
  preemptionPolicy: PreemptLowerPriority
  schedulerName: default-scheduler
  runtimeClassName: runc
  hostname: web-0
  subdomain: web
  setHostnameAsFQDN: false
  hostUsers: true
  nodeSelector: {kubernetes.io/os: linux}
  os: {name: linux}
  overhead: {cpu: 100m, memory: 20Mi}
  imagePullSecrets: [{name: regcred}]
  hostAliases: [{ip: 10.0.0.5, hostnames: [db.local, cache.local]}]
  readinessGates: [{conditionType: example.com/feature-ready}]
  schedulingGates: [{name: example.com/quota}]
  resourceClaims:
  - name: gpu
    resourceClaimTemplateName: gpu-template
  dnsConfig:
    nameservers: [1.1.1.1]
    searches: [svc.cluster.local]
    options: [{name: ndots, value: "2"}, {name: edns0}]
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    runAsNonRoot: true
    fsGroup: 2000
    fsGroupChangePolicy: OnRootMismatch
    supplementalGroups: [4000]
    supplementalGroupsPolicy: Merge
    sysctls: [{name: net.core.somaxconn, value: "1024"}]
    seccompProfile: {type: RuntimeDefault}
    appArmorProfile: {type: RuntimeDefault}
    seLinuxOptions: {level: "s0:c123,c456"}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: topology.kubernetes.io/zone, operator: In, values: [zone-a, zone-b]}
          matchFields:
          - {key: metadata.name, operator: NotIn, values: [node-9]}
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 10
        preference:
          matchExpressions: [{key: disktype, operator: In, values: [ssd]}]
    podAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 50
        podAffinityTerm:
          labelSelector: {matchLabels: {app: cache}}
          topologyKey: kubernetes.io/hostname
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector:
          matchExpressions: [{key: app, operator: In, values: [web]}]
        topologyKey: kubernetes.io/hostname
        namespaceSelector: {}
        matchLabelKeys: [pod-template-hash]
  tolerations:
  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
  - {operator: Exists}
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector: {matchLabels: {app: web}}
    minDomains: 2
    nodeAffinityPolicy: Honor
    nodeTaintsPolicy: Ignore
    matchLabelKeys: [pod-template-hash]
  volumes:
  - name: scratch
    emptyDir: {medium: Memory, sizeLimit: 64Mi}
  - name: host
    hostPath: {path: /var/log, type: Directory}
  - name: share
    nfs: {server: nfs.example.com, path: /exports, readOnly: true}
  - name: cfg
    configMap:
      name: web-config
      items: [{key: app.conf, path: conf/app.conf, mode: 0644}]
      defaultMode: 420
      optional: false
  - name: creds
    secret: {secretName: web-creds, defaultMode: 256}
  - name: data
    persistentVolumeClaim: {claimName: web-data}
  - name: podinfo
    downwardAPI:
      items:
      - path: labels
        fieldRef: {fieldPath: metadata.labels}
      - path: cpu_limit
        resourceFieldRef: {containerName: web, resource: limits.cpu, divisor: 1m}
  - name: bundle
    projected:
      defaultMode: 420
      sources:
      - serviceAccountToken: {audience: vault, expirationSeconds: 3600, path: token}
      - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
      - secret: {name: extra, optional: true}
      - downwardAPI: {items: [{path: namespace, fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}}]}
      - clusterTrustBundle: {signerName: example.com/signer, labelSelector: {}, path: bundle.pem}
  - name: inline-csi
    csi:
      driver: secrets-store.csi.k8s.io
      readOnly: true
      volumeAttributes: {secretProviderClass: vault}
      nodePublishSecretRef: {name: csi-creds}
  - name: ephemeral
    ephemeral:
      volumeClaimTemplate:
        metadata: {labels: {type: scratch}}
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: fast
          resources: {requests: {storage: 1Gi}}
  - name: tools
    image: {reference: "quay.io/tools:1.0", pullPolicy: IfNotPresent}
  initContainers:
  - name: migrate
    image: "registry.example.com/web-migrate:1.2.3"
    command: [/bin/migrate]
    args: [--to, latest]
    envFrom:
    - prefix: DB_
      secretRef: {name: db-creds}
    - configMapRef: {name: db-config, optional: true}
  - name: log-shipper
    image: fluent-bit:3
    restartPolicy: Always
  containers:
  - name: web
    image: "registry.example.com/web:1.2.3"
    imagePullPolicy: IfNotPresent
    workingDir: /app
    ports:
    - {name: http, containerPort: 8080, protocol: TCP}
    - {containerPort: 9090, hostPort: 9090, hostIP: 0.0.0.0}
    env:
    - {name: LOG_LEVEL, value: info}
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: MEM_LIMIT
      valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
    - name: MODE
      valueFrom: {configMapKeyRef: {name: web-config, key: mode, optional: true}}
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: web-creds, key: token}}
    resources:
      requests: {cpu: 250m, memory: 128Mi}
      limits: {cpu: 1, memory: 256Mi, nvidia.com/gpu: 1}
      claims: [{name: gpu}]
    resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]
    volumeMounts:
    - {name: scratch, mountPath: /tmp}
    - {name: cfg, mountPath: /etc/web, readOnly: true, recursiveReadOnly: IfPossible}
    - {name: data, mountPath: /data, subPath: web, mountPropagation: None}
    - {name: podinfo, mountPath: /etc/podinfo, subPathExpr: $(POD_NAME)}
    livenessProbe:
      httpGet:
        path: /healthz
        port: http
        scheme: HTTP
        httpHeaders: [{name: X-Probe, value: liveness}]
      initialDelaySeconds: 10
      periodSeconds: 10
      timeoutSeconds: 2
      failureThreshold: 3
      terminationGracePeriodSeconds: 5
    readinessProbe:
      tcpSocket: {port: 8080}
      successThreshold: 1
    startupProbe:
      grpc: {port: 9090, service: health}
      failureThreshold: 30
    lifecycle:
      postStart: {exec: {command: [sh, -c, echo started]}}
      preStop: {sleep: {seconds: 5}}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      privileged: false
      runAsNonRoot: true
      capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}
      seccompProfile: {type: Localhost, localhostProfile: profiles/web.json}
      procMount: Default
    terminationMessagePath: /dev/termination-log
    terminationMessagePolicy: FallbackToLogsOnError
    stdin: false
    tty: false
  ephemeralContainers:
  - name: debugger
    image: busybox
    targetContainerName: web
    stdin: true
    tty: true
status:
  phase: Running
  qosClass: Burstable
  hostIP: 10.0.0.11
  hostIPs: [{ip: 10.0.0.11}, {ip: "fd00::11"}]
  podIP: 10.244.1.7
  podIPs: [{ip: 10.244.1.7}, {ip: "fd00:10:244:1::7"}]
  startTime: "2024-05-01T10:00:01Z"
  message: null
  reason: null
  nominatedNodeName: null
  conditions:
  - {type: PodReadyToStartContainers, status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T10:00:03Z"}
  - {type: Initialized, status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T10:00:05Z"}
  - {type: Ready, status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T10:00:20Z"}
  - {type: ContainersReady, status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T10:00:20Z"}
  - {type: PodScheduled, status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T10:00:00Z"}
  initContainerStatuses:
  - name: migrate
    ready: true
    restartCount: 0
    started: false
    image: "registry.example.com/web-migrate:1.2.3"
    imageID: "registry.example.com/web-migrate@sha256:aaaa"
    containerID: containerd://1111
    state:
      terminated:
        exitCode: 0
        reason: Completed
        startedAt: "2024-05-01T10:00:02Z"
        finishedAt: "2024-05-01T10:00:04Z"
        containerID: containerd://1111
    lastState: {}
  - name: log-shipper
    ready: true
    restartCount: 0
    started: true
    image: "fluent-bit:3"
    imageID: "docker.io/library/fluent-bit@sha256:bbbb"
    containerID: containerd://2222
    state: {running: {startedAt: "2024-05-01T10:00:05Z"}}
    lastState: {}
  containerStatuses:
  - name: web
    ready: true
    started: true
    restartCount: 1
    image: "registry.example.com/web:1.2.3"
    imageID: "registry.example.com/web@sha256:cccc"
    containerID: containerd://3333
    state:
      running: {startedAt: "2024-05-01T10:00:10Z"}
    lastState:
      terminated:
        exitCode: 137
        signal: 9
        reason: OOMKilled
        message: out of memory
        startedAt: "2024-05-01T10:00:06Z"
        finishedAt: "2024-05-01T10:00:09Z"
        containerID: containerd://3330
    allocatedResources: {cpu: 250m, memory: 128Mi}
    resources:
      requests: {cpu: 250m, memory: 128Mi}
      limits: {cpu: "1", memory: 256Mi}
    volumeMounts:
    - {name: cfg, mountPath: /etc/web, readOnly: true, recursiveReadOnly: Enabled}
    user:
      linux: {uid: 1000, gid: 3000, supplementalGroups: [2000, 4000]}
    allocatedResourcesStatus:
    - name: claim:gpu
      resources: [{resourceID: gpu-0, health: Healthy}]
  ephemeralContainerStatuses:
  - name: debugger
    ready: false
    restartCount: 0
    image: busybox
    imageID: ""
    state:
      waiting: {reason: ContainerCreating, message: pulling image}
  resourceClaimStatuses: [{name: gpu, resourceClaimName: web-7d9c6b8f5-x2k4p-gpu-abcde}]
"""

NODE = """
apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels:
    kubernetes.io/hostname: node-1
    kubernetes.io/os: linux
    node-role.kubernetes.io/control-plane: ""
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
spec:
  podCIDR: 10.244.1.0/24
  podCIDRs: [10.244.1.0/24, "fd00:10:244:1::/64"]
  providerID: kind://docker/kind/node-1
  unschedulable: false
  taints:
  - {key: node-role.kubernetes.io/control-plane, effect: NoSchedule}
  - {key: node.kubernetes.io/unreachable, effect: NoExecute, timeAdded: "2024-05-01T10:00:00Z"}
status:
  capacity: {cpu: "8", memory: 32781916Ki, pods: "110", ephemeral-storage: 102626232Ki, hugepages-2Mi: "0"}
  allocatable: {cpu: 7800m, memory: 32167516Ki, pods: 110}
  phase: Running
  conditions:
  - type: MemoryPressure
    status: "False"
    lastHeartbeatTime: "2024-05-01T10:05:00Z"
    lastTransitionTime: "2024-05-01T09:00:00Z"
    reason: KubeletHasSufficientMemory
    message: kubelet has sufficient memory available
  - type: Ready
    status: "True"
    lastHeartbeatTime: "2024-05-01T10:05:00Z"
    lastTransitionTime: "2024-05-01T09:00:10Z"
    reason: KubeletReady
    message: kubelet is posting ready status
  addresses:
  - {type: InternalIP, address: 10.0.0.11}
  - {type: Hostname, address: node-1}
  daemonEndpoints:
    kubeletEndpoint: {Port: 10250}
  nodeInfo:
    machineID: 0f9e8d7c6b5a
    systemUUID: 4c4c4544-0042
    bootID: 2b8a
    kernelVersion: 6.8.0-31-generic
    osImage: Debian GNU/Linux 12 (bookworm)
    containerRuntimeVersion: containerd://1.7.15
    kubeletVersion: v1.30.0
    kubeProxyVersion: v1.30.0
    operatingSystem: linux
    architecture: amd64
  images:
  - names: ["registry.k8s.io/etcd@sha256:dddd", "registry.k8s.io/etcd:3.5.12-0"]
    sizeBytes: 57236178
  volumesInUse: [kubernetes.io/csi/ebs.csi.aws.com^vol-1]
  volumesAttached:
  - {name: kubernetes.io/csi/ebs.csi.aws.com^vol-1, devicePath: /dev/xvdba}
  runtimeHandlers:
  - name: ""
    features: {recursiveReadOnlyMounts: true, userNamespaces: false}
  - name: runc
    features: {recursiveReadOnlyMounts: true}
  features: {supplementalGroupsPolicy: true}
  config: null
"""

STATEFULSET = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data, labels: {app: db}}
spec:
  serviceName: db
  replicas: 3
  podManagementPolicy: Parallel
  minReadySeconds: 5
  revisionHistoryLimit: 5
  selector: {matchLabels: {app: db}}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {partition: 0, maxUnavailable: 1}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Retain}
  ordinals: {start: 1}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: postgres
        image: postgres:16
        ports: [{name: pg, containerPort: 5432}]
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data, creationTimestamp: null}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: fast
      volumeMode: Filesystem
      resources: {requests: {storage: 10Gi}}
    status: {phase: Pending}
  - metadata: {name: wal}
    spec:
      accessModes: [ReadWriteOncePod]
      resources: {requests: {storage: 2Gi}}
      dataSourceRef: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: wal-snap}
status:
  observedGeneration: 2
  replicas: 3
  readyReplicas: 3
  currentReplicas: 3
  updatedReplicas: 3
  availableReplicas: 3
  currentRevision: db-5c7d8
  updateRevision: db-5c7d8
  collisionCount: 0
"""

DAEMONSET = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: node-exporter}}
  minReadySeconds: 0
  revisionHistoryLimit: 10
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 10%, maxSurge: 0}
  template:
    metadata: {labels: {app: node-exporter}}
    spec:
      hostNetwork: true
      hostPID: true
      tolerations: [{operator: Exists}]
      containers:
      - name: node-exporter
        image: quay.io/prometheus/node-exporter:v1.8.0
        args: [--path.rootfs=/host]
        ports: [{containerPort: 9100, hostPort: 9100, name: metrics}]
        volumeMounts: [{name: root, mountPath: /host, readOnly: true, mountPropagation: HostToContainer}]
      volumes:
      - name: root
        hostPath: {path: /}
status:
  currentNumberScheduled: 3
  numberMisscheduled: 0
  desiredNumberScheduled: 3
  numberReady: 3
  observedGeneration: 1
  updatedNumberScheduled: 3
  numberAvailable: 3
"""

PERSISTENT_VOLUME = """
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-0001
  labels: {type: local}
  finalizers: [kubernetes.io/pv-protection]
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  volumeMode: Filesystem
  mountOptions: [noatime]
  local: {path: /mnt/disks/ssd1}
  claimRef: {apiVersion: v1, kind: PersistentVolumeClaim, namespace: default, name: data-claim, uid: 9a8b}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-1]}]
status:
  phase: Bound
  lastPhaseTransitionTime: "2024-05-01T10:00:00Z"
"""

PERSISTENT_VOLUME_CSI = """
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-csi}
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteMany]
  csi:
    driver: ebs.csi.aws.com
    volumeHandle: vol-0123
    fsType: ext4
    volumeAttributes: {storage.kubernetes.io/csiProvisionerIdentity: abc}
    nodeStageSecretRef: {name: csi-secret, namespace: kube-system}
  volumeAttributesClassName: gold
"""

PERSISTENT_VOLUME_CLAIM = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-claim
  namespace: default
  annotations: {pv.kubernetes.io/bind-completed: "yes"}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  volumeMode: Filesystem
  volumeName: pv-0001
  resources:
    requests: {storage: 8Gi}
    limits: {storage: 10Gi}
  selector:
    matchLabels: {type: local}
status:
  phase: Bound
  accessModes: [ReadWriteOnce]
  capacity: {storage: 10Gi}
  allocatedResources: {storage: 10Gi}
  allocatedResourceStatuses: {storage: ControllerResizeInProgress}
  currentVolumeAttributesClassName: null
  modifyVolumeStatus: {targetVolumeAttributesClassName: gold, status: InProgress}
  conditions:
  - {type: Resizing, status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T10:00:00Z"}
"""

ENDPOINT_SLICE = """
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc12
  namespace: default
  labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
addressType: IPv4
ports:
- {name: http, protocol: TCP, port: 8080, appProtocol: http}
endpoints:
- addresses: [10.244.1.7]
  conditions: {ready: true, serving: true, terminating: false}
  hostname: web-0
  nodeName: node-1
  zone: zone-a
  targetRef: {kind: Pod, namespace: default, name: web-7d9c6b8f5-x2k4p, uid: 3f1c2a9e}
  hints: {forZones: [{name: zone-a}]}
- addresses: [10.244.2.9]
  conditions: {ready: false}
"""

EVENT = """
apiVersion: v1
kind: Event
metadata:
  name: web-7d9c6b8f5-x2k4p.17c9a0b1d2e3f4a5
  namespace: default
involvedObject:
  apiVersion: v1
  kind: Pod
  name: web-7d9c6b8f5-x2k4p
  namespace: default
  uid: 3f1c2a9e-8d6b-4c1f-9a3e-1b2c3d4e5f60
  resourceVersion: "48200"
  fieldPath: spec.containers{web}
reason: Pulled
message: Successfully pulled image "registry.example.com/web:1.2.3" in 1.2s
source: {component: kubelet, host: node-1}
firstTimestamp: "2024-05-01T10:00:08Z"
lastTimestamp: "2024-05-01T10:00:08Z"
count: 1
type: Normal
eventTime: null
reportingComponent: kubelet
reportingInstance: node-1
"""

EVENT_SERIES = """
apiVersion: v1
kind: Event
metadata: {name: probe.1, namespace: default}
involvedObject: {kind: Pod, name: web, namespace: default}
reason: Unhealthy
message: "Readiness probe failed: HTTP probe failed with statuscode: 503"
type: Warning
action: Probing
eventTime: "2024-05-01T10:00:08.123456Z"
series: {count: 12, lastObservedTime: "2024-05-01T10:10:08.123456Z"}
related: {kind: Node, name: node-1}
reportingComponent: kubelet
reportingInstance: node-1
firstTimestamp: null
lastTimestamp: null
"""

LEASE = """
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: kube-controller-manager, namespace: kube-system}
spec:
  holderIdentity: cp-1_6a4f0c2e
  leaseDurationSeconds: 15
  acquireTime: "2024-05-01T09:00:00.000000Z"
  renewTime: "2024-05-01T10:05:01.123456Z"
  leaseTransitions: 2
"""

EXTRA_OBJECTS = {
    "deployment-with-status": """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, generation: 4}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
  minReadySeconds: 0
  revisionHistoryLimit: 10
  progressDeadlineSeconds: 600
  paused: false
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, resources: {}}]
status:
  observedGeneration: 4
  replicas: 3
  updatedReplicas: 3
  readyReplicas: 3
  availableReplicas: 3
  unavailableReplicas: null
  collisionCount: 0
  conditions:
  - type: Available
    status: "True"
    lastUpdateTime: "2024-05-01T10:00:20Z"
    lastTransitionTime: "2024-05-01T10:00:20Z"
    reason: MinimumReplicasAvailable
    message: Deployment has minimum availability.
""",
    "replicaset": """
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-7d9c6b8f5
  annotations: {deployment.kubernetes.io/revision: "1"}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]
spec:
  replicas: 3
  selector: {matchLabels: {app: web, pod-template-hash: 7d9c6b8f5}}
  template:
    metadata: {labels: {app: web, pod-template-hash: 7d9c6b8f5}}
    spec: {containers: [{name: web, image: nginx}]}
status: {replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1}
""",
    "job-with-status": """
apiVersion: batch/v1
kind: Job
metadata: {name: indexed}
spec:
  completions: 5
  parallelism: 2
  completionMode: Indexed
  backoffLimitPerIndex: 1
  maxFailedIndexes: 2
  podReplacementPolicy: Failed
  ttlSecondsAfterFinished: 100
  suspend: false
  managedBy: kubernetes.io/job-controller
  podFailurePolicy:
    rules:
    - action: FailIndex
      onExitCodes: {containerName: main, operator: In, values: [42]}
    - action: Ignore
      onPodConditions: [{type: DisruptionTarget, status: "True"}]
  successPolicy:
    rules: [{succeededIndexes: "0-2", succeededCount: 2}]
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox}]
status:
  startTime: "2024-05-01T10:00:00Z"
  active: 2
  succeeded: 2
  failed: 1
  terminating: 0
  ready: 2
  completedIndexes: "0,2"
  failedIndexes: "3"
  uncountedTerminatedPods: {succeeded: [uid-a], failed: []}
  conditions:
  - {type: FailureTarget, status: "False", lastProbeTime: "2024-05-01T10:00:00Z", lastTransitionTime: "2024-05-01T10:00:00Z"}
""",
    "cronjob-with-status": """
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  timeZone: Etc/UTC
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 300
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 1
  suspend: false
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: backup, image: "backup:1"}]
status:
  active: [{apiVersion: batch/v1, kind: Job, name: nightly-28577820, namespace: default, uid: j1}]
  lastScheduleTime: "2024-05-01T03:00:00Z"
  lastSuccessfulTime: "2024-04-30T03:05:00Z"
""",
    "service-with-status": """
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {name: https, port: 443, targetPort: https, protocol: TCP, nodePort: 30443, appProtocol: https}
  clusterIP: 10.96.0.10
  clusterIPs: [10.96.0.10]
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  externalTrafficPolicy: Local
  internalTrafficPolicy: Cluster
  healthCheckNodePort: 32000
  allocateLoadBalancerNodePorts: true
  loadBalancerSourceRanges: [10.0.0.0/8]
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 10800}}
  trafficDistribution: PreferClose
status:
  loadBalancer:
    ingress:
    - ip: 203.0.113.10
      ipMode: VIP
      ports: [{port: 443, protocol: TCP, error: null}]
  conditions:
  - type: LoadBalancerReady
    status: "True"
    observedGeneration: 1
    lastTransitionTime: "2024-05-01T10:00:00Z"
    reason: Provisioned
    message: ok
""",
    "endpoints": """
apiVersion: v1
kind: Endpoints
metadata: {name: web}
subsets:
- addresses:
  - ip: 10.244.1.7
    nodeName: node-1
    targetRef: {kind: Pod, name: web-1, namespace: default}
  notReadyAddresses: [{ip: 10.244.2.9}]
  ports: [{name: http, port: 8080, protocol: TCP}]
""",
    "namespace-terminating": """
apiVersion: v1
kind: Namespace
metadata: {name: old, deletionTimestamp: "2024-05-01T10:00:00Z"}
spec: {finalizers: [kubernetes]}
status:
  phase: Terminating
  conditions:
  - {type: NamespaceDeletionContentFailure, status: "False", lastTransitionTime: "2024-05-01T10:00:01Z", reason: ContentDeleted}
""",
    "replicationcontroller": """
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: app, image: nginx}]}
status: {replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2, observedGeneration: 1}
""",
    "controllerrevision": """
apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: db-5c7d8, ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: s1}]}
revision: 2
data:
  spec:
    template:
      $patch: replace
      spec: {containers: [{name: postgres, image: "postgres:16"}]}
""",
    "storageclass": """
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: ebs.csi.aws.com
parameters: {type: gp3, iops: "3000"}
reclaimPolicy: Delete
allowVolumeExpansion: true
volumeBindingMode: WaitForFirstConsumer
mountOptions: [debug]
allowedTopologies:
- matchLabelExpressions: [{key: topology.ebs.csi.aws.com/zone, values: [us-east-1a]}]
""",
    "clusterrole-aggregated-with-rules": """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}}]
rules: null
""",
    "secret-with-stringdata": """
apiVersion: v1
kind: Secret
metadata: {name: tls}
type: kubernetes.io/tls
immutable: true
data: {tls.crt: LS0tLS1CRUdJTg==, tls.key: LS0tLS1CRUdJTg==}
stringData: {extra: plain}
""",
    "configmap-binary": """
apiVersion: v1
kind: ConfigMap
metadata: {name: bin}
data: {a: "1"}
binaryData: {blob: AAEC}
immutable: false
""",
    "serviceaccount-full": """
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot}
secrets: [{name: robot-token}]
imagePullSecrets: [{name: regcred}]
automountServiceAccountToken: false
""",
}


@pytest.mark.parametrize(
    "text",
    [RUNNING_POD, NODE, STATEFULSET, DAEMONSET, PERSISTENT_VOLUME, PERSISTENT_VOLUME_CSI,
     PERSISTENT_VOLUME_CLAIM, ENDPOINT_SLICE, EVENT, EVENT_SERIES, LEASE],
    ids=["pod", "node", "statefulset", "daemonset", "pv", "pv-csi", "pvc", "endpointslice", "event",
         "event-series", "lease"],
)
def test_realistic_object_validates(text):
    assert_valid(load(text))


@pytest.mark.parametrize("name", sorted(EXTRA_OBJECTS))
def test_more_realistic_objects_validate(name):
    assert_valid(load(EXTRA_OBJECTS[name]))


# ---------------------------------------------------------------------------
# rejections
# ---------------------------------------------------------------------------

BASE_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: 80}]
        env: [{name: A, value: b}]
        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {}}]
"""


@pytest.fixture
def deployment():
    obj = load(BASE_DEPLOYMENT)
    assert_valid(obj)
    return obj


def _container(d):
    return d["spec"]["template"]["spec"]["containers"][0]


def test_rejects_unknown_spec_field(deployment):
    deployment["spec"]["replicaz"] = 3
    assert_rejected(deployment, ["spec"], "additionalProperties", "replicaz")


def test_rejects_unknown_top_level_and_nested_fields(deployment):
    d = copy.deepcopy(deployment)
    d["specs"] = {}
    assert_rejected(d, [], "additionalProperties", "specs")
    d = copy.deepcopy(deployment)
    _container(d)["imagePullPolicyy"] = "Always"
    assert_rejected(d, ["spec", "template", "spec", "containers", 0], "additionalProperties", "imagePullPolicyy")
    d = copy.deepcopy(deployment)
    d["metadata"]["label"] = {"a": "b"}
    assert_rejected(d, ["metadata"], "additionalProperties", "label")


def test_rejects_string_replicas(deployment):
    deployment["spec"]["replicas"] = "three"
    assert_rejected(deployment, ["spec", "replicas"], "type")


def test_rejects_replicas_above_int32(deployment):
    deployment["spec"]["replicas"] = 3_000_000_000
    assert_rejected(deployment, ["spec", "replicas"], "maximum")


def test_accepts_int32_bounds_and_int64_beyond(deployment):
    deployment["spec"]["replicas"] = INT32_MAX
    deployment["metadata"]["generation"] = 2**40
    assert_valid(deployment)


def test_rejects_deployment_without_selector(deployment):
    del deployment["spec"]["selector"]
    assert_rejected(deployment, ["spec"], "required", "'selector'")


def test_rejects_deployment_without_template_or_spec(deployment):
    d = copy.deepcopy(deployment)
    del d["spec"]["template"]
    assert_rejected(d, ["spec"], "required", "'template'")
    d = copy.deepcopy(deployment)
    del d["spec"]
    assert_rejected(d, [], "required", "'spec'")
    d = copy.deepcopy(deployment)
    d["spec"] = None
    assert_rejected(d, ["spec"], "type")


def test_rejects_container_without_image(deployment):
    del _container(deployment)["image"]
    assert_rejected(deployment, ["spec", "template", "spec", "containers", 0], "required", "'image'")


def test_rejects_container_without_name(deployment):
    del _container(deployment)["name"]
    assert_rejected(deployment, ["spec", "template", "spec", "containers", 0], "required", "'name'")


def test_rejects_null_container_and_empty_image_type(deployment):
    d = copy.deepcopy(deployment)
    d["spec"]["template"]["spec"]["containers"].append(None)
    assert_rejected(d, ["spec", "template", "spec", "containers", 1], "type")
    d = copy.deepcopy(deployment)
    _container(d)["image"] = None
    assert_rejected(d, ["spec", "template", "spec", "containers", 0, "image"], "type")


def test_rejects_non_string_label_value(deployment):
    deployment["metadata"]["labels"]["app"] = ["web"]
    assert_rejected(deployment, ["metadata", "labels", "app"], "type")


def test_rejects_bad_nested_required_fields(deployment):
    cases = [
        (lambda d: _container(d)["ports"][0].pop("containerPort"),
         ["spec", "template", "spec", "containers", 0, "ports", 0], "'containerPort'"),
        (lambda d: _container(d)["env"][0].pop("name"),
         ["spec", "template", "spec", "containers", 0, "env", 0], "'name'"),
        (lambda d: _container(d)["volumeMounts"][0].pop("mountPath"),
         ["spec", "template", "spec", "containers", 0, "volumeMounts", 0], "'mountPath'"),
        (lambda d: d["spec"]["template"]["spec"]["volumes"][0].pop("name"),
         ["spec", "template", "spec", "volumes", 0], "'name'"),
        (lambda d: d["spec"]["template"]["spec"].pop("containers"),
         ["spec", "template", "spec"], "'containers'"),
    ]
    for mutate, path, fragment in cases:
        d = copy.deepcopy(deployment)
        mutate(d)
        assert_rejected(d, path, "required", fragment)


def test_rejects_wrong_api_version_and_kind(deployment):
    d = copy.deepcopy(deployment)
    d["apiVersion"] = "extensions/v1beta1"
    assert_rejected(d, ["apiVersion"], "const")
    d = copy.deepcopy(deployment)
    errs = list(validator_for("Deployment").iter_errors({**d, "kind": "Deployments"}))
    assert any(list(e.absolute_path) == ["kind"] and e.validator == "const" for e in errs)


def test_null_is_accepted_for_optional_fields(deployment):
    deployment["spec"]["strategy"] = None
    deployment["spec"]["minReadySeconds"] = None
    deployment["status"] = None
    deployment["metadata"]["annotations"] = None
    deployment["metadata"]["creationTimestamp"] = None
    _container(deployment)["resources"] = None
    _container(deployment)["command"] = None
    assert_valid(deployment)


def test_quantity_and_int_or_string_typing(deployment):
    c = _container(deployment)
    c["resources"] = {"requests": {"cpu": 0.5, "memory": "64Mi"}, "limits": {"cpu": 2}}
    c["livenessProbe"] = {"httpGet": {"port": "http"}}
    c["readinessProbe"] = {"tcpSocket": {"port": 8080}}
    deployment["spec"]["strategy"] = {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}}
    assert_valid(deployment)

    d = copy.deepcopy(deployment)
    _container(d)["resources"]["limits"]["memory"] = ["1Gi"]
    assert_rejected(d, ["spec", "template", "spec", "containers", 0, "resources", "limits", "memory"], "type")
    d = copy.deepcopy(deployment)
    d["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = 1.5
    assert_rejected(d, ["spec", "strategy", "rollingUpdate", "maxSurge"], "type")
    d = copy.deepcopy(deployment)
    _container(d)["livenessProbe"]["httpGet"]["port"] = None
    assert_rejected(d, ["spec", "template", "spec", "containers", 0, "livenessProbe", "httpGet", "port"], "type")


def test_rejects_bad_rbac_objects():
    rb = load("""
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: User, name: alice}]
""")
    assert_valid(rb)
    d = copy.deepcopy(rb)
    del d["roleRef"]
    assert_rejected(d, [], "required", "'roleRef'")
    d = copy.deepcopy(rb)
    del d["roleRef"]["apiGroup"]
    assert_rejected(d, ["roleRef"], "required", "'apiGroup'")
    d = copy.deepcopy(rb)
    del d["subjects"][0]["kind"]
    assert_rejected(d, ["subjects", 0], "required", "'kind'")

    crb = {**copy.deepcopy(rb), "kind": "ClusterRoleBinding"}
    del crb["roleRef"]["name"]
    assert_rejected(crb, ["roleRef"], "required", "'name'")

    role = load("""
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules: [{apiGroups: [""], resources: [pods]}]
""")
    assert_rejected(role, ["rules", 0], "required", "'verbs'")


def test_rejects_other_kind_specific_requirements():
    svc = load("""
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {ports: [{targetPort: 8080}]}
""")
    assert_rejected(svc, ["spec", "ports", 0], "required", "'port'")

    cj = load("""
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: b}]}}}}
""")
    assert_rejected(cj, ["spec"], "required", "'schedule'")

    job = load("""
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec: {backoffLimit: 2}
""")
    assert_rejected(job, ["spec"], "required", "'template'")

    pod = load("""
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: a, image: b}], tolerations: [{}]}
""")
    assert_valid(pod)  # a toleration has no required fields
    pod["spec"]["containers"] = []
    assert_valid(pod)  # emptiness is a semantic check, not a schema one
    del pod["spec"]["containers"]
    assert_rejected(pod, ["spec"], "required", "'containers'")

    es = load(ENDPOINT_SLICE)
    del es["addressType"]
    assert_rejected(es, [], "required", "'addressType'")
    es = load(ENDPOINT_SLICE)
    del es["endpoints"][0]["addresses"]
    assert_rejected(es, ["endpoints", 0], "required", "'addresses'")

    ev = load(EVENT)
    del ev["involvedObject"]
    assert_rejected(ev, [], "required", "'involvedObject'")

    sts = load(STATEFULSET)
    del sts["spec"]["serviceName"]
    assert_valid(sts)  # required by the definitions only because Go writes it; defaulted to ""
    sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requestz"] = {}
    assert_rejected(sts, ["spec", "volumeClaimTemplates", 0, "spec", "resources"], "additionalProperties")

    secret = load(EXTRA_OBJECTS["secret-with-stringdata"])
    secret["data"]["n"] = 5
    assert_rejected(secret, ["data", "n"], "type")

    lease = load(LEASE)
    lease["spec"] = {}
    assert_valid(lease)
    lease["spec"]["leaseDurationSeconds"] = "15"
    assert_rejected(lease, ["spec", "leaseDurationSeconds"], "type")

    node = load(NODE)
    node["status"]["daemonEndpoints"]["kubeletEndpoint"] = {"port": 10250}
    assert_rejected(node, ["status", "daemonEndpoints", "kubeletEndpoint"], "additionalProperties")
