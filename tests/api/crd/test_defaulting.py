"""Defaulting of custom objects, as the docs' "Defaulting" section describes it."""
from kubelite.api.crd import defaulting

# The docs' example: cronSpec, image and replicas defaulted.
SCHEMA = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "cronSpec": {"type": "string", "pattern": r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$", "default": "5 0 * * *"},
    "image": {"type": "string"},
    "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
}}}}


def test_docs_missing_fields_take_their_defaults():
    obj = {"spec": {"image": "my-awesome-cron-image"}}
    defaulting.apply(obj, SCHEMA)
    assert obj == {"spec": {"cronSpec": "5 0 * * *", "image": "my-awesome-cron-image", "replicas": 1}}


def test_given_values_are_kept():
    obj = {"spec": {"cronSpec": "* * * * */5", "replicas": 3}}
    defaulting.apply(obj, SCHEMA)
    assert obj["spec"] == {"cronSpec": "* * * * */5", "replicas": 3}


def test_defaults_apply_only_where_the_parent_exists_and_then_recurse():
    schema = {"type": "object", "properties": {"spec": {"type": "object", "default": {}, "properties": {
        "a": {"type": "object", "default": {}, "properties": {"b": {"type": "integer", "default": 7}}}}}}}
    obj = {}
    defaulting.apply(obj, schema)
    assert obj == {"spec": {"a": {"b": 7}}}


def test_docs_null_values_are_pruned_or_defaulted():
    # "Defaulting and Nullable": null for a non-nullable field without default is dropped,
    # null for a non-nullable field with a default is defaulted, nullable nulls stay.
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "foo": {"type": "string", "nullable": False, "default": "default"},
        "bar": {"type": "string", "nullable": True},
        "baz": {"type": "string"}}}}}
    obj = {"spec": {"foo": None, "bar": None, "baz": None}}
    defaulting.apply(obj, schema)
    assert obj == {"spec": {"foo": "default", "bar": None}}


def test_defaults_are_copies_not_shared():
    schema = {"type": "object", "properties": {"l": {"type": "array", "items": {"type": "string"}, "default": ["a"]}}}
    one, two = {}, {}
    defaulting.apply(one, schema)
    defaulting.apply(two, schema)
    one["l"].append("b")
    assert two == {"l": ["a"]} and schema["properties"]["l"]["default"] == ["a"]
