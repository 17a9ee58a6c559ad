"""The watch hub: changes by any writer become events in resourceVersion order, resumable, 410 when too old."""
from __future__ import annotations

import asyncio

import pytest

from kubelite.api import kinds, selectors
from kubelite.apiserver import APIServer
from kubelite.errors import Expired
from kubelite.server.watch import Hub, Watcher

CM = kinds.by_kind("ConfigMap")


@pytest.fixture
def hub(booted):
    h = Hub(lambda: APIServer.open(booted, create=False))
    return h


def _watcher(ns="default", name=""):
    loop = asyncio.new_event_loop()
    return Watcher(CM, ns, name, selectors.parse(None), selectors.parse_fields(None), loop), loop


def _drain(w, loop) -> list[tuple[str, str]]:
    loop.run_until_complete(asyncio.sleep(0))
    out = []
    while not w.queue.empty():
        etype, obj = w.queue.get_nowait()
        out.append((etype, obj["metadata"]["name"]))
    return out


def _poll(h):
    h._last_scan = 0  # as if the hand-edit rescan were due
    h.poll()


def test_another_writers_create_update_and_delete_arrive_in_order(hub, booted):
    w, loop = _watcher()
    hub.add(w, None, False)
    api = APIServer.open(booted)  # another writer, as the CLI would be
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}})
    _poll(hub)
    obj = api.get(CM, "default", "a")
    obj["data"] = {"k": "v"}
    api.update(obj)
    _poll(hub)
    api.delete(CM, "default", "a")
    _poll(hub)
    assert [e for e in _drain(w, loop) if e[1] == "a"] == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]


def test_a_watch_resumes_after_a_resource_version(hub, booted):
    first, loop = _watcher()
    hub.add(first, None, False)
    api = APIServer.open(booted)
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}})
    _poll(hub)
    rv = api.get(CM, "default", "a")["metadata"]["resourceVersion"]
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "namespace": "default"}})
    _poll(hub)
    later, loop2 = _watcher()
    hub.add(later, rv, False)
    assert _drain(later, loop2) == [("ADDED", "b")]


def test_a_version_from_before_the_server_started_is_expired(hub, booted):
    api = APIServer.open(booted)
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}})
    h = Hub(lambda: APIServer.open(booted, create=False))
    w, _ = _watcher()
    with pytest.raises(Expired):
        h.add(w, "1", False)


def test_a_watch_on_one_name_sees_only_that_object(hub, booted):
    w, loop = _watcher(name="b")
    hub.add(w, None, False)
    api = APIServer.open(booted)
    for n in ("a", "b"):
        api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "namespace": "default"}})
    _poll(hub)
    assert _drain(w, loop) == [("ADDED", "b")]


def test_a_kind_first_watched_after_the_given_version_replays_what_the_journal_says_happened(hub, booted):
    api = APIServer.open(booted)
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "old", "namespace": "default"}})
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "doomed", "namespace": "default"}})
    rv = str(api.store.current_rv())
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new", "namespace": "default"}})
    changed = api.get(CM, "default", "old")
    changed["data"] = {"k": "v"}
    api.update(changed)
    api.delete(CM, "default", "doomed")
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "brief", "namespace": "default"}})
    api.delete(CM, "default", "brief")
    w, loop = _watcher()
    hub.add(w, rv, False)  # the hub has no cache of ConfigMaps yet: it fills one now
    assert _drain(w, loop) == [("ADDED", "new"), ("MODIFIED", "old"), ("DELETED", "doomed")]


def test_a_created_object_whose_file_has_not_landed_yet_is_sent_once_it_has(hub, booted):
    import time

    w, loop = _watcher()
    hub.add(w, None, False)
    _drain(w, loop)
    api = APIServer.open(booted)
    created = api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "default"}})
    path = api.store.path_for(CM, "default", "late")
    aside = path.with_name(".late.yaml.aside")
    path.rename(aside)  # as between a commit's journal line and its rename
    hub._last_scan = time.monotonic()  # no look for hand edits: only the journal is followed
    hub.poll()
    assert _drain(w, loop) == [] and hub.current_rv() < int(created.obj["metadata"]["resourceVersion"])
    aside.rename(path)
    hub.poll()
    assert _drain(w, loop) == [("ADDED", "late")]
