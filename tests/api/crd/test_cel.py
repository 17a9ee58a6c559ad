"""CEL validation rules, table-tested against the docs' "Validation rules" examples."""
import pytest

from kubelite.api.crd import cel

REPLICAS = {"type": "object", "properties": {"spec": {
    "type": "object",
    "x-kubernetes-validations": [
        {"rule": "self.minReplicas <= self.replicas", "message": "replicas should be greater than or equal to minReplicas."},
        {"rule": "self.replicas <= self.maxReplicas", "message": "replicas should be smaller than or equal to maxReplicas."},
    ],
    "properties": {"minReplicas": {"type": "integer"}, "replicas": {"type": "integer"}, "maxReplicas": {"type": "integer"}},
    "required": ["minReplicas", "replicas", "maxReplicas"],
}}}


def errors(schema, obj, old=None):
    return [str(e) for e in cel.validate(schema, obj, old)]


def test_docs_replicas_above_max_is_refused_with_the_rules_message():
    assert errors(REPLICAS, {"spec": {"minReplicas": 0, "replicas": 20, "maxReplicas": 10}}) == [
        'spec: Invalid value: "object": replicas should be smaller than or equal to maxReplicas.']


def test_docs_rule_without_message_reports_the_rule():
    schema = {"type": "object", "properties": {"spec": dict(REPLICAS["properties"]["spec"], **{
        "x-kubernetes-validations": [{"rule": "self.replicas <= self.maxReplicas"}]})}}
    assert errors(schema, {"spec": {"minReplicas": 0, "replicas": 20, "maxReplicas": 10}}) == [
        'spec: Invalid value: "object": failed rule: self.replicas <= self.maxReplicas']


def test_objects_within_bounds_pass():
    assert errors(REPLICAS, {"spec": {"minReplicas": 1, "replicas": 2, "maxReplicas": 3}}) == []


def scalar(prop_schema, rule, **extra):
    return {"type": "object", "properties": {"x": dict(prop_schema, **{"x-kubernetes-validations": [dict(rule=rule, **extra)]})}}


@pytest.mark.parametrize("prop, rule, value, ok", [
    # the docs' table of rule examples
    ({"type": "object", "additionalProperties": {"type": "integer"}}, "'Available' in self", {"Available": 1}, True),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, "'Available' in self", {"Other": 1}, False),
    ({"type": "object", "properties": {"list1": {"type": "array", "items": {"type": "string"}},
                                       "list2": {"type": "array", "items": {"type": "string"}}}},
     "(size(self.list1) == 0) != (size(self.list2) == 0)", {"list1": ["a"], "list2": []}, True),
    ({"type": "object", "properties": {"list1": {"type": "array", "items": {"type": "string"}},
                                       "list2": {"type": "array", "items": {"type": "string"}}}},
     "(size(self.list1) == 0) != (size(self.list2) == 0)", {"list1": ["a"], "list2": ["b"]}, False),
    ({"type": "object", "additionalProperties": {"type": "string"}},
     "!('MY_KEY' in self) || self['MY_KEY'].matches('^[a-zA-Z]*$')", {"MY_KEY": "abc1"}, False),
    ({"type": "string"}, "self.startsWith('ok')", "ok-fine", True),
    ({"type": "string"}, "self.startsWith('ok')", "bad", False),
    ({"type": "array", "items": {"type": "integer"}}, "self.all(value, value >= 0 && value < 100)", [1, 99], True),
    ({"type": "array", "items": {"type": "integer"}}, "self.all(value, value >= 0 && value < 100)", [1, 100], False),
    ({"x-kubernetes-int-or-string": True}, "type(self) == string ? self == '100%' : self == 1000", "100%", True),
    ({"x-kubernetes-int-or-string": True}, "type(self) == string ? self == '100%' : self == 1000", 999, False),
    ({"type": "object", "properties": {"set1": {"type": "array", "items": {"type": "string"}},
                                       "set2": {"type": "array", "items": {"type": "string"}}}},
     "self.set1.all(e, !(e in self.set2))", {"set1": ["a"], "set2": ["a"]}, False),
    ({"type": "object", "properties": {"foo": {"type": "integer"}}}, "has(self.foo)", {}, False),
    ({"type": "object", "properties": {"foo": {"type": "integer"}}}, "has(self.foo)", {"foo": 1}, True),
])
def test_docs_rule_examples_accept_and_refuse(prop, rule, value, ok):
    assert (errors(scalar(prop, rule), {"x": value}) == []) is ok


