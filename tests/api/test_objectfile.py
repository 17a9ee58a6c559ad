"""The object file checks the CLI's fast path makes, held to the API server's answers."""
from __future__ import annotations

import copy

import pytest

from kubelite import apiserver
from kubelite.api import kinds, objectfile

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default", "labels": {"a": "b"}},
       "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {"phase": "Running"}}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "spec": {}}
CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "dev"}, "data": {"a": "1"}}


def changed(obj: dict, path: str, value=None, delete: bool = False) -> dict:
    out = copy.deepcopy(obj)
    *parents, last = path.split(".")
    d = out
    for p in parents:
        d = d[p]
    if delete:
        d.pop(last, None)
    else:
        d[last] = value
    return out


CASES = [
    ("Pod", POD, "default", "web"),
    ("Pod", POD, "other", "web"),
    ("Pod", POD, "default", "api"),
    ("Pod", changed(POD, "kind", "Service"), "default", "web"),
    ("Pod", changed(POD, "apiVersion", "apps/v1"), "default", "web"),
    ("Pod", changed(POD, "apiVersion", None), "default", "web"),
    ("Pod", changed(POD, "metadata", "x"), "default", "web"),
    ("Pod", changed(POD, "metadata.namespace", None, delete=True), "default", "web"),
    ("Pod", changed(POD, "spec", None, delete=True), "default", "web"),
    ("Pod", changed(POD, "spec", None), "default", "web"),
    ("Pod", changed(POD, "spec", []), "default", "web"),
    ("Pod", changed(POD, "status", "Running"), "default", "web"),
    ("Pod", changed(POD, "metadata.labels", ["a"]), "default", "web"),
    ("Pod", changed(POD, "metadata.annotations", "x"), "default", "web"),
    ("Pod", changed(POD, "metadata.ownerReferences", {}), "default", "web"),
    ("Pod", changed(POD, "metadata.finalizers", "x"), "default", "web"),
    ("Node", NODE, None, "n1"),
    ("Node", changed(NODE, "metadata.namespace", "default"), None, "n1"),
    ("Node", NODE, None, "n2"),
    ("ConfigMap", CM, "dev", "cfg"),
    ("ConfigMap", changed(CM, "data", ["a"]), "dev", "cfg"),
    ("ConfigMap", changed(CM, "data", None, delete=True), "dev", "cfg"),
    ("Deployment", {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "x"}}, "x", "d"),
]


@pytest.mark.parametrize("kind, obj, namespace, name", CASES)
def test_file_problem_gives_the_api_servers_answer(kind, obj, namespace, name):
    k = kinds.by_kind(kind)
    assert objectfile.file_problem(k, obj, namespace, name) == apiserver.file_problem(k, obj, namespace, name)


def test_top_level_fields_and_required_ones_are_the_api_servers_for_every_kind():
    for k in kinds.KINDS:
        assert objectfile.top_level(k) == apiserver._top_level(k), k.kind


@pytest.mark.parametrize("value", [
    "web", "a.b-c", "system:controller:x", "é", "x" * 230, "x" * 231, "é" * 116, "", ".", "..", ".hidden", "a/b",
    "a\x00b", "a\nb", "a\x1bb", "\ud800", None, 5,
])
def test_key_error_gives_the_api_servers_answer(value):
    assert objectfile.key_error(value) == apiserver.key_error(value)
