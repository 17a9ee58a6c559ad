"""Cluster settings, kept as an ordinary ConfigMap (kube-system/kubelite-config) so they
are read and changed with the usual verbs.

    kubelite -n kube-system get configmap kubelite-config -o yaml
"""
from __future__ import annotations

from kubelite import apiserver
from kubelite.api import kinds

NAMESPACE, NAME = "kube-system", "kubelite-config"
DEFAULTS = {
    "service-cluster-ip-range": "10.96.0.0/12",
    "service-node-port-range": "30000-32767",
    "cluster-cidr": "10.244.0.0/16",
    "cluster-domain": "cluster.local",
}


def settings(api) -> dict[str, str]:
    cm = api.store.try_get(kinds.by_kind("ConfigMap"), NAMESPACE, NAME)
    data = dict(DEFAULTS)
    if cm is not None:
        data.update({k: str(v) for k, v in (cm.get("data") or {}).items() if k in DEFAULTS})
    return data


def _bootstrap(api) -> None:
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": NAME, "namespace": NAMESPACE},
                "data": dict(DEFAULTS)})


apiserver.BOOTSTRAP.append(_bootstrap)
