"""Pruning of unknown fields, table-tested against the docs' examples ("Field pruning")."""
import pytest

from kubelite.api.crd import pruning

CRONTAB = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "cronSpec": {"type": "string"}, "image": {"type": "string"}, "replicas": {"type": "integer"}}}}}


def test_docs_someRandomField_is_pruned_and_metadata_kept():
    obj = {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "my-new-cron-object"},
           "spec": {"cronSpec": "* * * * */5", "image": "my-awesome-cron-image", "someRandomField": 42}}
    removed = pruning.prune(obj, CRONTAB)
    assert removed == ["spec.someRandomField"]
    assert obj == {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "my-new-cron-object"},
                   "spec": {"cronSpec": "* * * * */5", "image": "my-awesome-cron-image"}}


def test_docs_preserve_unknown_fields_keeps_everything_but_prunes_specified_properties_again():
    schema = {"type": "object", "properties": {"json": {
        "x-kubernetes-preserve-unknown-fields": True, "type": "object",
        "properties": {"spec": {"type": "object", "properties": {"foo": {"type": "string"}, "bar": {"type": "string"}}}}}}}
    obj = {"json": {"spec": {"foo": "abc", "bar": "def", "something": "x"}, "status": {"something": "x"}}}
    pruning.prune(obj, schema)
    assert obj == {"json": {"spec": {"foo": "abc", "bar": "def"}, "status": {"something": "x"}}}


@pytest.mark.parametrize("schema, obj, expected", [
    # additionalProperties keeps every key, pruning inside each value
    ({"type": "object", "properties": {"m": {"type": "object", "additionalProperties": {
        "type": "object", "properties": {"a": {"type": "integer"}}}}}},
     {"m": {"k1": {"a": 1, "b": 2}, "k2": {"a": 3}}}, {"m": {"k1": {"a": 1}, "k2": {"a": 3}}}),
    # array items
    ({"type": "object", "properties": {"l": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "integer"}}}}}},
     {"l": [{"a": 1, "z": 0}]}, {"l": [{"a": 1}]}),
    # embedded resources keep apiVersion, kind and metadata
    ({"type": "object", "properties": {"t": {"type": "object", "x-kubernetes-embedded-resource": True,
                                             "properties": {"spec": {"type": "object"}}}}},
     {"t": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}, "junk": 1}},
     {"t": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}}),
])
def test_unknown_fields_are_pruned_where_the_schema_does_not_specify_them(schema, obj, expected):
    pruning.prune(obj, schema)
    assert obj == expected
