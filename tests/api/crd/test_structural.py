"""The structural-schema check, table-tested against upstream's documented examples
(kubernetes.io, "Extend the Kubernetes API with CustomResourceDefinitions")."""
import pytest

from kubelite.api.crd import structural

# "Non-structural example 3" of the docs, with the six violations it lists.
DOCS_EXAMPLE_3 = {
    "properties": {
        "foo": {"pattern": "abc"},
        "metadata": {"type": "object", "properties": {
            "name": {"type": "string", "pattern": "^a"},
            "finalizers": {"type": "array", "items": {"type": "string", "pattern": "my-finalizer"}},
        }},
    },
    "anyOf": [{"properties": {"bar": {"type": "integer", "minimum": 42}}, "required": ["bar"],
               "description": "foo bar object"}],
}

# The docs' structural counterpart of example 3.
DOCS_STRUCTURAL = {
    "type": "object", "description": "foo bar object",
    "properties": {
        "foo": {"type": "string", "pattern": "abc"},
        "bar": {"type": "integer"},
        "metadata": {"type": "object", "properties": {"name": {"type": "string", "pattern": "^a"}}},
    },
    "anyOf": [{"properties": {"bar": {"minimum": 42}}, "required": ["bar"]}],
}


def errors(schema):
    return [str(e) for e in structural.structural_errors(schema, "s")]


def test_docs_example_3_reports_each_violation_the_docs_list():
    assert errors(DOCS_EXAMPLE_3) == [
        "s.anyOf[0].description: Forbidden: must be empty to be structural",
        "s.anyOf[0].properties[bar].type: Forbidden: must be empty to be structural",
        "s.properties[bar]: Required value: because it is defined in s.anyOf[0].properties[bar]",
        "s.properties[foo].type: Required value: must not be empty for specified object fields",
        "s.properties[metadata]: Forbidden: must not specify anything other than name and generateName, "
        "but metadata is implicitly specified",
        "s.type: Required value: must not be empty at the root",
    ]


def test_docs_structural_counterpart_is_accepted():
    assert errors(DOCS_STRUCTURAL) == []


@pytest.mark.parametrize("schema, expected", [
    # docs, "Non-structural example 1": a field only inside allOf
    ({"type": "object", "allOf": [{"properties": {"foo": {"minimum": 1}}}]},
     ["s.properties[foo]: Required value: because it is defined in s.allOf[0].properties[foo]"]),
    # docs, "Non-structural example 2": items only inside allOf
    ({"type": "object", "allOf": [{"items": {"properties": {"foo": {"minimum": 1}}}}]},
     ["s.items: Required value: because it is defined in s.allOf[0].items"]),
    ({"type": "object", "properties": {"a": {"type": "array"}}},
     ["s.properties[a].items: Required value: must be specified"]),
    ({"type": "object", "properties": {"a": {"type": "array", "items": {}}}},
     ["s.properties[a].items.type: Required value: must not be empty for specified array items"]),
    ({"type": "string"}, ['s.type: Invalid value: "string": must be object at the root']),
    ({"type": "object", "additionalProperties": {"type": "string"}},
     ["s.additionalProperties: Forbidden: must not be used at the root"]),
    ({"type": "object", "properties": {"e": {"x-kubernetes-embedded-resource": True}}},
     ["s.properties[e].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true "
      "without x-kubernetes-preserve-unknown-fields",
      "s.properties[e].type: Required value: must be object if x-kubernetes-embedded-resource is true"]),
    ({"type": "object", "properties": {"i": {"x-kubernetes-int-or-string": True, "x-kubernetes-preserve-unknown-fields": True}}},
     ["s.properties[i].x-kubernetes-preserve-unknown-fields: Invalid value: true: "
      "must be false if x-kubernetes-int-or-string is true"]),
    ({"type": "object", "properties": {"p": {"type": "string", "pattern": "(unclosed"}}},
     ['s.properties[p].pattern: Invalid value: "(unclosed": must be a valid regular expression, '
      "but isn't: missing ), unterminated subpattern at position 0"]),
])
def test_schemas_that_are_not_structural_are_refused_with_upstreams_message(schema, expected):
    assert errors(schema) == expected


@pytest.mark.parametrize("schema", [
    # docs, IntOrString: the two allowed patterns and the plain extension
    {"type": "object", "properties": {"foo": {"x-kubernetes-int-or-string": True}}},
    {"type": "object", "properties": {"foo": {"x-kubernetes-int-or-string": True,
                                              "anyOf": [{"type": "integer"}, {"type": "string"}]}}},
    {"type": "object", "properties": {"foo": {"x-kubernetes-int-or-string": True,
                                              "allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]},
                                                        {"pattern": "^[0-9]+%?$"}]}}},
    # docs, RawExtension
    {"type": "object", "properties": {"foo": {"x-kubernetes-embedded-resource": True,
                                              "x-kubernetes-preserve-unknown-fields": True, "type": "object"}}},
    # docs, controlling pruning
    {"type": "object", "properties": {"json": {"x-kubernetes-preserve-unknown-fields": True}}},
])
def test_documented_structural_schemas_are_accepted(schema):
    assert errors(schema) == []


@pytest.mark.parametrize("schema, expected", [
    ({"type": "object", "properties": {"a": {"type": "string", "$ref": "#/x"}}},
     ["s.properties[a].$ref: Forbidden: $ref is not supported"]),
    ({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}}},
     ["s.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"]),
    ({"type": "object", "properties": {"m": {"type": "object", "properties": {"a": {"type": "string"}},
                                             "additionalProperties": {"type": "string"}}}},
     ["s.properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"]),
    ({"type": "object", "properties": {"l": {"type": "array", "x-kubernetes-list-type": "map",
                                             "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
     ["s.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map"]),
    ({"type": "object", "properties": {"l": {"type": "array", "x-kubernetes-list-type": "map",
                                             "x-kubernetes-list-map-keys": ["id"],
                                             "items": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
     ['s.properties[l].x-kubernetes-list-map-keys[0]: Invalid value: "id": entries must all be names of item properties']),
])
def test_openapi_features_a_crd_may_not_use_are_refused(schema, expected):
    assert [str(e) for e in structural.openapi_errors(schema, "s")] == expected
