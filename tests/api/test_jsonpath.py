"""kubectl's JSONPath templates, as -o jsonpath, custom-columns, --sort-by and wait use them."""
from __future__ import annotations

import pytest

from kubelite.api.jsonpath import JSONPathError, evaluate

POD = {
    "kind": "Pod",
    "metadata": {"name": "web-0", "labels": {"app": "web", "app.kubernetes.io/name": "web"}},
    "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]},
                            {"name": "log", "image": "fluentd"}]},
    "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}, {"type": "Initialized", "status": "True"},
                                                  {"type": "PodScheduled", "status": "False"}]},
}
LIST = {"kind": "List", "items": [
    {"metadata": {"name": "a"}, "spec": {"replicas": 1}},
    {"metadata": {"name": "b"}, "spec": {"replicas": 3}},
    {"metadata": {"name": "c"}, "spec": {}},
]}


@pytest.mark.parametrize("template, expected", [
    ("{.metadata.name}", "web-0"),
    (".metadata.name", "web-0"),
    ("metadata.name", "web-0"),
    ("{$.metadata.name}", "web-0"),
    ("{.status.phase}", "Running"),
    ("{.spec.containers[0].image}", "nginx"),
    ("{.spec.containers[-1].name}", "log"),
    ("{.spec.containers[*].name}", "web log"),
    ("{.spec.containers[0:1].name}", "web"),
    ("{.spec.containers[0,1].image}", "nginx fluentd"),
    ("{.spec.containers[*].ports[*].containerPort}", "80"),
    ('{.status.conditions[?(@.type=="Ready")].status}', "True"),
    ("{.status.conditions[?(@.status!='True')].type}", "PodScheduled"),
    ("{.metadata.labels.app\\.kubernetes\\.io/name}", "web"),
    ("{.metadata.labels['app.kubernetes.io/name']}", "web"),
    ("{..image}", "nginx fluentd"),
    ("{.metadata.missing}", ""),
    ("{.metadata.labels}", '{"app":"web","app.kubernetes.io/name":"web"}'),
    ("name={.metadata.name} phase={.status.phase}", "name=web-0 phase=Running"),
    ('{.metadata.name}{"\\n"}', "web-0\n"),
    ('{"\\t"}{.kind}', "\tPod"),
    ("{range .spec.containers[*]}{.name}:{.image},{end}", "web:nginx,log:fluentd,"),
])
def test_templates_render_as_kubectl_does(template, expected):
    assert evaluate(template, POD) == expected


def test_range_over_a_list_prints_each_item():
    assert evaluate('{range .items[*]}{.metadata.name}={.spec.replicas}{"\\n"}{end}', LIST) == "a=1\nb=3\nc=\n"


def test_filters_compare_numbers():
    assert evaluate("{.items[?(@.spec.replicas>1)].metadata.name}", LIST) == "b"
    assert evaluate("{.items[?(@.spec.replicas)].metadata.name}", LIST) == "a b"


def test_nested_ranges_end_in_the_right_place():
    data = {"items": [{"n": "x", "c": [1, 2]}, {"n": "y", "c": [3]}]}
    assert evaluate("{range .items[*]}{.n}[{range .c[*]}{@}{end}]{end}", data) == "x[12]y[3]"


def test_an_out_of_range_index_is_an_error():
    with pytest.raises(JSONPathError):
        evaluate("{.spec.containers[5].name}", POD)


def test_a_missing_field_is_an_error_when_missing_is_not_allowed():
    with pytest.raises(JSONPathError):
        evaluate("{.metadata.nope}", POD, allow_missing=False)


@pytest.mark.parametrize("bad", ["{.metadata.name", "{end}", "{.items[?(@.x ~ 1)]}"])
def test_malformed_templates_are_errors(bad):
    with pytest.raises(JSONPathError):
        evaluate(bad, LIST)


def test_at_is_the_current_object():
    assert evaluate("{range .items[*]}{@.metadata.name}{end}", LIST) == "abc"
    assert evaluate("{.status.phase}", POD) == evaluate("{@.status.phase}", POD)
