"""A real project's published install manifests with CRDs: Gateway API v1.5.1's standard
channel (CRDs with 200 CEL rules, a ValidatingAdmissionPolicy) and its examples.
See tests/data/gateway-api/README.md for where they come from."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.conftest import run_kubelite

DATA = Path(__file__).resolve().parent.parent / "data" / "gateway-api"


def text(name: str) -> str:
    return gzip.decompress((DATA / name).read_bytes()).decode()


def verbs(out: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in out.splitlines():
        counts[line.split()[-1]] = counts.get(line.split()[-1], 0) + 1
    return counts


@pytest.fixture
def installed(state):
    r = run_kubelite(["apply", "-f", "-"], state=state, stdin=text("standard-install.yaml.gz"))
    assert r.rc == 0, r.err
    assert verbs(r.out) == {"created": 10}
    return state


def test_install_and_examples_apply_cleanly_and_a_second_apply_is_unchanged(installed):
    state = installed
    r = run_kubelite(["apply", "-f", "-"], state=state, stdin=text("examples-standard.yaml.gz"))
    assert r.rc == 0, r.err
    assert verbs(r.out) == {"created": 58}
    for name in ("standard-install.yaml.gz", "examples-standard.yaml.gz"):
        again = run_kubelite(["apply", "-f", "-"], state=state, stdin=text(name))
        assert again.rc == 0 and set(verbs(again.out)) == {"unchanged"}, again.out + again.err
    assert run_kubelite(["reconcile", "--until-stable"], state=state).rc == 0


def test_examples_get_the_crds_printer_columns_and_defaults(installed):
    state = installed
    run_kubelite(["apply", "-f", "-"], state=state, stdin=text("examples-standard.yaml.gz"))
    rows = run_kubelite(["get", "gateways", "-A"], state=state).out.splitlines()
    assert rows[0].split() == ["NAMESPACE", "NAME", "CLASS", "ADDRESS", "PROGRAMMED", "AGE"]
    gw = json.loads(run_kubelite(["get", "gateway", "prod-web", "-o", "json"], state=state).out)
    # status is the controller's: defaulted from the schema, as upstream shows it before one acts
    assert {c["type"]: c["status"] for c in gw["status"]["conditions"]} == {"Accepted": "Unknown", "Programmed": "Unknown"}


def test_cel_rules_of_the_crds_refuse_invalid_routes(installed):
    bad = """apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: badpath}
spec:
  parentRefs: [{name: my-gateway}]
  rules:
  - matches: [{path: {type: PathPrefix, value: "nope"}}]
    backendRefs: [{name: svc, port: 80}]
"""
    r = run_kubelite(["apply", "-f", "-"], state=installed, stdin=bad)
    assert r.rc == 1
    assert ('The HTTPRoute "badpath" is invalid: spec.rules[0].matches[0].path: Invalid value: "object": '
            "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']") in r.err


def test_the_safe_upgrades_policy_refuses_older_crds(installed):
    older = text("standard-install.yaml.gz").split("\n---\n")
    grant = next(d for d in older if "name: referencegrants.gateway.networking.k8s.io" in d)
    r = run_kubelite(["apply", "-f", "-"], state=installed, stdin=grant.replace("bundle-version: v1.5.1", "bundle-version: v1.2.0"))
    assert r.rc == 1
    assert ("ValidatingAdmissionPolicy 'safe-upgrades.gateway.networking.k8s.io' with binding "
            "'safe-upgrades.gateway.networking.k8s.io' denied request: Installing CRDs with version before v1.5.0 "
            "is prohibited by default.") in r.err
