"""Helpers for federation tests: a host and member state directories, the CLI, and readers.

State directories are copied from one pristine directory made once per session (copying
is much faster than bootstrapping each); nodes and KubeFedClusters are written in
process, everything under test runs through the real `kubelite` command.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import T0, run_kubelite

MEMBERS = ("c1", "c2", "c3")
FED_NS = "kube-federation-system"


def api_for(path: Path):
    from kubelite.apiserver import APIServer
    from kubelite.clock import Clock, parse_time

    return APIServer.open(path, Clock(parse_time(T0)), create=False)


def node(name: str, cidr: str, zone: str = "zone-a") -> dict:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone,
                                                  "topology.kubernetes.io/region": "region-1"}},
            "spec": {"podCIDR": cidr, "podCIDRs": [cidr]},
            "status": {"capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"}}}


class Federation:
    def __init__(self, root: Path, pristine: Path):
        self.root = root
        self.pristine = pristine
        self.config = root / "kubelite-config.yaml"
        self.host = self.new_dir("host")
        h = api_for(self.host)
        h.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": FED_NS}})
        h.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
        self.dirs: dict[str, Path] = {}

    def new_dir(self, name: str) -> Path:
        d = self.root / name
        shutil.copytree(self.pristine, d)
        return d

    def add_member(self, name: str, index: int, labels: dict | None = None, join: bool = True) -> Path:
        d = self.new_dir(name)
        api_for(d).create(node(f"{name}-node", f"10.{index}.0.0/24", zone=f"zone-{name}"))
        self.dirs[name] = d
        if join:
            api_for(self.host).create({
                "apiVersion": "core.kubefed.io/v1beta1", "kind": "KubeFedCluster",
                "metadata": {"name": name, "namespace": FED_NS, "labels": labels or {"name": name}},
                "spec": {"apiEndpoint": str(d)}})
        return d

    # -- running the CLI ---------------------------------------------------------------------
    def env(self, extra: dict | None = None) -> dict:
        return {"KUBELITE_CONFIG": str(self.config), **(extra or {})}

    def kl(self, args, state: Path | None = None, *, stdin=None, now=T0, env=None):
        return run_kubelite(args, state=self.host if state is None else state, stdin=stdin, now=now, env=self.env(env))

    def member(self, name: str, args, **kw):
        return self.kl(args, state=self.dirs[name], **kw)

    def apply(self, text: str, state: Path | None = None):
        r = self.kl(["apply", "-f", "-"], state=state, stdin=text)
        assert r.rc == 0, r.err
        return r

    def reconcile(self, *args: str, now=T0, env=None):
        return self.kl(["reconcile", *args], now=now, env=env)

    # -- reading state in process --------------------------------------------------------------
    def get(self, where: str, kind: str, name: str, namespace: str | None = "shop") -> dict | None:
        from kubelite.api import kinds

        path = self.host if where == "host" else self.dirs[where]
        return api_for(path).store.try_get(kinds.by_kind(kind), namespace, name)

    def pods(self, member: str, namespace: str = "shop") -> list[dict]:
        from kubelite.api import kinds

        return api_for(self.dirs[member]).store.list(kinds.by_kind("Pod"), namespace)


def status_of(obj: dict) -> dict:
    return {c["name"]: c.get("status", "") for c in (obj.get("status") or {}).get("clusters") or []}


def condition(obj: dict, ctype: str) -> dict:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c["type"] == ctype), {})


