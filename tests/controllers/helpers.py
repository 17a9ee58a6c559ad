"""Scenario helpers for controller tests: nodes, manifests and reads through the real CLI."""
from __future__ import annotations

import datetime as dt
import json

T0 = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def at(seconds: float) -> str:
    """KUBELITE_NOW `seconds` after T0."""
    return (T0 + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_yaml(name: str, cpu: str = "4", memory: str = "16Gi", pods: str = "110", labels: dict | None = None,
              taints: list | None = None, annotations: dict | None = None) -> str:
    doc = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
           "status": {"capacity": {"cpu": cpu, "memory": memory, "pods": pods}}}
    if annotations:
        doc["metadata"]["annotations"] = annotations
    if taints:
        doc["spec"] = {"taints": taints}
    return json.dumps(doc) + "\n---\n"


def deployment_yaml(name: str, replicas: int = 3, image: str = "nginx:1.25", strategy: dict | None = None,
                    annotations: dict | None = None, requests: dict | None = None, extra_spec: dict | None = None) -> str:
    ctr = {"name": "app", "image": image}
    if requests:
        ctr["resources"] = {"requests": requests}
    tmpl = {"metadata": {"labels": {"app": name}}, "spec": {"containers": [ctr]}}
    if annotations:
        tmpl["metadata"]["annotations"] = annotations
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": tmpl}
    if strategy:
        spec["strategy"] = strategy
    spec.update(extra_spec or {})
    return json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}) + "\n"


def objects(kl, kind: str, *extra: str, now: str | None = None) -> list[dict]:
    r = kl(["get", kind, "-o", "json", *extra], now=now)
    assert r.rc == 0, r.err
    return json.loads(r.out)["items"]


def one(kl, kind: str, name: str, *extra: str) -> dict:
    r = kl(["get", kind, name, "-o", "json", *extra])
    assert r.rc == 0, r.err
    return json.loads(r.out)


def reconcile(kl, now: str, *extra: str) -> str:
    r = kl(["reconcile", *extra], now=now)
    assert r.rc == 0, r.out + r.err
    return r.out


def cond(obj: dict, ctype: str) -> dict:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c["type"] == ctype:
            return c
    return {}


def ready(pod: dict) -> bool:
    return cond(pod, "Ready").get("status") == "True"
