"""`kubelite resolve http://HOST/PATH` answers which Ingress, rule, Service and endpoints serve it."""
from __future__ import annotations

import json

from tests.controllers.helpers import at, deployment_yaml, node_yaml


def svc(name: str, target: int) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": target}]}}


def backend(name: str) -> dict:
    return {"service": {"name": name, "port": {"number": 80}}}


OBJECTS = [
    {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
     "metadata": {"name": "nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
     "spec": {"controller": "k8s.io/ingress-nginx"}},
    svc("web", 8080), svc("api", 9090),
    {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "shop"},
     "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [
         {"path": "/", "pathType": "Prefix", "backend": backend("web")},
         {"path": "/api", "pathType": "Prefix", "backend": backend("api")},
         {"path": "/api/health", "pathType": "Exact", "backend": backend("web")}]}}]}},
]


def test_resolve_follows_the_longest_prefix_and_exact_paths_to_ready_endpoints(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 2) + "---\n" + deployment_yaml("api", 1) + "---\n"
       + "\n---\n".join(json.dumps(o) for o in OBJECTS), now=at(0))
    assert kl(["reconcile", "--until-stable"], now=at(0)).rc == 0

    r = kl(["resolve", "http://shop.example.com/api/orders"], now=at(1))
    assert r.rc == 0, r.err
    lines = r.out.splitlines()
    assert lines[:3] == ["ingress: default/shop (class nginx)", "rule: shop.example.com /api (Prefix)", "service: default/api:80"]
    assert lines[3].startswith("endpoints: 10.") and lines[3].endswith(":9090") and len(lines[3].split()) == 2
    data = json.loads(kl(["resolve", "http://shop.example.com/api/health", "-o", "json"], now=at(1)).out)
    assert data["rule"] == {"host": "shop.example.com", "path": "/api/health", "pathType": "Exact"}
    assert data["service"] == "default/web" and len(data["endpoints"]) == 2 and all(e.endswith(":8080") for e in data["endpoints"])
    assert json.loads(kl(["resolve", "http://SHOP.example.com/apix", "-o", "json"], now=at(1)).out)["service"] == "default/web"

    r = kl(["resolve", "http://other.example.com/"], now=at(1))
    assert r.rc == 1 and r.err.strip() == "** server can't find http://other.example.com/: NXDOMAIN"
    assert kl(["resolve", "kubernetes"], now=at(1)).out.strip() == "10.96.0.1"  # DNS answers are unchanged
    # DefaultIngressClass admission wrote the default class into the Ingress when it was created.
    assert json.loads(kl(["get", "ingress", "shop", "-o", "json"]).out)["spec"]["ingressClassName"] == "nginx"
