"""Validation of custom objects by openAPIV3Schema, in upstream's wording."""
import pytest

from kubelite.api.crd import validation

# The docs' CronTab schema with validation ("Validation" section).
CRONTAB = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "cronSpec": {"type": "string", "pattern": r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$"},
    "image": {"type": "string"},
    "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
}}}}


def errors(schema, obj):
    return [str(e) for e in validation.validate(schema, obj)]


def test_docs_crontab_with_invalid_values_is_refused_for_both_fields():
    obj = {"spec": {"cronSpec": "* * * *", "image": "my-awesome-cron-image", "replicas": 15}}
    assert errors(CRONTAB, obj) == [
        r"""spec.cronSpec: Invalid value: "* * * *": spec.cronSpec in body should match '^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$'""",
        "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10",
    ]


def test_docs_crontab_with_valid_values_is_accepted():
    assert errors(CRONTAB, {"spec": {"cronSpec": "* * * * */5", "image": "my-awesome-cron-image", "replicas": 5}}) == []


def obj_schema(**props):
    return {"type": "object", "properties": props}


@pytest.mark.parametrize("prop, value, expected", [
    ({"type": "integer"}, "three", 'x: Invalid value: "string": x in body must be of type integer: "string"'),
    ({"type": "string"}, None, 'x: Invalid value: "null": x in body must be of type string: "null"'),
    ({"type": "string", "nullable": True}, None, None),
    ({"type": "string", "enum": ["a", "b"]}, "c", 'x: Unsupported value: "c": supported values: "a", "b"'),
    ({"type": "integer", "minimum": 1}, 0, "x: Invalid value: 0: x in body should be greater than or equal to 1"),
    ({"type": "integer", "minimum": 1, "exclusiveMinimum": True}, 1, "x: Invalid value: 1: x in body should be greater than 1"),
    ({"type": "string", "maxLength": 3}, "abcd", "x: Too long: may not be more than 3 bytes"),
    ({"type": "string", "minLength": 2}, "a", 'x: Invalid value: "a": x in body should be at least 2 chars long'),
    ({"type": "array", "items": {"type": "string"}, "maxItems": 1}, ["a", "b"], "x: Too many: 2: must have at most 1 items"),
    ({"type": "array", "items": {"type": "string"}, "minItems": 1}, [], "x: Invalid value: []: x in body should have at least 1 items"),
    ({"type": "string", "format": "date-time"}, "yesterday", 'x: Invalid value: "yesterday": x in body must be of type date-time: "yesterday"'),
    ({"type": "string", "format": "date-time"}, "2024-01-02T03:04:05Z", None),
    ({"type": "string", "format": "ipv4"}, "10.0.0.300", 'x: Invalid value: "10.0.0.300": x in body must be of type ipv4: "10.0.0.300"'),
    ({"x-kubernetes-int-or-string": True}, 3, None),
    ({"x-kubernetes-int-or-string": True}, "50%", None),
    ({"x-kubernetes-int-or-string": True}, 1.5, 'x: Invalid value: "number": x in body must be of type integer,string: "number"'),
    ({"type": "object", "x-kubernetes-preserve-unknown-fields": True}, {"any": {"thing": 1}}, None),
    ({"type": "object", "x-kubernetes-preserve-unknown-fields": True}, [1], 'x: Invalid value: "array": x in body must be of type object: "array"'),
])
def test_each_schema_keyword_is_enforced_with_upstreams_message(prop, value, expected):
    got = errors(obj_schema(x=prop), {"x": value})
    assert got == ([expected] if expected else [])


def test_required_fields_are_named_by_path():
    schema = obj_schema(spec={"type": "object", "required": ["image", "replicas"],
                              "properties": {"image": {"type": "string"}, "replicas": {"type": "integer"}}})
    assert errors(schema, {"spec": {}}) == ["spec.image: Required value", "spec.replicas: Required value"]


def test_list_type_set_refuses_duplicates():
    schema = obj_schema(s={"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}})
    assert errors(schema, {"s": ["a", "b", "a", "a"]}) == ['s[2]: Duplicate value: "a"']


def test_list_type_map_refuses_duplicate_keys_and_allows_distinct_ones():
    schema = obj_schema(ports={"type": "array", "x-kubernetes-list-type": "map",
                               "x-kubernetes-list-map-keys": ["port", "protocol"],
                               "items": {"type": "object", "properties": {"port": {"type": "integer"},
                                                                          "protocol": {"type": "string"}}}})
    ok = {"ports": [{"port": 80, "protocol": "TCP"}, {"port": 80, "protocol": "UDP"}]}
    bad = {"ports": [{"port": 80, "protocol": "TCP"}, {"port": 80, "protocol": "TCP"}]}
    assert errors(schema, ok) == []
    assert errors(schema, bad) == ['ports[1]: Duplicate value: {"port": 80, "protocol": "TCP"}']


def test_embedded_resources_need_apiVersion_and_kind():
    schema = obj_schema(tpl={"type": "object", "x-kubernetes-embedded-resource": True,
                             "x-kubernetes-preserve-unknown-fields": True})
    assert errors(schema, {"tpl": {"apiVersion": "v1", "kind": "Pod", "spec": {}}}) == []
    assert errors(schema, {"tpl": {"spec": {}}}) == [
        "tpl.apiVersion: Required value: must not be empty", "tpl.kind: Required value: must not be empty"]


def test_items_are_validated_by_index():
    schema = obj_schema(l={"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}}})
    assert errors(schema, {"l": [{"n": 1}, {"n": 4}]}) == ["l[1].n: Invalid value: 4: l[1].n in body should be less than or equal to 3"]
