"""Validation of CustomResourceDefinitions themselves, with upstream's messages."""
import copy

import pytest

from kubelite.api.crd import definition

# The docs' first CRD.
CRONTAB_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.stable.example.com"},
    "spec": {
        "group": "stable.example.com",
        "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
            "type": "object", "properties": {"spec": {"type": "object", "properties": {
                "cronSpec": {"type": "string"}, "image": {"type": "string"}, "replicas": {"type": "integer"}}}}}}}],
        "scope": "Namespaced",
        "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
    },
}


def errors(crd):
    crd = copy.deepcopy(crd)
    definition.apply_defaults(crd)
    return [str(e) for e in definition.validate(crd)]


def changed(path, value):
    crd = copy.deepcopy(CRONTAB_CRD)
    node = crd
    for p in path[:-1]:
        node = node[p]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return crd


def test_docs_crontab_crd_is_accepted_and_defaulted():
    crd = copy.deepcopy(CRONTAB_CRD)
    definition.apply_defaults(crd)
    assert definition.validate(crd) == []
    assert crd["spec"]["names"]["listKind"] == "CronTabList"
    assert crd["spec"]["conversion"] == {"strategy": "None"}


@pytest.mark.parametrize("path, value, expected", [
    (("metadata", "name"), "crontab.stable.example.com",
     'metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group'),
    (("spec", "scope"), "Global", 'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'),
    (("spec", "versions", 0, "storage"), False,
     'spec.versions: Invalid value: ["v1"]: must have exactly one version marked as storage version'),
    (("spec", "versions", 0, "schema"), None, "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"),
    (("spec", "names", "kind"), "Cron_Tab", 'spec.names.kind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: '
     "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, "
     "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"),
    (("spec", "versions", 0, "schema", "openAPIV3Schema", "properties", "spec", "properties", "image"), {"pattern": "x"},
     "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[image].type: Required value: "
     "must not be empty for specified object fields"),
    (("spec", "versions", 0, "schema", "openAPIV3Schema", "properties", "spec", "properties", "replicas"),
     {"type": "integer", "default": "one"},
     'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default: Invalid value: "string": '
     'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default in body must be of type integer: "string"'),
    (("spec", "versions", 0, "schema", "openAPIV3Schema", "properties", "spec", "x-kubernetes-validations"),
     [{"rule": "self.replicas <="}],
     "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: "
     "Invalid value: \"self.replicas <=\": compilation failed: ERROR: <input>:1:17: Syntax error: mismatched input '<EOF>' "
     "expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"),
    (("spec", "versions", 0, "additionalPrinterColumns"), [{"name": "Spec", "type": "text", "jsonPath": ".spec.cronSpec"}],
     'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string'),
    (("spec", "versions", 0, "subresources"), {"scale": {"specReplicasPath": ".status.replicas", "statusReplicasPath": ".status.replicas"}},
     'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec'),
])
def test_invalid_crds_are_refused_with_upstreams_message(path, value, expected):
    assert errors(changed(path, value))[0] == expected


def test_webhook_conversion_is_refused_and_says_why():
    crd = changed(("spec", "conversion"), {"strategy": "Webhook", "webhook": {"conversionReviewVersions": ["v1"],
                                                                             "clientConfig": {"url": "https://x"}}})
    errs = errors(crd)
    assert len(errs) == 1
    assert errs[0].startswith('spec.conversion.strategy: Unsupported value: "Webhook": webhook conversion is not supported by kubelite')


def test_two_versions_one_storage_are_accepted_and_viewed():
    crd = copy.deepcopy(CRONTAB_CRD)
    v2 = copy.deepcopy(crd["spec"]["versions"][0])
    crd["spec"]["versions"][0].update(storage=False, deprecated=True, deprecationWarning="use v2")
    v2["name"] = "v2"
    crd["spec"]["versions"].append(v2)
    assert errors(crd) == []
    assert definition.storage_version(crd) == "v2"
    assert definition.served_versions(crd) == ["v1", "v2"]


def test_scope_and_kind_become_immutable_once_established():
    old = copy.deepcopy(CRONTAB_CRD)
    old["status"] = {"conditions": [{"type": "Established", "status": "True"}]}
    new = changed(("spec", "scope"), "Cluster")
    assert [str(e) for e in definition.update_errors(new, old)] == ['spec.scope: Invalid value: "Cluster": field is immutable']
    old["status"] = {}
    assert definition.update_errors(new, old) == []
