"""The pass's snapshot, and the same snapshot kept between passes as an informer's cache."""
from __future__ import annotations

from kubelite.api import kinds
from kubelite.apiserver import APIServer
from kubelite.clock import Clock, parse_time
from kubelite.runtime.snapshot import Snapshot, key_of
from tests.controllers.helpers import at

POD, NODE = kinds.by_kind("Pod"), kinds.by_kind("Node")


def _pod(name: str, node: str | None = None, cpu: str = "100m", app: str = "web", owner: dict | None = None) -> dict:
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": {"app": app}},
         "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}]}}
    if node:
        p["spec"]["nodeName"] = node
    if owner:
        p["metadata"]["ownerReferences"] = [owner]
    return p


def _api(tmp_path) -> APIServer:
    return APIServer.open(tmp_path / "state", Clock(parse_time(at(0))))


def _cpu_per_node(pod: dict):
    node = pod["spec"].get("nodeName")
    return (node, {"cpu": 1 if pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "100m" else 2}) if node else None


def _same_as_a_fresh_one(snap: Snapshot, api) -> None:
    fresh = Snapshot(api)
    for kind in snap.loaded_kinds():
        assert {key_of(o): o for o in snap.list(kind)} == {key_of(o): o for o in fresh.list(kind)}, kind
    assert _nonzero(snap.tally("Pod", _cpu_per_node)) == _nonzero(fresh.tally("Pod", _cpu_per_node))


def _nonzero(sums: dict) -> dict:
    """A tally's buckets that hold something (a bucket emptied by removals keeps its zeros)."""
    return {n: s for n, s in sums.items() if any(s.values())}


def _since(api, rv):
    return api.store.changes_since(rv)


def test_refresh_reads_again_what_another_writer_changed_and_what_it_deleted(tmp_path):
    api = _api(tmp_path)
    for name, node in (("a", "n1"), ("b", "n1"), ("c", None)):
        api.store.create(POD, _pod(name, node))
    snap = Snapshot(api)
    snap.tally("Pod", _cpu_per_node)
    assert [p["metadata"]["name"] for p in snap.pods_on("n1")] == ["a", "b"]
    rv = api.store.current_rv()
    other = APIServer.open(tmp_path / "state", Clock(parse_time(at(0))), create=False)  # another process's store
    c = other.store.get(POD, "default", "c")
    c["spec"]["nodeName"] = "n1"
    c["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "200m"
    other.store.update(POD, c)
    other.store.delete(POD, "default", "a")
    old = snap.refresh(_since(api, rv))
    assert set(old) == {("Pod", "default", "a"), ("Pod", "default", "c")}
    assert old[("Pod", "default", "c")]["spec"].get("nodeName") is None
    assert sorted(p["metadata"]["name"] for p in snap.pods_on("n1")) == ["b", "c"]
    assert snap.get("Pod", "default", "a") is None and snap.tally("Pod", _cpu_per_node) == {"n1": {"cpu": 3}}
    _same_as_a_fresh_one(snap, api)


def test_refresh_keeps_the_passs_own_writes_without_reading_them_again(tmp_path, monkeypatch):
    api = _api(tmp_path)
    snap = Snapshot(api)
    rv = api.store.current_rv()
    stored = api.store.create(POD, _pod("mine", "n1"))
    snap.put(POD, stored)
    monkeypatch.setattr(api.store, "try_get", lambda *a: (_ for _ in ()).throw(AssertionError("read again")))
    assert snap.refresh(_since(api, rv)) == {}
    assert snap.get("Pod", "default", "mine") is stored


def test_a_pod_removed_or_moved_leaves_no_trace_in_the_indexes(tmp_path):
    api = _api(tmp_path)
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u-rs"}
    api.store.create(POD, _pod("a", "n1", owner=owner))
    snap = Snapshot(api)
    snap.tally("Pod", _cpu_per_node)
    assert len(snap.owned("Pod", "u-rs")) == 1 and len(snap.pods_on("n1")) == 1
    from kubelite.api import selectors

    assert len(snap.select("Pod", "default", selectors.from_map({"app": "web"}))) == 1
    rv = api.store.current_rv()
    p = api.store.get(POD, "default", "a")
    p["metadata"]["labels"] = {"app": "other"}
    p["metadata"]["ownerReferences"] = []
    p["spec"]["nodeName"] = "n2"
    api.store.update(POD, p)
    snap.refresh(_since(api, rv))
    assert snap.owned("Pod", "u-rs") == [] and snap.pods_on("n1") == [] and len(snap.pods_on("n2")) == 1
    assert snap.select("Pod", "default", selectors.from_map({"app": "web"})) == []
    assert "u-rs" not in snap._by_owner and "n1" not in snap._pods_by_node
    assert snap.tally("Pod", _cpu_per_node)["n2"] == {"cpu": 1} and not any(snap.tally("Pod", _cpu_per_node)["n1"].values())
    _same_as_a_fresh_one(snap, api)


def test_a_kind_not_loaded_is_not_read_by_a_refresh(tmp_path):
    api = _api(tmp_path)
    snap = Snapshot(api)
    rv = api.store.current_rv()
    api.store.create(POD, _pod("a"))
    assert snap.refresh(_since(api, rv)) == {}
    assert "Pod" not in list(snap.loaded_kinds())
    assert [p["metadata"]["name"] for p in snap.list("Pod")] == ["a"]
