"""The file-backed store: layout, atomic writes, resourceVersions, generations, finalizers."""
from __future__ import annotations

import copy
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kubelite.api import kinds
from kubelite.clock import Clock, parse_time
from kubelite.errors import AlreadyExists, Conflict, NotFound, StateError
from kubelite.store import Store
from tests.conftest import T0, snapshot

CM = kinds.by_kind("ConfigMap")
DEPLOY = kinds.by_kind("Deployment")
NS = kinds.by_kind("Namespace")
NODE = kinds.by_kind("Node")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    root = tmp_path / "state"
    (root / "registry").mkdir(parents=True)
    return Store(root, Clock(parse_time(T0)))


def cm(name="c", ns="default", **data) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data or {"a": "1"}}


def deploy(name="web", replicas=1) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}}}


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if ".tmp-" in p.name]


# -- layout ----------------------------------------------------------------------------

def test_objects_live_at_paths_derived_from_resource_namespace_and_name(store):
    store.create(CM, cm("app", "dev"))
    store.create(NODE, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    assert (store.root / "registry/configmaps/dev/app.yaml").is_file()
    assert (store.root / "registry/nodes/n1.yaml").is_file()


def test_a_created_object_gets_uid_creation_timestamp_resource_version_and_generation(store):
    d = store.create(DEPLOY, deploy())
    meta = d["metadata"]
    assert len(meta["uid"]) == 36
    assert meta["creationTimestamp"] == T0
    assert int(meta["resourceVersion"]) > 0
    assert meta["generation"] == 1
    assert store.get(DEPLOY, "default", "web") == d


def test_kinds_without_a_spec_get_no_generation(store):
    assert "generation" not in store.create(CM, cm())["metadata"]


def test_creating_an_existing_object_is_already_exists(store):
    store.create(CM, cm())
    before = snapshot(store.root)
    with pytest.raises(AlreadyExists) as e:
        store.create(CM, cm())
    assert str(e.value) == 'configmaps "c" already exists'
    assert snapshot(store.root) == before


def test_getting_a_missing_object_is_not_found(store):
    with pytest.raises(NotFound) as e:
        store.get(DEPLOY, "default", "nope")
    assert str(e.value) == 'deployments.apps "nope" not found'
    assert store.try_get(DEPLOY, "default", "nope") is None


def test_a_dry_run_create_writes_nothing(store):
    before = snapshot(store.root)
    out = store.create(CM, cm(), dry_run=True)
    assert "resourceVersion" not in out["metadata"]
    assert snapshot(store.root) == before


# -- atomic writes ----------------------------------------------------------------------

def test_writes_leave_no_temporary_files_behind(store):
    for i in range(20):
        store.create(CM, cm(f"c{i}"))
    for i in range(0, 20, 2):
        o = store.get(CM, "default", f"c{i}")
        o["data"] = {"a": str(i)}
        store.update(CM, o)
    for i in range(0, 20, 3):
        store.delete(CM, "default", f"c{i}")
    assert temp_files(store.root) == []


def test_a_write_that_fails_midway_leaves_the_old_object_and_no_temporary_file(store, monkeypatch):
    store.create(CM, cm())
    before = snapshot(store.root)
    o = store.get(CM, "default", "c")
    o["data"] = {"a": "2"}

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StateError) as e:
        store.update(CM, o)
    assert "no space left on device" in str(e.value)
    monkeypatch.undo()
    assert snapshot(store.root) == before
    assert temp_files(store.root) == []


def test_object_files_are_private_to_the_owner(store):
    store.create(CM, cm())
    mode = (store.root / "registry/configmaps/default/c.yaml").stat().st_mode & 0o777
    assert mode == 0o600


# -- resourceVersion --------------------------------------------------------------------

def test_resource_versions_strictly_increase_across_writes_and_kinds(store):
    rvs = [int(store.create(CM, cm(f"c{i}"))["metadata"]["resourceVersion"]) for i in range(5)]
    rvs.append(int(store.create(DEPLOY, deploy())["metadata"]["resourceVersion"]))
    o = store.get(CM, "default", "c0")
    o["data"] = {"x": "y"}
    rvs.append(int(store.update(CM, o)[0]["metadata"]["resourceVersion"]))
    assert rvs == sorted(rvs) and len(set(rvs)) == len(rvs)


def test_the_counter_file_is_always_ahead_of_every_issued_resource_version(store):
    rv = int(store.create(CM, cm())["metadata"]["resourceVersion"])
    assert int((store.root / "resource-version").read_text()) >= rv


