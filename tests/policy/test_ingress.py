"""Ingress matching, table-tested against the path-matching examples of the Ingress
documentation (concepts/services-networking/ingress, "Examples")."""
from __future__ import annotations

import pytest

from kubelite.policy import ingress as ig


def ingress(name, paths, host=None, klass=None, default_backend=None):
    rule = {"http": {"paths": [{"path": p, "pathType": t, "backend": {"service": {"name": f"svc-{t}-{p}", "port": {"number": 80}}}}
                               for t, p in paths]}}
    if host:
        rule["host"] = host
    spec = {"rules": [rule]}
    if klass:
        spec["ingressClassName"] = klass
    if default_backend:
        spec["defaultBackend"] = {"service": {"name": default_backend, "port": {"number": 80}}}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


# The documentation's table: (path types and paths, request path, matched path or None).
DOC_TABLE = [
    ([("Prefix", "/")], "/", "/"),
    ([("Prefix", "/")], "/anything/at/all", "/"),
    ([("Exact", "/foo")], "/foo", "/foo"),
    ([("Exact", "/foo")], "/bar", None),
    ([("Exact", "/foo")], "/foo/", None),
    ([("Exact", "/foo/")], "/foo", None),
    ([("Prefix", "/foo")], "/foo", "/foo"),
    ([("Prefix", "/foo")], "/foo/", "/foo"),
    ([("Prefix", "/foo/")], "/foo", "/foo/"),
    ([("Prefix", "/foo/")], "/foo/", "/foo/"),
    ([("Prefix", "/aaa/bb")], "/aaa/bbb", None),
    ([("Prefix", "/aaa/bbb")], "/aaa/bbb", "/aaa/bbb"),
    ([("Prefix", "/aaa/bbb/")], "/aaa/bbb", "/aaa/bbb/"),
    ([("Prefix", "/aaa/bbb")], "/aaa/bbb/", "/aaa/bbb"),
    ([("Prefix", "/aaa/bbb")], "/aaa/bbbxyz", None),
    ([("Prefix", "/"), ("Prefix", "/aaa")], "/aaa/ccc", "/aaa"),
    ([("Prefix", "/"), ("Prefix", "/aaa"), ("Prefix", "/aaa/bbb")], "/aaa/bbb", "/aaa/bbb"),
    ([("Prefix", "/"), ("Prefix", "/aaa"), ("Prefix", "/aaa/bbb")], "/ccc", "/"),
    ([("Prefix", "/aaa")], "/ccc", None),
    ([("Exact", "/foo"), ("Prefix", "/foo")], "/foo", "Exact"),
    ([("Exact", "/foo"), ("Prefix", "/foo")], "/foo/bar", "Prefix"),
]


@pytest.mark.parametrize("paths,request_path,want", DOC_TABLE, ids=[f"{p} {r}" for p, r, _ in DOC_TABLE])
def test_the_documented_path_matching_table(paths, request_path, want):
    route = ig.match([ingress("i", paths)], "foo.bar.com", request_path, None)
    if want is None:
        assert route is None
    elif want in ("Exact", "Prefix"):
        assert route.path["pathType"] == want
    else:
        assert route.path["path"] == want


HOSTS = [
    ("foo.bar.com", "foo.bar.com", 2),
    ("foo.bar.com", "bar.foo.com", None),
    ("*.foo.com", "bar.foo.com", 1),
    ("*.foo.com", "baz.bar.foo.com", None),
    ("*.foo.com", "foo.com", None),
    (None, "anything.example", 0),
]


@pytest.mark.parametrize("rule_host,host,want", HOSTS)
def test_hosts_match_exactly_or_by_one_label_wildcard(rule_host, host, want):
    assert ig.host_rank(rule_host, host) == want


def test_an_exact_host_wins_over_a_wildcard_and_a_hostless_rule():
    routes = [ingress("any", [("Prefix", "/")]), ingress("wild", [("Prefix", "/")], host="*.foo.com"),
              ingress("exact", [("Prefix", "/")], host="bar.foo.com")]
    assert ig.match(routes, "bar.foo.com", "/", None).ingress["metadata"]["name"] == "exact"
    assert ig.match(routes, "baz.foo.com", "/", None).ingress["metadata"]["name"] == "wild"
    assert ig.match(routes, "other.org", "/", None).ingress["metadata"]["name"] == "any"


def test_implementation_specific_is_a_string_prefix():
    route = ig.match([ingress("i", [("ImplementationSpecific", "/api")])], "h", "/apis/v1", None)
    assert route is not None and route.path["path"] == "/api"


def test_the_default_backend_serves_what_no_rule_matches():
    route = ig.match([ingress("i", [("Exact", "/x")], default_backend="fallback")], "h", "/y", None)
    assert route.path is None and route.backend["service"]["name"] == "fallback"


def test_ingresses_of_another_class_are_not_considered():
    routes = [ingress("other", [("Prefix", "/")], klass="haproxy"), ingress("mine", [("Prefix", "/")])]
    assert ig.match(routes, "h", "/", "nginx", "nginx").ingress["metadata"]["name"] == "mine"  # no class: the default's
    assert ig.match(routes, "h", "/", "haproxy", "nginx").ingress["metadata"]["name"] == "other"


def test_the_default_class_is_the_annotated_one():
    classes = [{"metadata": {"name": "a"}},
               {"metadata": {"name": "nginx", "annotations": {ig.DEFAULT_CLASS_ANNOTATION: "true"}}}]
    assert ig.default_class(classes) == "nginx"
    assert ig.default_class(classes[:1]) is None
