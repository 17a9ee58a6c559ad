"""The store's change journal: one line per committed change, in resourceVersion order."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kubelite.api import kinds
from kubelite.store import Store
from kubelite.store.journal import Change, parse
from tests.conftest import REPO
from tests.store.test_store import cm, fail_a_commit_at_its_counter, store  # noqa: F401 (the fixture)

CM = kinds.by_kind("ConfigMap")
DEPLOY = kinds.by_kind("Deployment")
NODE = kinds.by_kind("Node")


def rv(obj: dict) -> int:
    return int(obj["metadata"]["resourceVersion"])


def log_of(store: Store):
    log = store.journal.read()
    assert log is not None
    return log


# -- what is journaled -----------------------------------------------------------------

def test_create_update_and_delete_are_journaled_with_their_resource_versions(store):
    a = rv(store.create(CM, cm("a")))
    b, _ = store.update(CM, dict(store.get(CM, "default", "a"), data={"a": "2"}))
    store.create(NODE, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    store.delete(CM, "default", "a")
    changes = store.changes_since(0)
    assert [(c.type, c.plural, c.namespace, c.name) for c in changes] == [
        ("ADDED", "configmaps", "default", "a"), ("MODIFIED", "configmaps", "default", "a"),
        ("ADDED", "nodes", "", "n1"), ("DELETED", "configmaps", "default", "a")]
    assert changes[0].rv == a and changes[1].rv == rv(b)
    assert changes[3].rv > changes[2].rv  # a deletion takes a resourceVersion of its own
    assert store.current_rv() == changes[3].rv


def test_the_group_is_journaled_for_grouped_kinds(store):
    store.create(DEPLOY, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                          "spec": {"selector": {"matchLabels": {"app": "web"}}}})
    (c,) = store.changes_since(0)
    assert (c.group, c.plural) == ("apps", "deployments")


def test_marking_for_deletion_is_a_modification_and_the_removal_a_deletion(store):
    store.create(CM, dict(cm("f"), metadata={"name": "f", "namespace": "default", "finalizers": ["x/y"]}))
    marked, removed = store.delete(CM, "default", "f")
    assert not removed
    cur = store.get(CM, "default", "f")
    store.update(CM, dict(cur, metadata=dict(cur["metadata"], finalizers=[])))
    assert [c.type for c in store.changes_since(0)] == ["ADDED", "MODIFIED", "DELETED"]


def test_dry_runs_and_unchanged_updates_journal_nothing(store):
    a = store.create(CM, cm("a"))
    before = store.journal.path.read_bytes()
    store.create(CM, cm("b"), dry_run=True)
    store.update(CM, dict(a, data={"a": "9"}), dry_run=True)
    store.update(CM, a)  # unchanged
    store.delete(CM, "default", "a", dry_run=True)
    assert store.journal.path.read_bytes() == before


def test_a_batch_journals_one_line_per_changed_object_with_its_last_resource_version(store):
    old = store.create(CM, cm("old"))
    gone = store.create(CM, cm("gone"))
    start = store.current_rv()
    with store.batch(defer=True):
        n = store.create(CM, cm("new"))
        n, _ = store.update(CM, dict(n, data={"a": "2"}))
        store.update(CM, dict(old, data={"a": "3"}))
        store.create(CM, cm("brief"))
        store.delete(CM, "default", "brief")  # created and deleted in one commit: never seen
        store.delete(CM, "default", "gone")
        again = store.create(CM, cm("gone"))  # deleted and created again: both
    changes = store.changes_since(start)
    assert [(c.type, c.name) for c in changes] == [
        ("ADDED", "new"), ("MODIFIED", "old"), ("DELETED", "gone"), ("ADDED", "gone")]
    assert changes[0].rv == rv(n) and changes[-1].rv == rv(again)
    assert [c.rv for c in changes] == sorted(c.rv for c in changes)
    assert gone["metadata"]["uid"] != again["metadata"]["uid"]


def test_a_commit_that_fails_before_its_renames_leaves_no_line(store, monkeypatch):
    store.create(CM, cm("a"))
    before = store.journal.path.read_bytes()
    fail_a_commit_at_its_counter(store, monkeypatch, "b")
    assert store.journal.path.read_bytes() == before


# -- across processes ------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from kubelite.api import kinds
    from kubelite.store import Store
    root, me, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    cm = kinds.by_kind("ConfigMap")
    s = Store(root)
    for i in range(n):
        obj = s.create(cm, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{me}-{i}", "namespace": "default"}, "data": {"i": "0"}})
        s.update(cm, dict(obj, data={"i": "1"}))
        if i % 3 == 0:
            s.delete(cm, "default", f"{me}-{i}")
        if i % 5 == 0:
            with s.batch(defer=True):
                s.create(cm, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{me}-b{i}", "namespace": "default"}})
                s.create(cm, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{me}-c{i}", "namespace": "default"}})
""")


