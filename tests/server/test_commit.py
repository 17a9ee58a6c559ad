"""Group commit: writes queued while one runs are committed together, and none is
acknowledged before its data is on disk."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from kubelite.api import kinds
from kubelite.apiserver import APIServer
from kubelite.server.commit import GroupCommit
from kubelite.store import Store
from kubelite.store import store as store_module

CM = kinds.by_kind("ConfigMap")


def _cm(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": {"a": "1"}}


@pytest.fixture
def writer(booted):
    local = threading.local()

    def api():
        if not hasattr(local, "api"):
            local.api = APIServer.open(booted, create=False)
        return local.api

    g = GroupCommit(api)
    try:
        yield g
    finally:
        g.close()


def _create(name: str, started: threading.Event | None = None, go: threading.Event | None = None):
    def job(api):
        if started is not None:
            started.set()
            go.wait(30)
        return api.create(_cm(name)).obj["metadata"]["resourceVersion"]
    return job


def test_writes_queued_while_one_runs_are_committed_together_after_it(writer, booted, monkeypatch):
    commits = []
    real = Store._commit
    monkeypatch.setattr(Store, "_commit", lambda self, pending, notes: commits.append(len(notes)) or real(self, pending, notes))
    started, go = threading.Event(), threading.Event()
    first = writer.submit(_create("first", started, go))
    started.wait(30)
    rest = [writer.submit(_create(f"next-{i}")) for i in range(3)]  # queued behind the first
    go.set()
    rvs = [int(f.result(30)) for f in [first] + rest]
    assert rvs == sorted(rvs) and len(set(rvs)) == 4
    assert commits == [4]  # one commit, one syncfs, for the four writes
    on_disk = Store(booted)
    assert [int(on_disk.get(CM, "default", n)["metadata"]["resourceVersion"]) for n in ["first", "next-0", "next-1", "next-2"]] == rvs


def test_no_write_is_acknowledged_before_its_commit_has_made_it_durable(writer, booted, monkeypatch):
    syncing, release = threading.Event(), threading.Event()
    real = store_module._syncfs

    def slow_syncfs(path):
        syncing.set()
        release.wait(30)
        real(path)

    monkeypatch.setattr(store_module, "_syncfs", slow_syncfs)
    fut = writer.submit(_create("durable"))
    assert syncing.wait(30)
    assert not fut.done()  # the job has run; its data is not yet synced, so no answer
    assert not Store(booted).exists(CM, "default", "durable")
    release.set()
    assert fut.result(30)
    assert Store(booted).exists(CM, "default", "durable")


def test_a_failed_commit_fails_every_write_of_its_group_and_writes_nothing(writer, booted, monkeypatch):
    def no_disk(path):
        raise OSError(5, "Input/output error")

    started, go = threading.Event(), threading.Event()
    monkeypatch.setattr(store_module, "_syncfs", no_disk)
    futs = [writer.submit(_create("a", started, go))]
    started.wait(30)
    futs += [writer.submit(_create("b")), writer.submit(_create("a"))]  # the second "a" fails on its own
    go.set()
    errors = [f.exception(30) for f in futs]
    assert [type(e).__name__ for e in errors] == ["OSError", "OSError", "AlreadyExists"]
    monkeypatch.undo()
    assert not Store(booted).exists(CM, "default", "a") and not Store(booted).exists(CM, "default", "b")
    assert writer.submit(_create("c")).result(30)  # the writer goes on


def test_concurrent_writes_over_http_are_each_on_disk_when_acknowledged_and_conflicts_stay_conflicts(served_idle):
    s = served_idle
    path = "/api/v1/namespaces/default/configmaps"
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(lambda i: s.request("POST", path, _cm(f"w-{i}")), range(24)))
    assert {code for code, _ in created} == {201}
    on_disk = Store(s.state)
    for _, obj in created:
        m = obj["metadata"]
        assert on_disk.get(CM, "default", m["name"])["metadata"]["resourceVersion"] == m["resourceVersion"]
    rvs = [int(obj["metadata"]["resourceVersion"]) for _, obj in created]
    assert len(set(rvs)) == len(rvs)
    # eight patches carrying the same resourceVersion: one wins, the others conflict. Each
    # changes the object: a patch that changes nothing keeps the resourceVersion (as
    # upstream), so the one after it would rightly succeed too.
    base = created[0][1]["metadata"]
    patch = {"metadata": {"resourceVersion": base["resourceVersion"]}}

    def race(i):
        return s.request("PATCH", f"{path}/{base['name']}", dict(patch, data={"a": f"patched-{i}"}), ctype="application/merge-patch+json")

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(code for code, _ in pool.map(race, range(8)))
    assert codes == [200] + [409] * 7
    winner = Store(s.state).get(CM, "default", base["name"])
    assert int(winner["metadata"]["resourceVersion"]) > max(rvs)
