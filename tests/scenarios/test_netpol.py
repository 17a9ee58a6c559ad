"""NetworkPolicy checks over a three-tier app with default-deny, through the real CLI."""
from __future__ import annotations

import json

from tests.controllers.helpers import at, node_yaml


def pod(name: str, tier: str, port: int) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop", "labels": {"tier": tier}},
            "spec": {"containers": [{"name": "app", "image": "nginx", "ports": [{"name": "serve", "containerPort": port}]}]}}


def policy(name: str, spec: dict) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "shop"}, "spec": spec}


def tier(t: str) -> dict:
    return {"podSelector": {"matchLabels": {"tier": t}}}


APP = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    pod("frontend", "frontend", 80), pod("api", "api", 8080), pod("db", "db", 5432),
    policy("default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
    policy("api-from-frontend", {**tier("api"), "ingress": [{"from": [tier("frontend")], "ports": [{"port": 8080}]}]}),
    policy("db-from-api", {**tier("db"), "ingress": [{"from": [tier("api")], "ports": [{"port": "serve"}]}]}),
    policy("frontend-to-api", {**tier("frontend"), "policyTypes": ["Egress"], "egress": [{"to": [tier("api")], "ports": [{"port": 8080}]}]}),
    policy("api-to-db", {**tier("api"), "policyTypes": ["Egress"], "egress": [
        {"to": [tier("db")], "ports": [{"port": 5432}]},
        {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
         "ports": [{"port": 53, "protocol": "UDP"}]}]}),
]


def test_three_tiers_with_default_deny(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + "\n---\n".join(json.dumps(o) for o in APP), now=at(0))
    assert kl(["reconcile", "--until-stable"], now=at(0)).rc == 0
    check = lambda *a: kl(["netpol", "check", *a, "-n", "shop"], now=at(1))  # noqa: E731

    r = check("frontend", "api", "--port", "8080")
    assert r.rc == 0, r.out + r.err
    assert r.out.splitlines() == ["allowed: shop/frontend -> shop/api (TCP/8080)",
                                  "  egress from shop/frontend: allowed by shop/frontend-to-api",
                                  "  ingress to shop/api: allowed by shop/api-from-frontend"]
    r = check("frontend", "db", "--port", "5432")
    assert r.rc == 1
    assert "denied: shop/frontend -> shop/db (TCP/5432)" in r.out
    assert "ingress to shop/db: denied: selected by shop/db-from-api, shop/default-deny, no rule allows it" in r.out
    assert check("api", "db", "--port", "5432").rc == 0  # the named port `serve` is 5432 on db
    assert check("api", "db", "--port", "80").rc == 1
    assert check("db", "frontend", "--port", "80").rc == 1
    assert check("shop/api", "shop/frontend").rc == 1  # no port given: any port, still denied
    data = json.loads(check("frontend", "api", "--port", "8080", "-o", "json").out)
    assert data["allowed"] is True
    assert data["ingress"] == {"allowed": True, "allowedBy": ["shop/api-from-frontend"], "isolated": True,
                               "policies": ["shop/api-from-frontend", "shop/default-deny"]}
    r = check("frontend", "nope")
    assert r.rc == 1 and 'pods "nope" not found' in r.err