def test_concurrent_writers_in_several_processes_journal_every_change_in_increasing_order(store):
    n, writers = 30, 4
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(store.root), f"w{k}", str(n)], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for k in range(writers)]
    try:
        for p in procs:
            assert p.wait(timeout=120) == 0, p.stderr.read().decode()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    log = parse(store.journal.path.read_text())  # None unless resourceVersions strictly increase
    assert log is not None and log.horizon == 0
    deletes, batched = len(range(0, n, 3)), len(range(0, n, 5))
    assert len(log.records) == writers * (2 * n + deletes + 2 * batched)
    last = {}
    for r in log.records:
        last[r.change.name] = r.change
    for obj in store.list(CM):
        c = last.pop(obj["metadata"]["name"])
        assert (c.type, c.rv) == ("MODIFIED" if "-b" not in c.name and "-c" not in c.name else "ADDED", rv(obj))
    assert {c.type for c in last.values()} == {"DELETED"}  # the rest were deleted


# -- damage ----------------------------------------------------------------------------

def test_a_torn_last_line_is_ignored_and_cut_by_the_next_writer(store):
    store.create(CM, cm("a"))
    whole = store.changes_since(0)
    with open(store.journal.path, "a") as f:
        f.write("999999 ADDED configmaps - default tor")  # a writer killed mid-append
    assert store.changes_since(0) == whole
    assert store.current_rv() == whole[-1].rv
    b = store.create(CM, cm("b"))
    assert [c.name for c in store.changes_since(0)] == ["a", "b"]
    assert store.current_rv() == rv(b)


def test_a_missing_journal_means_history_unknown_and_never_fails_a_write(store):
    a = store.create(CM, cm("a"))
    store.journal.path.unlink()
    assert store.changes_since(0) is None
    b = store.create(CM, cm("b"))
    assert store.changes_since(0) is None  # what came before b is unknown
    assert store.changes_since(rv(b) - 1) == [Change(rv(b), "ADDED", "configmaps", "", "default", "b")]
    assert rv(b) > rv(a)


def test_a_corrupt_journal_means_history_unknown_until_it_is_compacted(store):
    store.create(CM, cm("a"))
    text = store.journal.path.read_text()
    store.journal.path.write_text(text + "garbage in the middle\n")
    store.create(CM, cm("b"))
    assert store.changes_since(0) is None
    store.journal.compact()  # a journal that does not parse starts again
    c = store.create(CM, cm("c"))
    assert store.changes_since(rv(c) - 1) == [Change(rv(c), "ADDED", "configmaps", "", "default", "c")]


def test_an_unwritable_journal_does_not_fail_writes(store):
    store.create(CM, cm("a"))
    store.journal.path.unlink()
    store.journal.path.mkdir()  # appending fails
    store.create(CM, cm("b"))
    assert store.get(CM, "default", "b")
    assert store.changes_since(0) is None


def test_compaction_keeps_the_last_records_and_moves_the_horizon(store):
    store.journal.keep = 5
    objs = [store.create(CM, cm(f"c{i:02d}", pad="x" * 300)) for i in range(40)]
    log = log_of(store)
    assert 5 <= len(log.records) < 40
    assert log.horizon == rv(objs[-len(log.records) - 1])  # the last one dropped
    dropped = objs[:-len(log.records)]  # their files predate the history: `since` covers them
    assert log.since == max((store.root / "registry" / "configmaps" / "default" / f"{o['metadata']['name']}.yaml").stat().st_mtime_ns
                            for o in dropped)
    assert store.changes_since(log.horizon - 1) is None  # 410 Gone
    assert [c.rv for c in store.changes_since(log.horizon)] == [r.change.rv for r in log.records]
    assert store.changes_since(rv(objs[-2])) == [log.records[-1].change]
    assert store.journal.path.stat().st_size < 5 * 256 + 1000


