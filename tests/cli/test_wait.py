"""`kubelite wait`: conditions, deletion and JSONPath values, with timeouts."""
from __future__ import annotations

import time

import pytest

from kubelite.api import kinds
from tests.conftest import one_line


@pytest.fixture
def api(api):
    a = api
    a.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})
    d = a.get(kinds.by_kind("Deployment"), "default", "web")
    d["status"] = {"conditions": [{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "False"}]}
    a.update(d)
    return a


def test_wait_for_a_condition_that_holds(kl, api):
    assert kl("wait --for=condition=Available deploy/web --timeout=5s") == (0, "deployment.apps/web condition met\n", "")
    assert kl("wait --for=condition=progressing=false deploy web --timeout=5s") == (0, "deployment.apps/web condition met\n", "")


def test_wait_for_a_jsonpath_value(kl, api):
    assert kl(["wait", "--for=jsonpath={.spec.replicas}=2", "deploy/web", "--timeout=5s"]) == (0, "deployment.apps/web condition met\n", "")


def test_wait_times_out_with_exit_1(kl, api):
    t = time.monotonic()
    rc, out, err = kl("wait --for=condition=Progressing deploy/web --timeout=0.4s")
    assert (rc, out) == (1, "")
    assert one_line(err) == "error: timed out waiting for the condition on deployments.apps/web"
    assert time.monotonic() - t < 30  # a hang detector, not a speed check


def test_wait_for_delete_of_an_object_that_is_gone(kl, api):
    assert kl("wait --for=delete deploy/gone --timeout=0") == (0, "deployment.apps/gone deleted\n", "")


def test_wait_for_a_missing_object_is_not_found(kl, api):
    rc, out, err = kl("wait --for=condition=Available deploy/nope --timeout=0")
    assert rc == 1 and one_line(err) == 'Error from server (NotFound): deployments.apps "nope" not found'


def test_an_unknown_condition_form_is_an_error(kl, api):
    rc, out, err = kl("wait --for=ready deploy/web --timeout=0")
    assert rc == 1 and one_line(err) == "error: unrecognized condition: 'ready'"