def test_a_corrupt_counter_is_a_state_error(store):
    (store.root / "resource-version").write_text("banana\n")
    with pytest.raises(StateError):
        store.create(CM, cm())


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from kubelite.api import kinds
    from kubelite.store import Store
    root, prefix, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    s = Store(root)
    cm = kinds.by_kind("ConfigMap")
    for i in range(n):
        o = s.create(cm, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{prefix}{i}", "namespace": "default"}})
        print(o["metadata"]["resourceVersion"], flush=True)
""")


def _writers(root: Path, prefixes: list[str], n: int) -> list[list[int]]:
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(root), p, str(n)], stdout=subprocess.PIPE, text=True)
             for p in prefixes]
    outs = []
    for p in procs:
        out, _ = p.communicate(timeout=60)
        assert p.returncode == 0
        outs.append([int(x) for x in out.split()])
    return outs


def test_resource_versions_are_unique_and_increasing_across_concurrent_processes(store):
    outs = _writers(store.root, ["a", "b", "c"], 15)
    for seq in outs:
        assert seq == sorted(seq) and len(seq) == 15
    everything = [rv for seq in outs for rv in seq]
    assert len(set(everything)) == len(everything)
    stored = [int(o["metadata"]["resourceVersion"]) for o in store.list(CM, "default")]
    assert sorted(stored) == sorted(everything)
    # A later process still issues larger versions than all of them.
    (later,) = _writers(store.root, ["d"], 1)
    assert later[0] > max(everything)


def test_a_run_of_writes_reserves_its_resource_versions_once(store):
    counter = store.root / "resource-version"
    first = int(store.create(CM, cm("c0"))["metadata"]["resourceVersion"])
    written = counter.stat()
    rvs = [int(store.create(CM, cm(f"c{i}"))["metadata"]["resourceVersion"]) for i in range(1, 6)]
    assert rvs == list(range(first + 1, first + 6))  # each write held the lock on its own
    assert (counter.stat().st_ino, counter.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert int(counter.read_text()) >= max(rvs)
    # another store of the same directory in this process continues the same block
    other = Store(store.root, store.clock)
    assert int(other.create(CM, cm("d"))["metadata"]["resourceVersion"]) == first + 6


def test_a_block_is_given_up_once_another_process_has_reserved(store):
    a = int(store.create(CM, cm("a"))["metadata"]["resourceVersion"])
    ((b,),) = _writers(store.root, ["b"], 1)  # another process reserves past this one's block
    c = int(store.create(CM, cm("c"))["metadata"]["resourceVersion"])
    assert a < b < c
    assert int((store.root / "resource-version").read_text()) >= c


def test_a_forked_child_never_issues_its_parents_resource_versions(store):
    a = int(store.create(CM, cm("a"))["metadata"]["resourceVersion"])
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's block is in its memory too
        try:
            os.close(r)
            os.write(w, store.create(CM, cm("child"))["metadata"]["resourceVersion"].encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        child = int(f.read())
    os.waitpid(pid, 0)
    parent = int(store.create(CM, cm("parent"))["metadata"]["resourceVersion"])
    assert a < child < parent


def fail_a_commit_at_its_counter(store: Store, monkeypatch, name: str) -> int:
    """Create `name` in a deferred batch that reserves a block of its own and whose counter
    cannot be renamed into place: the commit fails (StateError). Returns the resourceVersion
    the failed create was given."""
    real = os.replace

    def no_counter(src, dst):
        if str(dst).endswith("resource-version"):
            raise OSError(5, "Input/output error")
        return real(src, dst)

    with pytest.raises(StateError):
        with store.batch(defer=True):
            store._drop_rv_block()  # the next write reserves a new block
            failed = int(store.create(CM, cm(name))["metadata"]["resourceVersion"])
            monkeypatch.setattr(os, "replace", no_counter)
    monkeypatch.undo()
    return failed


def test_a_commit_that_fails_leaves_the_counter_ahead_of_what_comes_next(store, monkeypatch):
    store.create(CM, cm("a"))
    failed = fail_a_commit_at_its_counter(store, monkeypatch, "b")
    assert int((store.root / "resource-version").read_text()) < failed  # that block never reached the disk
    c = int(store.create(CM, cm("c"))["metadata"]["resourceVersion"])
    assert int((store.root / "resource-version").read_text()) >= c  # a crash now could not issue c again


# -- updates ----------------------------------------------------------------------------

def test_generation_bumps_only_when_the_spec_changes(store):
    d = store.create(DEPLOY, deploy())
    d = copy.deepcopy(d)
    d["metadata"]["labels"] = {"tier": "fe"}
    d, changed = store.update(DEPLOY, d)
    assert changed and d["metadata"]["generation"] == 1
    d = copy.deepcopy(d)
    d["status"] = {"replicas": 1}
    d, _ = store.update(DEPLOY, d)
    assert d["metadata"]["generation"] == 1
    d = copy.deepcopy(d)
    d["spec"]["replicas"] = 3
    d, _ = store.update(DEPLOY, d)
    assert d["metadata"]["generation"] == 2


def test_writing_an_unchanged_object_is_a_no_op(store):
    d = store.create(DEPLOY, deploy())
    path = store.path_for(DEPLOY, "default", "web")
    mtime, writes, counter = path.stat().st_mtime_ns, store.writes, (store.root / "resource-version").read_bytes()
    before = snapshot(store.root)
    out, changed = store.update(DEPLOY, copy.deepcopy(d))
    assert not changed
    assert out["metadata"]["resourceVersion"] == d["metadata"]["resourceVersion"]
    assert path.stat().st_mtime_ns == mtime
    assert store.writes == writes
    assert (store.root / "resource-version").read_bytes() == counter
    assert snapshot(store.root) == before


def test_an_update_with_a_stale_resource_version_is_a_conflict_and_writes_nothing(store):
    d = store.create(DEPLOY, deploy())
    fresh = copy.deepcopy(d)
    fresh["spec"]["replicas"] = 2
    store.update(DEPLOY, fresh)
    before = snapshot(store.root)
    stale = copy.deepcopy(d)
    stale["spec"]["replicas"] = 5
    with pytest.raises(Conflict) as e:
        store.update(DEPLOY, stale)
    assert str(e.value) == ('Operation cannot be fulfilled on deployments.apps "web": the object has been modified; '
                            "please apply your changes to the latest version and try again")
    assert snapshot(store.root) == before


def test_an_update_without_a_resource_version_or_with_the_check_off_is_accepted(store):
    d = store.create(DEPLOY, deploy())
    blind = copy.deepcopy(d)
    del blind["metadata"]["resourceVersion"]
    blind["spec"]["replicas"] = 2
    assert store.update(DEPLOY, blind)[1]
    stale = copy.deepcopy(d)
    stale["spec"]["replicas"] = 3
    assert store.update(DEPLOY, stale, check_rv=False)[0]["spec"]["replicas"] == 3


def test_callers_cannot_change_the_fields_the_store_owns(store):
    d = store.create(DEPLOY, deploy())
    forged = copy.deepcopy(d)
    forged["metadata"].update(uid="forged", creationTimestamp="1999-01-01T00:00:00Z", generation=99)
    forged["spec"]["replicas"] = 2
    out, _ = store.update(DEPLOY, forged)
    assert out["metadata"]["uid"] == d["metadata"]["uid"]
    assert out["metadata"]["creationTimestamp"] == T0
    assert out["metadata"]["generation"] == 2


def test_updating_a_missing_object_is_not_found_and_writes_nothing(store):
    before = snapshot(store.root)
    with pytest.raises(NotFound):
        store.update(CM, cm("ghost"))
    assert snapshot(store.root) == before


def test_a_dry_run_update_writes_nothing(store):
    d = store.create(DEPLOY, deploy())
    before = snapshot(store.root)
    d = copy.deepcopy(d)
    d["spec"]["replicas"] = 9
    out, changed = store.update(DEPLOY, d, dry_run=True)
    assert changed and out["spec"]["replicas"] == 9
    assert snapshot(store.root) == before


# -- delete and finalizers ----------------------------------------------------------------

def test_deleting_removes_the_file(store):
    store.create(CM, cm())
    obj, removed = store.delete(CM, "default", "c")
    assert removed and obj["metadata"]["name"] == "c"
    assert not store.exists(CM, "default", "c")


def test_deleting_a_missing_object_is_not_found(store):
    with pytest.raises(NotFound):
        store.delete(CM, "default", "ghost")


def test_an_object_with_finalizers_is_marked_for_deletion_not_removed(store):
    o = cm()
    o["metadata"]["finalizers"] = ["example.com/hold"]
    store.create(CM, o)
    marked, removed = store.delete(CM, "default", "c")
    assert not removed
    assert marked["metadata"]["deletionTimestamp"] == T0
    assert store.get(CM, "default", "c")["metadata"]["deletionTimestamp"] == T0
    # Deleting again changes nothing more.
    before = snapshot(store.root)
    assert store.delete(CM, "default", "c")[1] is False
    assert snapshot(store.root) == before
    # Clearing the last finalizer removes it.
    cur = store.get(CM, "default", "c")
    cur["metadata"]["finalizers"] = []
    store.update(CM, cur)
    assert not store.exists(CM, "default", "c")


def test_foreground_and_orphan_deletes_add_their_finalizer(store):
    store.create(DEPLOY, deploy())
    marked, removed = store.delete(DEPLOY, "default", "web", add_finalizers=("foregroundDeletion",))
    assert not removed and marked["metadata"]["finalizers"] == ["foregroundDeletion"]


def test_a_delete_with_a_wrong_uid_or_stale_resource_version_is_a_conflict(store):
    d = store.create(CM, cm())
    with pytest.raises(Conflict):
        store.delete(CM, "default", "c", uid="not-it")
    with pytest.raises(Conflict):
        store.delete(CM, "default", "c", rv="999999")
    assert store.delete(CM, "default", "c", uid=d["metadata"]["uid"], rv=d["metadata"]["resourceVersion"])[1]


def test_callers_cannot_clear_a_deletion_timestamp(store):
    o = cm()
    o["metadata"]["finalizers"] = ["x"]
    store.create(CM, o)
    store.delete(CM, "default", "c")
    cur = store.get(CM, "default", "c")
    del cur["metadata"]["deletionTimestamp"]
    cur["data"] = {"b": "2"}
    out, _ = store.update(CM, cur)
    assert out["metadata"]["deletionTimestamp"] == T0


# -- lists -----------------------------------------------------------------------------------

def test_lists_cover_one_namespace_or_all_sorted_by_namespace_and_name(store):
    for ns, name in (("b", "y"), ("a", "z"), ("a", "x")):
        store.create(CM, cm(name, ns))
    assert [o["metadata"]["name"] for o in store.list(CM, "a")] == ["x", "z"]
    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in store.list(CM)] == [("a", "x"), ("a", "z"), ("b", "y")]
    assert store.list(CM, "empty") == []
    assert store.list(DEPLOY) == []


def test_bad_files_are_skipped_in_lists_and_reported(store):
    store.create(CM, cm("good"))
    d = store.root / "registry/configmaps/default"
    (d / "garbage.yaml").write_text("a: [unclosed\n")
    (d / "scalar.yaml").write_text("just a string\n")
    (d / "not-yaml.txt").write_text("ignored: true\n")
    (d / ".hidden.yaml.tmp-1-abc").write_text("x")
    seen = []
    store.on_bad_file = seen.append
    objs = store.list(CM, "default")
    assert [o["metadata"]["name"] for o in objs] == ["good"]
    assert sorted(b.path.name for b in store.bad_files) == ["garbage.yaml", "scalar.yaml"]
    assert [b.path.name for b in seen] == [b.path.name for b in store.bad_files]
    assert all(str(b.path) in b.error for b in store.bad_files)


def test_getting_a_bad_file_is_a_state_error_naming_it(store):
    d = store.root / "registry/configmaps/default"
    d.mkdir(parents=True)
    (d / "broken.yaml").write_text("a: b: c\n")
    with pytest.raises(StateError) as e:
        store.get(CM, "default", "broken")
    assert "broken.yaml" in str(e.value)


def test_single_object_reads_and_writes_never_scan_a_directory(store, monkeypatch):
    for i in range(3):
        store.create(CM, cm(f"c{i}"))
    store.create(DEPLOY, deploy())

    def no_scan(*a, **k):
        raise AssertionError("a single-object operation scanned a directory")

    for target, name in ((os, "scandir"), (os, "listdir"), (os, "walk"), (Path, "iterdir"), (Path, "glob"), (Path, "rglob")):
        monkeypatch.setattr(target, name, no_scan)
    assert store.get(CM, "default", "c1")["metadata"]["name"] == "c1"
    assert store.try_get(CM, "default", "missing") is None
    assert store.exists(CM, "default", "c2")
    o = store.get(CM, "default", "c1")
    o["data"] = {"new": "value"}
    store.update(CM, o)
    store.delete(CM, "default", "c2")
    store.create(CM, cm("c9"))
    d = store.get(DEPLOY, "default", "web")
    d["spec"]["replicas"] = 4
    store.update(DEPLOY, d)