def test_a_reader_that_follows_the_journal_always_agrees_with_a_full_parse(store):
    from kubelite.store.journal import Journal

    follower = Journal(store.root)  # one reader kept across every step, as serve's watch keeps it

    def agrees() -> None:
        text = store.journal.path.read_text() if store.journal.path.exists() else None
        assert follower.read() == (parse(text) if text is not None else None)

    store.journal.keep = 6
    for i in range(4):
        store.create(CM, cm(f"a{i}"))
        agrees()
    with open(store.journal.path, "a") as f:
        f.write("999999 ADDED configmaps - default tor")  # a writer killed mid-append
    agrees()
    store.create(CM, cm("b"))  # cuts the torn line, appends its own
    agrees()
    size = store.journal.path.stat().st_size
    store.create(CM, cm("c"))
    store.journal.cut(size)  # a commit that failed before its renames takes its line back
    store.create(CM, cm("d"))  # the same place now holds another line
    agrees()
    assert [c.name for c in follower.changes_since(0)] == ["a0", "a1", "a2", "a3", "b", "d"]
    for i in range(30):  # compactions replace the file
        store.create(CM, cm(f"e{i:02d}", pad="x" * 300))
        agrees()
    text = store.journal.path.read_text()
    store.journal.path.write_text(text + "garbage in the middle\n")
    store.create(CM, cm("f"))
    agrees()
    assert follower.read() is None
    store.journal.compact()  # starts again
    store.create(CM, cm("g"))
    agrees()
    assert [c.name for c in follower.changes_since(store.current_rv() - 1)] == ["g"]


# -- hand edits ------------------------------------------------------------------------

def edit_like_an_editor(path: Path, old: str, new: str) -> None:
    """Write a new file beside it and rename it over (what editors and sed -i do)."""
    tmp = path.with_name(path.name + ".swp")
    tmp.write_text(path.read_text().replace(old, new))
    os.replace(tmp, path)


def test_a_hand_edit_is_restamped_and_journaled_as_a_modification(store):
    a = store.create(CM, cm("a"))
    store.create(CM, cm("other"))
    store.adopt_hand_edits()
    start = store.current_rv()
    edit_like_an_editor(store.path_for(CM, "default", "a"), 'a: "1"', "a: edited")
    adopted = store.adopt_hand_edits()
    assert [(c.type, c.name) for c in adopted] == [("MODIFIED", "a")]
    assert store.changes_since(start) == adopted
    now = store.get(CM, "default", "a")
    assert now["data"] == {"a": "edited"} and rv(now) == adopted[0].rv > rv(a)
    assert store.adopt_hand_edits() == []  # adopted once


def test_files_created_and_removed_by_hand_are_journaled_as_added_and_deleted(store):
    store.create(CM, cm("keep"))
    store.create(CM, cm("doomed"))
    store.adopt_hand_edits()
    made = store.path_for(CM, "default", "byhand")
    made.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: byhand\n  namespace: default\ndata:\n  k: v\n")
    store.path_for(CM, "default", "doomed").unlink()
    adopted = store.adopt_hand_edits()
    assert sorted((c.type, c.name) for c in adopted) == [("ADDED", "byhand"), ("DELETED", "doomed")]
    obj = store.get(CM, "default", "byhand")
    assert obj["metadata"]["uid"] and rv(obj) == next(c.rv for c in adopted if c.type == "ADDED")


def test_an_in_place_rewrite_is_found_by_a_full_look(store):
    store.create(CM, cm("a"))
    path = store.path_for(CM, "default", "a")
    folder_mtime = path.parent.stat().st_mtime_ns - 10**10  # not so recent that it may move again unseen
    os.utime(path.parent, ns=(folder_mtime, folder_mtime))
    store.adopt_hand_edits()
    with open(path, "r+") as f:  # same file, same folder entries
        text = f.read().replace('a: "1"', 'a: "2"')
        f.seek(0)
        f.write(text)
        f.truncate()
    os.utime(path.parent, ns=(folder_mtime, folder_mtime))
    assert store.adopt_hand_edits() == []
    assert [(c.type, c.name) for c in store.adopt_hand_edits(full=True)] == [("MODIFIED", "a")]


def _rewrite_in_place(path: Path, old: str, new: str) -> None:
    """An edit that keeps the file and its folder's entries (the folder's mtime is kept too)."""
    folder = path.parent.stat().st_mtime_ns
    with open(path, "r+") as f:
        text = f.read().replace(old, new)
        f.seek(0)
        f.write(text)
        f.truncate()
    os.utime(path.parent, ns=(folder, folder))


def _settled(store, name: str) -> Path:
    """An object's file, in folders whose mtimes are not so recent that they may move again unseen."""
    path = store.path_for(CM, "default", name)
    for d in (path.parent, path.parent.parent):
        old = d.stat().st_mtime_ns - 10**10
        os.utime(d, ns=(old, old))
    return path


def test_a_full_look_over_files_older_than_the_history_parses_no_journal_line(store, monkeypatch):
    for name in ("a", "b"):
        store.create(CM, cm(name))
    store.journal.restart(store.current_rv())  # both files now predate the history, no line names them
    _settled(store, "a")
    store.adopt_hand_edits()

    def no_parse(*a, **k):
        raise AssertionError("the journal was parsed")

    monkeypatch.setattr(store.journal, "read", no_parse)
    assert store.adopt_hand_edits(full=True) == []


