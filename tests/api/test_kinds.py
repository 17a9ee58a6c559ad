"""The kinds registry: every stored GA kind of Kubernetes 1.32, named as upstream names it."""
from __future__ import annotations

import json

import pytest

from kubelite.api import kinds, versions
from kubelite.api.schema import schema_dir
from kubelite.errors import UsageError

# kubectl api-resources of a 1.32 cluster, for the kinds issue 14 added:
# kind -> (resource, short names, apiVersion, namespaced, categories).
UPSTREAM = {
    "LimitRange": ("limitranges", ("limits",), "v1", True, ()),
    "ResourceQuota": ("resourcequotas", ("quota",), "v1", True, ()),
    "PodTemplate": ("podtemplates", (), "v1", True, ()),
    "HorizontalPodAutoscaler": ("horizontalpodautoscalers", ("hpa",), "autoscaling/v2", True, ("all",)),
    "CSIDriver": ("csidrivers", (), "storage.k8s.io/v1", False, ()),
    "CSINode": ("csinodes", (), "storage.k8s.io/v1", False, ()),
    "CSIStorageCapacity": ("csistoragecapacities", (), "storage.k8s.io/v1", True, ()),
    "VolumeAttachment": ("volumeattachments", (), "storage.k8s.io/v1", False, ()),
    "Ingress": ("ingresses", ("ing",), "networking.k8s.io/v1", True, ()),
    "IngressClass": ("ingressclasses", (), "networking.k8s.io/v1", False, ()),
    "NetworkPolicy": ("networkpolicies", ("netpol",), "networking.k8s.io/v1", True, ()),
    "PodDisruptionBudget": ("poddisruptionbudgets", ("pdb",), "policy/v1", True, ()),
    "PriorityClass": ("priorityclasses", ("pc",), "scheduling.k8s.io/v1", False, ()),
    "RuntimeClass": ("runtimeclasses", (), "node.k8s.io/v1", False, ()),
    "CertificateSigningRequest": ("certificatesigningrequests", ("csr",), "certificates.k8s.io/v1", False, ()),
    "FlowSchema": ("flowschemas", (), "flowcontrol.apiserver.k8s.io/v1", False, ()),
    "PriorityLevelConfiguration": ("prioritylevelconfigurations", (), "flowcontrol.apiserver.k8s.io/v1", False, ()),
    "MutatingWebhookConfiguration": ("mutatingwebhookconfigurations", (), "admissionregistration.k8s.io/v1", False,
                                     ("api-extensions",)),
    "ValidatingWebhookConfiguration": ("validatingwebhookconfigurations", (), "admissionregistration.k8s.io/v1", False,
                                       ("api-extensions",)),
    "ValidatingAdmissionPolicy": ("validatingadmissionpolicies", (), "admissionregistration.k8s.io/v1", False,
                                  ("api-extensions",)),
    "ValidatingAdmissionPolicyBinding": ("validatingadmissionpolicybindings", (), "admissionregistration.k8s.io/v1",
                                         False, ("api-extensions",)),
    "CustomResourceDefinition": ("customresourcedefinitions", ("crd", "crds"), "apiextensions.k8s.io/v1", False,
                                 ("api-extensions",)),
    "APIService": ("apiservices", (), "apiregistration.k8s.io/v1", False, ("api-extensions",)),
}


@pytest.mark.parametrize("name", sorted(UPSTREAM))
def test_a_new_kind_is_registered_as_upstream_serves_it(name):
    plural, short, api_version, namespaced, categories = UPSTREAM[name]
    k = kinds.by_kind(name)
    assert (k.plural, k.short_names, k.api_version, k.namespaced, k.categories) == (
        plural, short, api_version, namespaced, categories)
    assert k.singular == name.lower()
    for word in (plural, k.singular, *short, f"{plural}.{k.group}" if k.group else plural):
        assert kinds.resolve(word) is k


def test_every_schema_file_is_a_registered_kind_and_back():
    files = {p.stem for p in schema_dir().glob("*.json")}
    stored = {p for p in files if "." not in p}
    assert stored == {k.kind.lower() for k in kinds.KINDS}
    others = {p for p in files if "." in p}
    assert others == {v.schema.lower() for v in versions.OTHER_VERSIONS.values()}


def test_every_kind_has_its_schemas_group_version():
    for k in kinds.KINDS:
        gvk = json.loads((schema_dir() / f"{k.kind.lower()}.json").read_text())["x-kubernetes-group-version-kind"]
        assert (gvk["group"], gvk["version"], gvk["kind"]) == (k.group, k.version, k.kind)


def test_request_only_kinds_are_not_stored():
    for name in ("TokenReview", "SubjectAccessReview", "SelfSubjectAccessReview", "LocalSubjectAccessReview",
                 "SelfSubjectRulesReview", "SelfSubjectReview", "Eviction", "Binding", "Scale", "TokenRequest",
                 "ComponentStatus"):
        with pytest.raises(UsageError):
            kinds.by_kind(name)


def test_names_are_unambiguous_across_kinds():
    owners: dict[str, str] = {}
    for k in kinds.KINDS:
        for n in {k.plural, k.singular, *k.short_names}:
            assert owners.setdefault(n, k.kind) == k.kind, f"{n} names both {owners[n]} and {k.kind}"


def test_get_all_includes_horizontal_pod_autoscalers():
    assert [k.kind for k in kinds.all_category()] == [
        "Pod", "ReplicationController", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet",
        "HorizontalPodAutoscaler", "Job", "CronJob"]
    assert {k.kind for k in kinds.all_category()} == {k.kind for k in kinds.KINDS if "all" in k.categories}