def test_transition_rule_runs_only_on_update():
    schema = scalar({"type": "string"}, "self == oldSelf", message="Value is immutable")
    assert errors(schema, {"x": "a"}) == []
    assert errors(schema, {"x": "a"}, {"x": "a"}) == []
    assert errors(schema, {"x": "b"}, {"x": "a"}) == ['x: Invalid value: "string": Value is immutable']


def test_transition_rules_on_list_map_items_correlate_by_key():
    schema = {"type": "object", "properties": {"l": {
        "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
        "items": {"type": "object", "x-kubernetes-validations": [{"rule": "self.size >= oldSelf.size", "message": "may not shrink"}],
                  "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}}}}}
    old = {"l": [{"name": "a", "size": 5}, {"name": "b", "size": 1}]}
    assert errors(schema, {"l": [{"name": "b", "size": 2}, {"name": "a", "size": 5}, {"name": "c", "size": 0}]}, old) == []
    assert errors(schema, {"l": [{"name": "b", "size": 0}]}, old) == ['l[0]: Invalid value: "object": may not shrink']


def test_message_expression_builds_the_message():
    schema = scalar({"type": "integer"}, "self <= 10", messageExpression="'x is ' + string(self) + ', over 10'")
    assert errors(schema, {"x": 11}) == ['x: Invalid value: "integer": x is 11, over 10']


def test_reason_and_field_path_shape_the_error():
    schema = {"type": "object", "x-kubernetes-validations": [
        {"rule": "has(self.spec)", "reason": "FieldValueRequired", "fieldPath": ".spec", "message": "spec is required"}],
        "properties": {"spec": {"type": "object"}}}
    assert errors(schema, {}) == ["spec: Required value: spec is required"]


def test_property_names_are_escaped_as_upstream():
    schema = scalar({"type": "object", "properties": {"foo-bar": {"type": "integer"}}}, "self.foo__dash__bar > 0")
    assert errors(schema, {"x": {"foo-bar": 1}}) == []
    assert errors(schema, {"x": {"foo-bar": 0}}) == ['x: Invalid value: "object": failed rule: self.foo__dash__bar > 0']


def test_a_rule_failing_at_run_time_is_an_error_not_a_pass():
    schema = scalar({"type": "object", "properties": {"a": {"type": "integer"}}}, "self.a > 0")
    assert errors(schema, {"x": {}}) == ['x: Invalid value: "object": no such key: a evaluating rule: self.a > 0']


@pytest.mark.parametrize("schema, expected", [
    # the docs' three compilation failures
    (scalar({"type": "object", "properties": {"a": {"type": "integer"}}}, "self.nonExistingField > 0"),
     "compilation failed: ERROR: <input>:1:5: undefined field 'nonExistingField'"),
    (scalar({"type": "object", "properties": {"a": {"type": "integer"}}}, "has(self)"),
     "compilation failed: ERROR: <input>:1:5: has() argument must be a field selection"),
    (scalar({"type": "integer"}, "self.x <= "), "compilation failed: ERROR: <input>:1:11: Syntax error: mismatched input '<EOF>'"),
    (scalar({"type": "integer"}, "1 + 'a' == 2"), "compilation failed: ERROR: <input>:1:3: found no matching overload for '_+_' applied to '(int, string)'"),
])
def test_rules_that_do_not_compile_are_reported_for_the_crd(schema, expected):
    errs = [str(e) for e in cel.rule_errors(schema, "s")]
    assert len(errs) == 1
    assert errs[0].startswith("s.properties[x].x-kubernetes-validations[0].rule: Invalid value: ")
    assert expected in errs[0]


def test_rules_that_compile_are_not_reported():
    assert cel.rule_errors(REPLICAS, "s") == []
