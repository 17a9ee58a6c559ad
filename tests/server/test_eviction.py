"""The pods/eviction subresource over HTTP: 429 with the budget in the Status causes."""
from __future__ import annotations

import json

from tests.conftest import run_kubelite
from tests.controllers.helpers import at, deployment_yaml, node_yaml

PDB = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
       "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}}


def test_an_eviction_the_budget_refuses_is_429_naming_the_budget(served_idle):
    state = served_idle.state
    run_kubelite(["apply", "-f", "-"], state=state, stdin=node_yaml("n1") + deployment_yaml("web", 2) + "---\n" + json.dumps(PDB), now=at(0))
    assert run_kubelite(["reconcile", "--until-stable"], state=state, now=at(0)).rc == 0
    name = json.loads(run_kubelite(["get", "pods", "-o", "json"], state=state).out)["items"][0]["metadata"]["name"]
    eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": "default"}}
    path = f"/api/v1/namespaces/default/pods/{name}/eviction"
    code, status = served_idle.request("POST", path, eviction)
    assert code == 429
    assert status["reason"] == "TooManyRequests"
    assert status["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert status["details"]["causes"] == [{"reason": "DisruptionBudget",
                                            "message": "The disruption budget web needs 2 healthy pods and has 2 currently"}]
    code, _ = served_idle.request("POST", path + "?dryRun=All", eviction)
    assert code == 429
    assert len(json.loads(run_kubelite(["get", "pods", "-o", "json"], state=state).out)["items"]) == 2