def test_a_full_look_checks_a_file_a_line_names_even_when_it_looks_older_than_the_history(store):
    store.create(CM, cm("a"))
    path = store.path_for(CM, "default", "a")
    written = path.stat().st_mtime_ns
    text = store.journal.path.read_text()
    head, _, lines = text.partition("\n")
    since = int(head.rsplit("since=", 1)[1])
    store.journal.path.write_text(head.replace(f"since={since}", f"since={written + 10**9}") + "\n" + lines)
    store.adopt_hand_edits()
    _rewrite_in_place(path, 'a: "1"', 'a: "22"')  # another size, then the old mtime back
    os.utime(path, ns=(written, written))
    assert [(c.type, c.name) for c in store.adopt_hand_edits(full=True)] == [("MODIFIED", "a")]


def _looked_and_rewritten(store) -> None:
    """`a` settled and cached, a full look that finds every file kubelite's own, then `a`
    rewritten in place (the next look adopts it)."""
    store.create(CM, cm("a", a="1"))
    path = _settled(store, "a")
    store.adopt_hand_edits()
    store.list(CM)
    assert store.adopt_hand_edits(full=True) == []
    _rewrite_in_place(path, 'a: "1"', 'a: "2"')


def test_listings_after_a_full_look_read_files_as_it_found_them_until_the_cache_is_flushed(store):
    _looked_and_rewritten(store)
    assert [o["data"] for o in store.list(CM)] == [{"a": "1"}]
    store.flush_cache()  # a pass's end
    assert [o["data"] for o in store.list(CM)] == [{"a": "2"}]


def test_a_write_in_a_folder_after_a_full_look_makes_its_listings_look_at_the_files_again(store):
    _looked_and_rewritten(store)
    store.create(CM, cm("b", b="1"))
    assert [o["data"] for o in store.list(CM)] == [{"a": "2"}, {"b": "1"}]


def test_files_a_bad_hand_edit_broke_are_left_to_the_pass(store):
    store.create(CM, cm("a"))
    store.adopt_hand_edits()
    edit_like_an_editor(store.path_for(CM, "default", "a"), "kind: ConfigMap", "kind: [")
    assert store.adopt_hand_edits() == []


def test_without_a_journal_adoption_starts_a_new_history(store):
    store.create(CM, cm("a"))
    store.journal.path.unlink()
    assert store.adopt_hand_edits() == []
    assert store.changes_since(store.current_rv()) == []
    b = store.create(CM, cm("b"))
    assert [c.name for c in store.changes_since(store.current_rv() - 1)] == ["b"] and rv(b) == store.current_rv()


def test_a_write_that_fails_in_a_batch_journals_nothing(store, monkeypatch):
    from kubelite.errors import StateError

    store.create(CM, cm("a"))
    before = store.journal.path.read_bytes()

    def full_disk(*a, **k):
        raise StateError("no space left on device")

    monkeypatch.setattr(store, "_write_temp", full_disk)
    with pytest.raises(StateError):
        with store.batch():
            store.create(CM, cm("b"))
    assert store.journal.path.read_bytes() == before


def test_changes_since_reads_a_long_journal_from_its_end_and_agrees_with_the_whole_file(store):
    with store.batch():
        for i in range(1500):  # well over the 64 KB first block, so the reader walks back
            store.create(CM, cm(f"cm-{i:04d}"))
    log = log_of(store)
    assert store.journal.path.stat().st_size > 64 * 1024
    rvs = [r.change.rv for r in log.records]
    for since in (rvs[0] - 1, rvs[0], rvs[10], rvs[len(rvs) // 2], rvs[-2], rvs[-1]):
        assert store.changes_since(since) == [r.change for r in log.records if r.change.rv > since]
    with open(store.journal.path, "r+b") as f:  # a damaged line among those asked for
        f.seek(-3000, os.SEEK_END)
        f.write(b"\xff garbage\n")
    assert store.changes_since(rvs[len(rvs) // 2]) is None


def test_folders_moved_only_by_kubelite_writes_are_looked_at_without_the_store_lock(store):
    from kubelite.errors import StateError

    store.create(CM, cm("a"))
    store.adopt_hand_edits()
    store.create(CM, cm("b"))  # moves the folder: kubelite's own write
    other = Store(store.root)
    with other.locked():  # another writer holds the lock the whole time
        assert store.adopt_hand_edits(timeout=0.1) == []
        edit_like_an_editor(store.path_for(CM, "default", "a"), 'a: "1"', "a: edited")
        with pytest.raises(StateError, match="timed out"):  # a foreign file needs the lock to be restamped
            store.adopt_hand_edits(timeout=0.1)
    assert [(c.type, c.name) for c in store.adopt_hand_edits()] == [("MODIFIED", "a")]
