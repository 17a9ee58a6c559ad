"""The parse cache (a hand edit always wins) and group commit (pending writes, one commit)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kubelite.api import kinds, yamlio
from kubelite.clock import Clock, parse_time
from kubelite.store import Store

CM = kinds.by_kind("ConfigMap")


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBELITE_CACHE_DIR", str(tmp_path / "cache"))
    s = Store(tmp_path / "state", Clock(parse_time("2026-01-01T00:00:00Z")))
    (tmp_path / "state" / "registry").mkdir(parents=True)
    return s


def _cm(name: str, value: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": {"k": value}}


def test_a_second_listing_is_served_from_the_cache_without_parsing(store, monkeypatch):
    for i in range(5):
        store.create(CM, _cm(f"c{i}", "v"))
    store.list(CM)
    store.flush_cache()
    fresh = Store(store.root, store.clock)

    def no_parse(*a, **k):
        raise AssertionError("parsed YAML although the cache was fresh")

    monkeypatch.setattr(yamlio, "load_one", no_parse)
    assert [o["metadata"]["name"] for o in fresh.list(CM)] == [f"c{i}" for i in range(5)]


def test_a_hand_edit_always_wins_over_the_cache(store):
    store.create(CM, _cm("edited", "before"))
    store.list(CM)
    store.flush_cache()
    path = store.path_for(CM, "default", "edited")
    text = path.read_text().replace("before", "after!")  # same file, new content
    path.write_text(text)
    fresh = Store(store.root, store.clock)
    assert fresh.list(CM)[0]["data"]["k"] == "after!"
    assert fresh.get(CM, "default", "edited")["data"]["k"] == "after!"


def test_the_cache_lives_outside_the_state_directory(store, tmp_path):
    store.create(CM, _cm("a", "v"))
    store.list(CM)
    store.flush_cache()
    assert not (store.root / "cache").exists()
    assert any((tmp_path / "cache").rglob("configmaps.*.cache"))


def test_reads_inside_a_batch_see_its_pending_writes_and_others_see_them_after_commit(store):
    other = Store(store.root, store.clock)
    with store.batch():
        store.create(CM, _cm("p", "1"))
        assert store.get(CM, "default", "p")["data"]["k"] == "1"
        assert other.try_get(CM, "default", "p") is None  # not committed yet
        obj = store.get(CM, "default", "p")
        obj["data"]["k"] = "2"
        store.update(CM, obj)
        assert store.get(CM, "default", "p")["data"]["k"] == "2"
    assert other.get(CM, "default", "p")["data"]["k"] == "2"
    leftovers = [p for p in store.registry.rglob(".*tmp*")]
    assert leftovers == []


def test_a_batch_commits_what_was_written_before_an_error(store):
    with pytest.raises(RuntimeError):
        with store.batch():
            store.create(CM, _cm("kept", "1"))
            raise RuntimeError("controller bug")
    assert Store(store.root, store.clock).get(CM, "default", "kept")


def test_resource_versions_stay_strictly_increasing_across_batches_and_processes(store):
    other = Store(store.root, store.clock)
    rvs = []
    for i in range(3):
        with store.batch():
            rvs.append(int(store.create(CM, _cm(f"a{i}", "v"))["metadata"]["resourceVersion"]))
        rvs.append(int(other.create(CM, _cm(f"b{i}", "v"))["metadata"]["resourceVersion"]))
    assert rvs == sorted(rvs) and len(set(rvs)) == len(rvs)


def test_a_delete_inside_a_batch_happens_at_commit(store):
    store.create(CM, _cm("gone", "v"))
    with store.batch():
        store.delete(CM, "default", "gone")
        assert not store.exists(CM, "default", "gone")
        assert store.path_for(CM, "default", "gone").exists()
    assert not store.path_for(CM, "default", "gone").exists()


def _temp_files(store) -> list:
    return [p for p in store.root.rglob(".*tmp*")]


def test_a_deferred_batch_writes_an_object_changed_several_times_once_and_only_at_commit(store, files_written):
    with store.batch(defer=True):
        store.create(CM, _cm("p", "1"))
        for value in ("2", "3"):
            obj = store.get(CM, "default", "p")
            obj["data"]["k"] = value
            store.update(CM, obj)
        assert store.get(CM, "default", "p")["data"]["k"] == "3"
        assert store.exists(CM, "default", "p")
        assert not store.path_for(CM, "default", "p").exists() and _temp_files(store) == []
    path = str(store.path_for(CM, "default", "p"))
    assert files_written.count(path) == 1
    fresh = Store(store.root, store.clock)
    assert fresh.get(CM, "default", "p")["data"]["k"] == "3"
    assert yamlio.load_one(Path(path).read_text(), path) == fresh.get(CM, "default", "p")


def test_a_deferred_batch_that_cannot_write_changes_nothing_and_leaves_no_temporary_file(store, monkeypatch):
    from kubelite.errors import StateError

    store.create(CM, _cm("old", "1"))
    before = sorted((str(p), p.read_bytes()) for p in store.registry.rglob("*.yaml"))
    real_open = os.open
    opened = []

    def full_disk(path, flags, *a):
        if flags & os.O_CREAT and len(opened) >= 1:
            raise OSError(28, "No space left on device")
        if flags & os.O_CREAT:
            opened.append(path)
        return real_open(path, flags, *a)

    with pytest.raises(StateError) as e:
        with store.batch(defer=True):
            obj = store.get(CM, "default", "old")
            obj["data"]["k"] = "2"
            store.update(CM, obj)
            store.create(CM, _cm("new", "1"))
            monkeypatch.setattr(os, "open", full_disk)
    monkeypatch.undo()
    assert "no space left on device" in e.value.message
    assert sorted((str(p), p.read_bytes()) for p in store.registry.rglob("*.yaml")) == before
    assert _temp_files(store) == []


def test_an_eager_batch_refuses_a_write_where_it_is_made(store, monkeypatch):
    from kubelite.errors import StateError

    def full_disk(path, flags, *a):
        raise OSError(28, "No space left on device")

    with store.batch():
        monkeypatch.setattr(os, "open", full_disk)
        with pytest.raises(StateError):
            store.create(CM, _cm("new", "1"))
        monkeypatch.undo()
    assert not store.exists(CM, "default", "new")


def _saved_cache(store, count: int) -> Path:
    """The configmaps cache file after `count` objects were written, listed and saved."""
    for i in range(count):
        store.create(CM, _cm(f"c{i}", "v"))
    store.list(CM)
    store.flush_cache()
    (saved,) = store.cache.dir.glob("configmaps.*.cache")
    return saved


def test_a_damaged_cache_file_is_ignored_and_the_files_are_parsed_again(store):
    saved = _saved_cache(store, 3)
    saved.write_bytes(saved.read_bytes()[: len(saved.read_bytes()) // 2])
    assert [o["data"]["k"] for o in Store(store.root, store.clock).list(CM)] == ["v", "v", "v"]
    saved.write_bytes(b"\x00not marshal at all")
    assert len(Store(store.root, store.clock).list(CM)) == 3


def test_objects_read_from_the_cache_share_their_keys_and_short_strings(store):
    for i in range(2):
        store.create(CM, _cm(f"c{i}", "shared-value"))
    store.list(CM)
    store.flush_cache()
    a, b = Store(store.root, store.clock).list(CM)
    assert a == _cm("c0", "shared-value") | {"metadata": a["metadata"]}
    key_a = next(k for k in a["data"])
    key_b = next(k for k in b["data"])
    assert key_a is key_b and a["data"]["k"] is b["data"]["k"]  # one copy each, not one per object
    a["data"]["k"] = "changed"
    assert b["data"]["k"] == "shared-value"  # objects are still independent


def test_a_file_as_kubelite_wrote_it_is_read_without_the_yaml_parser_and_any_other_through_it(store, tmp_path, monkeypatch):
    store.create(CM, _cm("mine", "v"))
    monkeypatch.setenv("KUBELITE_CACHE_DIR", str(tmp_path / "cold-cache"))
    parsed = []
    real = yamlio.load_one
    monkeypatch.setattr(yamlio, "load_one", lambda text, src: parsed.append(src) or real(text, src))
    assert Store(store.root, store.clock).get(CM, "default", "mine")["data"] == {"k": "v"}
    assert parsed == []
    path = store.path_for(CM, "default", "mine")
    path.write_text("# edited by hand\n" + path.read_text().replace("k: v", "k: 'edited'"))
    assert Store(store.root, store.clock).get(CM, "default", "mine")["data"] == {"k": "edited"}
    assert parsed == [str(path)]


def test_a_waiting_marker_left_by_a_killed_writer_is_removed_and_not_waited_for(store):
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()
    (store.root / "locks").mkdir(exist_ok=True)
    stale = store.root / "locks" / f"waiting-{gone.pid}"
    stale.touch()
    assert store.has_waiters() is False and not stale.exists()
    (store.root / "locks" / f"waiting-{os.getpid()}").touch()
    assert store.has_waiters() is True


def test_a_damaged_entry_in_a_loaded_cache_is_a_miss_not_an_error(store):
    from kubelite.store import cache as cachemod

    saved = _saved_cache(store, 2)
    table = cachemod._read(saved)
    rel = "configmaps/default/c0.yaml"
    key, blob = table[rel]
    table[rel] = (key, b"\xff" + blob[1:])  # a valid file holding one bad blob
    saved.write_bytes(__import__("marshal").dumps((cachemod.FORMAT, table)))
    fresh = Store(store.root, store.clock)
    assert [o["metadata"]["name"] for o in fresh.list(CM)] == ["c0", "c1"]
    assert fresh.get(CM, "default", "c0")["data"] == {"k": "v"}
    assert fresh.cache.table("configmaps")[rel][1] != table[rel][1]  # re-parsed and replaced


def test_listings_inside_a_deferred_batch_count_its_creates_and_deletes(store):
    store.create(CM, _cm("old", "v"))
    with store.batch(defer=True):
        store.create(CM, _cm("new", "v"))
        store.create(CM, dict(_cm("elsewhere", "v"), metadata={"name": "elsewhere", "namespace": "fresh-ns"}))
        store.delete(CM, "default", "old")
        assert [o["metadata"]["name"] for o in store.list(CM)] == ["new", "elsewhere"]  # path order
        assert sorted(v for _, v in store.project(CM, "name", lambda o: o["metadata"]["name"])) == ["elsewhere", "new"]
        assert [o["metadata"]["name"] for o in store.list(CM, "default")] == ["new"]
    assert [o["metadata"]["name"] for o in Store(store.root, store.clock).list(CM)] == ["new", "elsewhere"]


def test_a_commit_whose_counter_cannot_be_renamed_renames_nothing(store, monkeypatch):
    from kubelite.errors import StateError

    store.create(CM, _cm("old", "1"))
    before = sorted((str(p), p.read_bytes()) for p in store.root.rglob("*") if p.is_file() and "locks" not in p.parts)
    real = os.replace

    def no_counter(src, dst):
        if str(dst).endswith("resource-version"):
            raise OSError(5, "Input/output error")
        return real(src, dst)

    with pytest.raises(StateError) as e:
        with store.batch(defer=True):
            store._drop_rv_block()  # the next write reserves a new block
            store.create(CM, _cm("new", "1"))
            monkeypatch.setattr(os, "replace", no_counter)
    monkeypatch.undo()
    assert "nothing was changed" in e.value.message
    assert sorted((str(p), p.read_bytes()) for p in store.root.rglob("*") if p.is_file() and "locks" not in p.parts) == before


def test_an_interrupted_commit_leaves_no_temporary_file(store, monkeypatch):
    from kubelite.api import yamlemit

    with pytest.raises(KeyboardInterrupt):
        with store.batch(defer=True):
            store.create(CM, _cm("a", "1"))
            store.create(CM, _cm("b", "1"))
            calls = []

            def interrupted(obj):
                calls.append(1)
                if len(calls) == 2:
                    raise KeyboardInterrupt
                return real_dump(obj)

            real_dump = yamlemit.dump
            monkeypatch.setattr(yamlemit, "dump", interrupted)
    monkeypatch.undo()
    assert _temp_files(store) == [] and not store.path_for(CM, "default", "a").exists()


def _value(obj: dict) -> str:
    return obj["data"]["k"]


def test_a_projection_reads_an_unchanged_file_once_and_an_edited_one_again(store, monkeypatch):
    for i in range(3):
        store.create(CM, _cm(f"c{i}", f"v{i}"))
    assert sorted(v for _, v in store.project(CM, "k", _value)) == ["v0", "v1", "v2"]
    store.flush_cache()
    path = store.path_for(CM, "default", "c1")
    path.write_text(path.read_text().replace("k: v1", "k: edited"))
    (store.path_for(CM, "default", "c2")).unlink()
    fresh = Store(store.root, store.clock)
    reads = []
    real = fresh.read_path
    monkeypatch.setattr(fresh, "read_path", lambda p: reads.append(Path(p).name) or real(p))
    assert sorted(v for _, v in fresh.project(CM, "k", _value)) == ["edited", "v0"]
    assert reads == ["c1.yaml"]  # c0 came from the projection: neither parsed nor unpacked
    assert set(fresh.cache.projection("configmaps", "k")["configmaps/default"]) == {"c0.yaml", "c1.yaml"}


def test_a_projection_inside_a_batch_sees_its_writes_and_remembers_only_files_on_disk(store):
    store.create(CM, _cm("old", "v"))
    with store.batch(defer=True):
        store.create(CM, _cm("new", "n"))
        store.delete(CM, "default", "old")
        assert [v for _, v in store.project(CM, "k", _value)] == ["n"]
        assert store.cache.projection("configmaps", "k") == {}
    assert [v for _, v in store.project(CM, "k", _value)] == ["n"]
