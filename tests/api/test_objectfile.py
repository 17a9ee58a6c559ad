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
    ("Pod", POD, "default", "web", None),
    ("Pod", POD, "other", "web", "metadata.namespace 'default' does not match its folder 'other'"),
    ("Pod", POD, "default", "api", "metadata.name 'web' does not match its file name 'api'"),
    ("Pod", changed(POD, "kind", "Service"), "default", "web", "holds kind 'Service' of apiVersion 'v1', not v1 Pod"),
    ("Pod", changed(POD, "apiVersion", "apps/v1"), "default", "web", "holds kind 'Pod' of apiVersion 'apps/v1', not v1 Pod"),
    ("Pod", changed(POD, "apiVersion", None), "default", "web", "holds kind 'Pod' of apiVersion None, not v1 Pod"),
    ("Pod", changed(POD, "metadata", "x"), "default", "web", "metadata is not a mapping"),
    ("Pod", changed(POD, "metadata.namespace", None, delete=True), "default", "web",
     "metadata.namespace None does not match its folder 'default'"),
    ("Pod", changed(POD, "spec", None, delete=True), "default", "web", "spec is missing (a truncated file?)"),
    ("Pod", changed(POD, "spec", None), "default", "web", None),
    ("Pod", changed(POD, "spec", []), "default", "web", "spec is not a mapping"),
    ("Pod", changed(POD, "status", "Running"), "default", "web", "status is not a mapping"),
    ("Pod", changed(POD, "metadata.labels", ["a"]), "default", "web", "metadata.labels is not a mapping"),
    ("Pod", changed(POD, "metadata.annotations", "x"), "default", "web", "metadata.annotations is not a mapping"),
    ("Pod", changed(POD, "metadata.ownerReferences", {}), "default", "web", "metadata.ownerReferences is not a list"),
    ("Pod", changed(POD, "metadata.finalizers", "x"), "default", "web", "metadata.finalizers is not a list"),
    ("Node", NODE, None, "n1", None),
    ("Node", changed(NODE, "metadata.namespace", "default"), None, "n1", None),
    ("Node", NODE, None, "n2", "metadata.name 'n1' does not match its file name 'n2'"),
    ("ConfigMap", CM, "dev", "cfg", None),
    ("ConfigMap", changed(CM, "data", ["a"]), "dev", "cfg", "data is not a mapping"),
    ("ConfigMap", changed(CM, "data", None, delete=True), "dev", "cfg", None),
    ("Deployment", {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "x"}}, "x", "d",
     "spec is missing (a truncated file?)"),
]


@pytest.mark.parametrize("kind, obj, namespace, name, problem", CASES)
def test_file_problem_names_what_keeps_a_file_from_being_the_object_its_path_names(kind, obj, namespace, name, problem):
    assert objectfile.file_problem(kinds.by_kind(kind), obj, namespace, name) == problem


def test_the_api_server_refuses_files_with_the_same_checks_the_fast_path_makes():
    assert apiserver.file_problem is objectfile.file_problem and apiserver.key_error is objectfile.key_error


@pytest.mark.parametrize("value, ok", [
    ("web", True), ("a.b-c", True), ("system:controller:x", True), ("é", True), ("x" * 230, True), ("x" * 231, False),
    ("é" * 115, True), ("é" * 116, False), ("", False), (".", False), ("..", False), (".hidden", False), ("a/b", False),
    ("a\x00b", False), ("a\nb", False), ("a\x1bb", False), ("\ud800", False), (None, False), (5, False),
])
def test_key_error_refuses_names_no_object_file_can_safely_have(value, ok):
    assert (objectfile.key_error(value) is None) == ok
