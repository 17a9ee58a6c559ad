"""One YAML file per object, written atomically under one store lock."""
from __future__ import annotations

import errno
import os
import secrets
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from kubelite.api.fastcopy import clone
from kubelite.api import yamlemit, yamlio
from kubelite.api.kinds import Kind
from kubelite.clock import Clock
from kubelite.errors import AlreadyExists, Conflict, KubeliteError, NotFound, StateError
from kubelite.store.cache import ParseCache, key_of, pack, unpack
from kubelite.store.journal import Change, Journal, Record, folder_marks

RV_BLOCK = 1000  # resourceVersions reserved per counter write
RACY_NS = 1_000_000_000  # a folder changed this recently may change again within its mtime's tick
_LOCK_TIMEOUT = 30.0


@dataclass
class StoreEvent:
    """A write that happened: what a controller or the CLI reports."""

    verb: str  # created, updated, deleted, marked
    kind: Kind
    obj: dict


@dataclass
class BadFile:
    path: Path
    error: str


def _meta(obj: dict) -> dict:
    return obj.setdefault("metadata", {})


def blocks_removal(obj: dict) -> bool:
    """Whether finalizers keep an object marked for deletion from being removed.

    Namespaces also wait on spec.finalizers (the namespace controller's `kubernetes`).
    """
    if (obj.get("metadata") or {}).get("finalizers"):
        return True
    return obj.get("kind") == "Namespace" and bool((obj.get("spec") or {}).get("finalizers"))


class Store:
    """The state directory as an object store. All paths are derived, never scanned, for single objects."""

    def __init__(self, root: Path, clock: Clock | None = None):
        self.root = Path(root)
        self.registry = self.root / "registry"
        self.clock = clock or Clock.from_env()
        self._lock = None
        self._lock_depth = 0
        self._rv_key = str(self.root)
        self._rv_check = True  # the block must be checked against the counter before its next use
        self.bad_files: list[BadFile] = []
        self.on_bad_file: Callable[[BadFile], None] | None = None
        self.writes = 0
        self.cache = ParseCache(self.root)
        self._prefix = str(self.registry) + os.sep
        # Group commit: inside batch(), writes are held in memory, final path -> what to
        # write there (None: delete it). An object written twice in a batch reaches the
        # disk once. The commit writes fsync-less temporary files, makes them durable
        # together with one syncfs, then renames them into place.
        self._pending: dict[str, _Pending | None] | None = None
        self._pending_dirs: dict[str, set[str]] = {}  # folder -> its paths in _pending
        self._defer = False
        # The change journal (journal.py): a batch's changes are noted per object and
        # appended as one write at its commit; a write outside a batch appends its own.
        self.journal = Journal(self.root)
        self._notes: dict[str, _Note] = {}
        # The identities a full look for hand edits took in folders it found all kubelite's
        # own (folder path -> file name -> key): a pass's listings use them instead of a
        # second stat of every file. A folder's entry goes when this process writes in it,
        # and all go when the cache is flushed (a pass's end).
        self._looked: dict[str, dict[str, tuple[int, int, int]]] = {}

    # -- layout --------------------------------------------------------------
    def dir_for(self, kind: Kind, namespace: str | None = None) -> Path:
        d = self.registry / kind.dir
        return d / namespace if kind.namespaced and namespace else d

    def path_for(self, kind: Kind, namespace: str | None, name: str) -> Path:
        return Path(self._file(kind, namespace, name))

    def _file(self, kind: Kind, namespace: str | None, name: str) -> str:
        """path_for as a string: the store's own hot paths build no Path objects."""
        if kind.namespaced:
            return f"{self._prefix}{kind.dir}/{namespace or 'default'}/{name}.yaml"
        return f"{self._prefix}{kind.dir}/{name}.yaml"

    def _present(self, path: str) -> bool:
        """Whether path holds an object, counting this batch's pending writes and deletes."""
        entry = self._pending_entry(path)
        if entry is not _NOTHING:
            return entry is not None
        return os.path.exists(path)

    # -- locking -------------------------------------------------------------
    @contextmanager
    def locked(self, timeout: float = _LOCK_TIMEOUT) -> Iterator[None]:
        """Hold the store's write lock; re-entrant within one process."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        from filelock import FileLock, Timeout

        lockdir = self.root / "locks"
        try:
            lockdir.mkdir(mode=0o700, exist_ok=True)
        except OSError as e:
            raise StateError(f"cannot write to state directory {self.root}: {e.strerror}") from None
        lock = FileLock(str(lockdir / "store.lock"))
        waiting = None
        try:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                # Say so while we wait: a long holder (a reconcile pass) lets waiters in
                # between its commits instead of taking the lock straight back.
                waiting = lockdir / f"waiting-{os.getpid()}"
                try:
                    waiting.touch()
                except OSError:
                    waiting = None
                lock.acquire(timeout=timeout)
        except Timeout:
            raise StateError(f"timed out after {timeout:g}s waiting for the store lock {lockdir / 'store.lock'}") from None
        except OSError as e:
            raise StateError(f"cannot lock state directory {self.root}: {e.strerror}") from None
        finally:
            if waiting is not None:
                _unlink_quietly(waiting)
        self._lock_depth = 1
        # Another process may have reserved resourceVersions since we last held the lock.
        self._rv_check = True
        try:
            yield
        finally:
            self._lock_depth = 0
            lock.release()

    def has_waiters(self) -> bool:
        """Whether another process is waiting for the store lock (see locked()). Markers
        of processes that are gone (killed while waiting) are removed."""
        lockdir = self.root / "locks"
        try:
            names = [n for n in os.listdir(lockdir) if n.startswith("waiting-")]
        except OSError:
            return False
        alive = False
        for n in names:
            try:
                os.kill(int(n[len("waiting-"):]), 0)
                alive = True
            except ProcessLookupError:
                _unlink_quietly(lockdir / n)
            except (ValueError, PermissionError):
                alive = True  # not ours to judge: assume someone waits
        return alive

    @contextmanager
    def batch(self, defer: bool = False, timeout: float = _LOCK_TIMEOUT) -> Iterator[None]:
        """Hold the lock and commit every write made inside as a group: one syncfs, then renames.

        Each write goes to its temporary file at once, so a write that cannot be made
        fails where it is made. With defer (reconcile's passes), writes stay in memory
        until the commit instead, and an object written several times reaches the disk
        once; a failure then fails the whole commit before anything is renamed.

        A crash before the renames leaves every object as it was; a crash during them
        leaves each object old or new. Reads inside the batch see its pending writes;
        other processes see them after the commit.
        """
        with self.locked(timeout):
            if self._pending is not None:
                yield
                return
            self._pending, self._defer, self._pending_dirs, self._notes = {}, defer, {}, {}
            try:
                yield
            finally:
                pending, self._pending, self._defer, self._pending_dirs = self._pending, None, False, {}
                notes, self._notes = self._notes, {}
                try:
                    self._commit(pending, notes)
                except BaseException:
                    self._drop_rv_block()  # its reservation may not have reached the disk
                    raise

    def _commit(self, pending: dict[str, _Pending | None], notes: dict[str, _Note]) -> None:
        if not pending and not notes:
            return
        staged: list[tuple[str, str | None, os.stat_result | None, _Pending | None]] = []
        journaled = None

        def discard(items) -> None:
            for _, tmp, _, _ in items:
                if tmp is not None:
                    _unlink_quietly(tmp)

        try:
            for final, entry in pending.items():
                if entry is None:
                    staged.append((final, None, None, None))
                elif entry.tmp is not None:
                    staged.append((final, entry.tmp, entry.st, entry))
                else:
                    text = entry.text if entry.text is not None else yamlemit.dump(unpack(entry.data))
                    tmp, st = self._write_temp(final, text, sync=False)
                    staged.append((final, tmp, st, entry))
            # The journal's lines go before the renames, and become durable with them.
            stats = {final: st for final, _, st, _ in staged if st is not None}
            journaled = self.journal.append(sorted(r for path, note in notes.items() if path in stats or not note.alive
                                                   for r in note.records(stats.get(path))))
            if any(tmp is not None for _, tmp, _, _ in staged):
                _syncfs(self.root)
        except BaseException:  # nothing is renamed: every temporary file goes, Ctrl-C too
            discard([(None, e.tmp, None, None) for e in pending.values() if e is not None and e.tmp is not None])
            discard(staged)
            self.journal.cut(journaled)
            raise
        # Raw files (the resourceVersion counter) first: objects carrying resourceVersions
        # from a newly reserved block may appear only once the reservation has.
        raws = [x for x in staged if x[3] is not None and x[3].data is None]
        rest = [x for x in staged if not (x[3] is not None and x[3].data is None)]
        for i, (final, tmp, _, _) in enumerate(raws):
            try:
                os.replace(tmp, final)
            except OSError as e:
                discard(raws[i:] + rest)
                self.journal.cut(journaled)
                raise StateError(f"committing writes to {self.root}: {e.strerror}; nothing was changed") from None
        failure = None
        for final, tmp, st, entry in rest:
            try:
                if tmp is None:
                    try:
                        os.unlink(final)
                    except FileNotFoundError:
                        pass
                else:
                    os.replace(tmp, final)
            except OSError as e:  # each object stays whole: old or new
                failure = failure or e
                if tmp is not None:
                    _unlink_quietly(tmp)
                continue
            if entry is not None and entry.data is not None:
                self._cache_put(final, st, entry.data)
        if failure is not None:
            raise StateError(f"committing writes to {self.root}: {failure.strerror}")

    def _has_objects(self) -> bool:
        try:
            with os.scandir(self.registry) as it:
                for d in it:
                    if d.is_dir() and any(True for _ in os.scandir(d.path)):
                        return True
        except FileNotFoundError:
            return False
        return False

    def _pending_entry(self, path: Path | str):
        """A batch's pending write to path: _Pending, None for a delete, or _NOTHING."""
        if not self._pending:
            return _NOTHING
        return self._pending.get(str(path), _NOTHING)

    def _next_rv(self) -> str:
        """A resourceVersion greater than any issued before, across processes.

        The counter file holds the end of the last block reserved (written, fsynced and
        renamed before any object holding a resourceVersion from it). This process keeps
        its block across lock holds, shared by its threads' stores, for as long as the
        counter still holds that block's end: no other process has reserved since, so
        none of the block was issued elsewhere. A run of writes then costs one counter
        write per RV_BLOCK, not one each. A forked child, a failed commit, or a counter
        that moved reserve a new block; a crash leaves a gap, never a repeat."""
        assert self._lock_depth, "resourceVersions are issued only under the store lock"
        block = _BLOCKS.get(self._rv_key)
        if self._rv_check:
            self._rv_check = False
            if block is not None and (block.pid != os.getpid() or self._counter_text().strip() != str(block.end)):
                block = None
        if block is None or block.next > block.end:
            block = self._reserve_rv_block()
        rv = block.next
        block.next += 1
        return str(rv)

    def _reserve_rv_block(self) -> _Block:
        """Reserve the next RV_BLOCK resourceVersions (under the store lock): the counter
        moves, so every other process's block is given up at its next lock hold."""
        path = self.root / "resource-version"
        try:
            current = int(self._counter_text(missing_ok=False).strip() or 0)
        except FileNotFoundError:
            # Normal only for a store with no objects yet: otherwise counting from 0
            # would hand out resourceVersions that objects already hold.
            if self._has_objects():
                raise StateError(f"resourceVersion counter {path} is missing; run `kubelite doctor --fix`") from None
            current = 0
        except ValueError:
            raise StateError(f"corrupt resourceVersion counter {path}; run `kubelite doctor`") from None
        # Reserve a block first: a crash after this point leaves a gap, never a repeat.
        _BLOCKS.pop(self._rv_key, None)
        self._atomic_write(path, f"{current + RV_BLOCK}\n")
        block = _BLOCKS[self._rv_key] = _Block(os.getpid(), current + 1, current + RV_BLOCK)
        return block

    def _counter_text(self, missing_ok: bool = True) -> str:
        """The counter as this lock hold sees it (a batch's pending reservation included)."""
        path = self.root / "resource-version"
        entry = self._pending_entry(path)
        if isinstance(entry, _Pending):
            return entry.text or ""
        try:
            return path.read_text()
        except FileNotFoundError:
            if missing_ok:
                return ""
            raise
        except OSError:
            return ""

    def _drop_rv_block(self) -> None:
        """Forget this process's block: the next resourceVersion reserves a new one."""
        _BLOCKS.pop(self._rv_key, None)

    # -- raw file access -----------------------------------------------------
    def _write_temp(self, final: str, text: str, sync: bool) -> tuple[str, os.stat_result]:
        """A new temporary file beside final holding text: (its path, its stat)."""
        parent, _, name = final.rpartition(os.sep)
        tmp = f"{parent}{os.sep}.{name}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
        try:
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileNotFoundError:
                os.makedirs(parent, mode=0o700, exist_ok=True)
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(text.encode("utf-8"))
                while view:
                    n = os.write(fd, view)
                    view = view[n:]
                if sync:
                    os.fsync(fd)
                st = os.fstat(fd)
            finally:
                os.close(fd)
        except OSError as e:
            _unlink_quietly(tmp)
            raise self._write_error(e, final) from None
        return tmp, st

    def _write_error(self, e: OSError, final: str) -> StateError:
        if e.errno == errno.ENOSPC:
            return StateError(f"no space left on device writing {final}; nothing was changed")
        if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StateError(f"cannot write to state directory {self.root}: {e.strerror}")
        return StateError(f"writing {final}: {e.strerror}")

    def _atomic_write(self, path: Path | str, text: str | None, data: bytes | None = None,
                      note: _Note | None = None) -> None:
        """Temporary file, fsync, rename: a crash leaves the old file or the new one, never a torn one.

        An object's write passes its cache blob (and text=None: the YAML is made from it
        when written). Inside batch() the write is held until the batch commits.
        """
        final = str(path)
        if self._pending is not None:
            if self._defer:
                entry = _Pending(data, text)
            else:
                tmp, st = self._write_temp(final, text if text is not None else yamlemit.dump(unpack(data)), sync=False)
                entry = _Pending(data, text, tmp, st)
            old = self._pending.get(final)
            if old is not None and old.tmp is not None:
                _unlink_quietly(old.tmp)
            # Assignment keeps a path's first place in the commit order: the resourceVersion
            # counter, reserved before the objects that use it, is renamed before them.
            self._pending[final] = entry
            self._pending_dirs.setdefault(os.path.dirname(final), set()).add(final)
            self.writes += 1
            return
        if text is None:
            text = yamlemit.dump(unpack(data))
        tmp, st = self._write_temp(final, text, sync=True)
        journaled = self.journal.append(note.records(st)) if note is not None else None
        try:
            os.replace(tmp, final)
        except OSError as e:
            _unlink_quietly(tmp)
            self.journal.cut(journaled)
            raise self._write_error(e, final) from None
        self.writes += 1
        if data is not None:
            self._cache_put(final, st, data)

    def _cache_put(self, final: str, st: os.stat_result, data: bytes) -> None:
        if final.startswith(self._prefix):
            rel = final[len(self._prefix):]
            self.cache.put(rel.split("/", 1)[0], rel, key_of(st), data)

    def _write_object(self, path: str, obj: dict, created: bool) -> None:
        """Write an object whose metadata.resourceVersion is new; created: it was absent."""
        group, rv = (obj.get("apiVersion") or "").rpartition("/")[0], int(obj["metadata"]["resourceVersion"])
        if self._pending is None:  # the line is appended between the temporary file and its rename
            note = self._note(path, group, not created)
            note.write(rv)
            self._atomic_write(path, yamlemit.dump(obj), pack(obj), note)
            return
        if self._defer:  # reconcile: objects controllers built from unpacked ones
            self._atomic_write(path, None, pack(obj, share=False))
        else:
            self._atomic_write(path, yamlemit.dump(obj), pack(obj))
        self._note(path, group, not created).write(rv)  # noted only once the write is held

    def _note(self, path: str, group: str, existed: bool) -> _Note:
        """The journal's note of what this commit does to path (kept across a batch)."""
        if self._looked:
            self._looked.pop(path.rpartition(os.sep)[0], None)  # its folder's identities are old now
        note = self._notes.get(path) if self._pending is not None else None
        if note is None:
            parts = path[len(self._prefix):-len(".yaml")].split("/")
            ns, name = (parts[1], parts[2]) if len(parts) == 3 else ("", parts[-1])
            note = _Note(parts[0], group, ns, name, existed)
            if self._pending is not None:
                self._notes[path] = note
        return note

    def flush_cache(self, fold_recent: bool = False) -> None:
        self._looked = {}
        self.cache.flush(fold_recent)

    def _unpack_hit(self, plural: str, rel: str, blob: bytes) -> dict | None:
        """A cache hit's object; None (and the entry dropped) when the blob is damaged, so
        the file is parsed again: the cache is never a reason a read fails."""
        try:
            obj = unpack(blob)
        except (ValueError, EOFError, TypeError):
            obj = None
        if type(obj) is not dict:
            self.cache.drop(plural, rel)
            return None
        return obj

    def _rel(self, path: Path | str) -> str | None:
        """`pods/default/web.yaml` for a registry path (string slicing: this is a hot path)."""
        p = str(path)
        return p[len(self._prefix):] if p.startswith(self._prefix) else None

    def read_path(self, path: Path | str) -> dict:
        """Parse one object file (through the parse cache); StateError names the file when it is bad."""
        entry = self._pending_entry(path)
        if entry is not _NOTHING:
            if entry is None:
                raise FileNotFoundError(str(path))
            return unpack(entry.data)
        rel = self._rel(path)
        plural = rel.split("/", 1)[0] if rel else ""
        if rel is not None:
            try:
                st = os.stat(path)
            except FileNotFoundError:
                raise
            except OSError as e:
                raise StateError(f"cannot read {path}: {e.strerror}") from None
            hit = self.cache.get(plural, rel, key_of(st))
            if hit is not None:
                obj = self._unpack_hit(plural, rel, hit)
                if obj is not None:
                    return obj
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise
        except OSError as e:
            raise StateError(f"cannot read {path}: {e.strerror}") from None
        try:
            st = os.fstat(fd)
            with os.fdopen(fd, "rb", closefd=False) as f:
                text = f.read()
        except OSError as e:
            raise StateError(f"cannot read {path}: {e.strerror}") from None
        finally:
            os.close(fd)
        obj = _load_dumped(text)  # a file as kubelite wrote it: 20x faster than a YAML parser
        if obj is None:
            try:
                obj = yamlio.load_one(text, str(path))
            except KubeliteError as e:
                raise StateError(f"bad object file {path}: {e.message}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
            raise StateError(f"bad object file {path}: not a Kubernetes object")
        if rel is not None:
            problem = _path_problem(rel, obj)
            if problem:
                raise StateError(f"bad object file {path}: {problem}")
            blob = pack(obj)
            self.cache.put(plural, rel, key_of(st), blob)
            return unpack(blob)  # as a cache hit would be: strings shared, and so what is built from it
        return obj

    # -- reads ---------------------------------------------------------------
    def try_get(self, kind: Kind, namespace: str | None, name: str) -> dict | None:
        try:
            return self.read_path(self._file(kind, namespace, name))
        except FileNotFoundError:
            return None

    def get(self, kind: Kind, namespace: str | None, name: str) -> dict:
        obj = self.try_get(kind, namespace, name)
        if obj is None:
            raise NotFound(kind.resource, name)
        return obj

    def exists(self, kind: Kind, namespace: str | None, name: str) -> bool:
        return self._present(self._file(kind, namespace, name))

    def paths(self, kind: Kind, namespace: str | None = None) -> Iterator[Path]:
        """Object files of a kind (in one namespace or all), sorted; temp files are skipped."""
        base = self.registry / kind.dir
        if kind.namespaced:
            if namespace:
                dirs = [base / namespace]
            else:
                try:
                    dirs = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
                except FileNotFoundError:
                    return
        else:
            dirs = [base]
        for d in dirs:
            try:
                names = sorted(e.name for e in os.scandir(d) if e.name.endswith(".yaml") and not e.name.startswith("."))
            except FileNotFoundError:
                continue
            for n in names:
                yield d / n

    def names(self, kind: Kind, namespace: str | None = None) -> list[tuple[str | None, str]]:
        """(namespace, name) of every object file of a kind on disk, in list()'s order, from
        the file names alone: no file is opened, so a file that does not parse is named too."""
        from kubelite.store.names import object_names

        return object_names(str(self.registry), kind.dir, kind.namespaced, namespace)

    def project(self, kind: Kind, tag: str, fn: Callable[[dict], str]) -> Iterator[tuple[str, str]]:
        """(path, fn(object)) for every readable object of a kind, in no particular order,
        with fn's answers (strings) kept in the parse cache by file identity; tag names fn.

        For a pass that needs a field of every object of a large kind and keeps none (event
        expiry): an unchanged file costs one stat, neither its blob nor an unpack. Files
        changed or created since (by kubelite or by hand) are read and fn runs again;
        objects pending in this batch are read from the batch and not remembered."""
        table = self.cache.projection(kind.dir, tag)
        changed = False
        prefix_len = len(self._prefix)
        pending = self._pending
        folders = set()
        for d in self._dirs(kind, None):
            folder = d[prefix_len:]
            folders.add(folder)
            old = table.get(folder) or {}
            new: dict[str, str] = {}
            looked = self._looked.get(d)
            found, names = self._entries(d, sort=False)
            for name in names:
                path = f"{d}{os.sep}{name}"
                e = found.get(name)
                key = None
                if e is not None and (not pending or path not in pending):
                    ident = self._identity(e, looked)
                    if ident is None:
                        continue
                    key = f"{ident[0]}.{ident[1]}.{ident[2]} "
                    hit = old.get(name)
                    if type(hit) is str and hit.startswith(key):
                        new[name] = hit
                        yield path, hit[len(key):]
                        continue
                try:
                    obj = self.read_path(path)
                except (FileNotFoundError, StateError):
                    continue  # gone, or a bad file: the pass's listings report those
                value = fn(obj)
                if key is not None:
                    new[name] = key + value
                    changed = True
                yield path, value
            if len(new) != len(old):
                changed = True
            if new or folder in table:
                table[folder] = new
        for folder in [f for f in table if f not in folders]:
            del table[folder]
            changed = True
        if changed:
            self.cache.mark_projection(kind.dir, tag)

    def list(self, kind: Kind, namespace: str | None = None) -> list[dict]:
        """Every readable object of a kind, in path order. Bad files are skipped and reported.

        The hot path of every pass: one scandir per directory, one stat per file, and
        an unpack of the cached object; only new or changed files are parsed as YAML.
        Inside a batch its pending writes count: created objects are listed, deleted not.
        """
        return [obj for _, obj in self._each(kind, namespace, sort=True)]

    def _each(self, kind: Kind, namespace: str | None, sort: bool) -> Iterator[tuple[str, dict]]:
        seen: set[str] = set()
        table = self.cache.table(kind.dir)
        prefix_len = len(self._prefix)
        pending = self._pending
        for d in self._dirs(kind, namespace):
            looked = self._looked.get(d)
            found, names = self._entries(d, sort)
            for name in names:
                path = f"{d}{os.sep}{name}"
                rel = path[prefix_len:]
                seen.add(rel)
                e = found.get(name)
                if e is not None and (not pending or path not in pending):
                    key = self._identity(e, looked)
                    if key is None:
                        continue
                    hit = table.get(rel)
                    if hit is not None and hit[0] == key:
                        obj = self._unpack_hit(kind.dir, rel, hit[1])
                        if obj is not None:
                            yield path, obj
                            continue
                try:
                    yield path, self.read_path(path)
                except FileNotFoundError:
                    continue  # deleted while we listed, or by this batch
                except StateError as err:
                    bad = BadFile(Path(path), err.message)
                    self.bad_files.append(bad)
                    if self.on_bad_file:
                        self.on_bad_file(bad)
        if namespace is None or not kind.namespaced:
            self.cache.prune(kind.dir, seen)

    def _entries(self, d: str, sort: bool) -> tuple[dict[str, os.DirEntry], list[str]]:
        """A folder's object files as scandir found them, and the names to visit: those and
        the files this batch creates (not on disk yet)."""
        try:
            with os.scandir(d) as it:
                found = {e.name: e for e in it if e.name.endswith(".yaml") and e.name[0] != "."}
        except (FileNotFoundError, NotADirectoryError):
            found = {}
        names = list(found)
        if self._pending:
            names += [p[len(d) + 1:] for p in self._pending_dirs.get(d, ()) if p[len(d) + 1:] not in found]
        if sort:
            names.sort()
        return found, names

    @staticmethod
    def _identity(e: os.DirEntry, looked: dict | None) -> tuple[int, int, int] | None:
        """A listed file's (inode, size, mtime_ns): as the pass's full look took it, else
        from a stat; None when the file is gone."""
        key = looked.get(e.name) if looked else None
        if key is None:
            try:
                st = e.stat()
            except FileNotFoundError:
                return None
            key = (st.st_ino, st.st_size, st.st_mtime_ns)
        return key

    def _dirs(self, kind: Kind, namespace: str | None) -> list[str]:
        base = self._prefix + kind.dir
        if not kind.namespaced:
            return [base]
        if namespace:
            return [base + os.sep + namespace]
        try:
            with os.scandir(base) as it:
                dirs = {e.path for e in it if e.name[0] != "." and e.is_dir()}
        except FileNotFoundError:
            dirs = set()
        dirs.update(d for d in self._pending_dirs if os.path.dirname(d) == base)  # made at commit
        return sorted(dirs)

    # -- writes --------------------------------------------------------------
    def create(self, kind: Kind, obj: dict, dry_run: bool = False, uid: str | None = None) -> dict:
        """Store a new object; fills uid, creationTimestamp, resourceVersion, generation.

        `uid`: one the API server assigned already (a Job's generated selector names it)."""
        meta = _meta(obj)
        name, ns = meta.get("name"), meta.get("namespace")
        with self.locked():
            path = self._file(kind, ns, name)
            if self._present(path):
                raise AlreadyExists(kind.resource, name)
            meta["uid"] = uid or str(uuid.uuid4())
            meta["creationTimestamp"] = self.clock.stamp()
            if kind.has_spec:
                meta["generation"] = 1
            for k in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
                meta.pop(k, None)
            if dry_run:
                meta.pop("resourceVersion", None)
                return obj
            meta["resourceVersion"] = self._next_rv()
            self._write_object(path, obj, created=True)
        return obj

    def update(self, kind: Kind, obj: dict, *, check_rv: bool = True, dry_run: bool = False,
               current: dict | None = None) -> tuple[dict, bool]:
        """Replace an object. Returns (stored object, changed).

        With check_rv, an object carrying a stale resourceVersion is a Conflict and writes nothing.
        An update that changes nothing writes nothing and keeps the resourceVersion.
        Clearing the last finalizer of an object marked for deletion removes it.
        `current` may pass the stored object the caller just read under this same lock.
        """
        meta = _meta(obj)
        name, ns = meta.get("name"), meta.get("namespace")
        with self.locked():
            path = self._file(kind, ns, name)
            if current is None:
                try:
                    current = self.read_path(path)
                except FileNotFoundError:
                    raise NotFound(kind.resource, name) from None
            cmeta = current["metadata"]
            want_rv = meta.get("resourceVersion")
            if check_rv and want_rv and want_rv != cmeta.get("resourceVersion"):
                raise Conflict(kind.resource, name)
            # The store owns these fields: callers cannot change them.
            for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
                if k in cmeta:
                    meta[k] = cmeta[k]
                else:
                    meta.pop(k, None)
            if kind.has_spec:
                gen = cmeta.get("generation", 1)
                if obj.get("spec") != current.get("spec"):
                    gen += 1
                meta["generation"] = gen
            meta["resourceVersion"] = cmeta.get("resourceVersion")
            if meta.get("deletionTimestamp") and not blocks_removal(obj):
                if not dry_run:
                    self._remove(path, kind.group)
                return obj, True
            if obj == current:
                return current, False
            if dry_run:
                return obj, True
            meta["resourceVersion"] = self._next_rv()
            self._write_object(path, obj, created=False)
        return obj, True

    def delete(self, kind: Kind, namespace: str | None, name: str, *, uid: str | None = None,
               rv: str | None = None, add_finalizers: tuple[str, ...] = (), dry_run: bool = False) -> tuple[dict, bool]:
        """Delete, or mark for deletion when finalizers remain. Returns (object, removed_now)."""
        with self.locked():
            path = self._file(kind, namespace, name)
            try:
                current = self.read_path(path)
            except FileNotFoundError:
                raise NotFound(kind.resource, name) from None
            meta = current["metadata"]
            if uid and meta.get("uid") != uid:
                raise Conflict(kind.resource, name, f"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta.get('uid')}")
            if rv and meta.get("resourceVersion") != rv:
                raise Conflict(kind.resource, name)
            finalizers = list(meta.get("finalizers") or [])
            for f in add_finalizers:
                if f not in finalizers and not meta.get("deletionTimestamp"):
                    finalizers.append(f)
            if not finalizers and not blocks_removal(current):
                if not dry_run:
                    self._remove(path, kind.group)
                return current, True
            if meta.get("deletionTimestamp") and list(meta.get("finalizers") or []) == finalizers:
                return current, False  # already being deleted
            updated = clone(current)
            um = updated["metadata"]
            if finalizers:
                um["finalizers"] = finalizers
            if updated.get("kind") == "Namespace":
                updated.setdefault("status", {})["phase"] = "Terminating"
            um.setdefault("deletionTimestamp", self.clock.stamp())
            um.setdefault("deletionGracePeriodSeconds", 0)
            if not dry_run:
                um["resourceVersion"] = self._next_rv()
                self._write_object(path, updated, created=False)
            return updated, False

    def _remove(self, path: str, group: str) -> None:
        """Delete an object's file; a deletion takes a resourceVersion of its own, as upstream."""
        rv = int(self._next_rv())
        note = self._note(path, group, True)
        note.remove(rv)
        if self._pending is not None:  # inside a batch: the unlink happens at commit
            old = self._pending.get(path)
            if old is not None and old.tmp is not None:
                _unlink_quietly(old.tmp)
            self._pending[path] = None
        else:
            journaled = self.journal.append(note.records(None))
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            except OSError as e:
                self.journal.cut(journaled)
                raise StateError(f"cannot delete {path}: {e.strerror}") from None
        self.writes += 1
        rel = self._rel(path)
        if rel is not None:
            self.cache.drop(rel.split("/", 1)[0], rel)

    # -- the change journal ---------------------------------------------------------------
    def changes_since(self, rv: int) -> list[Change] | None:
        """Committed changes with a resourceVersion above rv, oldest first; None when rv is
        older than the journal's horizon or the journal is missing or unreadable (history
        unknown: a watcher answers 410 Gone and the client lists again)."""
        return self.journal.changes_since(rv)

    def current_rv(self) -> int:
        """The resourceVersion of the last committed change (no lock, reads the journal's
        tail); without a readable journal, the counter: at least every one issued."""
        rv = self.journal.last_rv()
        return rv if rv is not None else self._counter_value()

    def _counter_value(self) -> int:
        try:
            return int((self.root / "resource-version").read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    def adopt_hand_edits(self, full: bool = False, timeout: float = _LOCK_TIMEOUT) -> list[Change]:
        """Give object files changed by hand a fresh resourceVersion, and journal them.

        A file is kubelite's own when its identity (inode, size, mtime) is the one its
        last journal line recorded, or, with no line for it, when it is older than the
        journal's history. Any other file was edited (MODIFIED) or created (ADDED) by
        hand, or its lines name a file that is gone (DELETED); each is journaled with a
        new resourceVersion, the edited and created files re-stamped with it. Files that
        do not parse are left alone (the reconcile pass reports them).

        Only folders whose mtime moved since the last call are looked at: a file saved
        by replacing it, as editors do, moves its folder's mtime; one rewritten in place
        does not, and is found with full=True (`kubelite reconcile --full`).
        Without a readable journal no file can be told from kubelite's own: the journal
        starts a new history instead.

        A caller that does not hold the store lock (serve's watches, every few seconds)
        first looks without it, and takes it (waiting up to `timeout`) only when some
        file is not kubelite's own: folders that moved only by kubelite's writes keep no
        writer waiting. A write racing that look can only make a file look foreign (then
        the look is made again under the lock), never hide a hand edit.
        """
        import json

        from kubelite.store.cache import ensure_dir

        marks_path = self.cache.dir / "folders.json"  # a cache: losing it costs one look at every folder
        try:
            old_marks = json.loads(marks_path.read_text())
        except (OSError, ValueError):
            old_marks = {}
        marks = folder_marks(str(self.registry))
        now = time.time_ns()
        # Creating, removing or renaming a file moves its folder's mtime; rewriting one in place does not.
        moved = {d for d, m in marks.items() if old_marks.get(d) != m} | {d for d in old_marks if d not in marks}
        if not moved and not full:
            return []

        def save_marks() -> None:
            # A folder changed within its mtime's tick of now may change again unseen: look again next time.
            kept = {d: (0 if now - m < RACY_NS else m) for d, m in marks.items()}
            if kept != old_marks and ensure_dir(self.root) is not None:
                tmp = marks_path.with_name(f".folders.json.tmp-{os.getpid()}-{secrets.token_hex(3)}")
                try:
                    tmp.write_text(json.dumps(kept, sort_keys=True))
                    os.replace(tmp, marks_path)
                except OSError:
                    _unlink_quietly(tmp)

        rewritten = None
        if full and not self._lock_depth:
            # In a folder that did not move, only a file rewritten in place can differ: look
            # without the lock first (a write racing the look can only make a file look
            # foreign); when none does, the journal is never parsed.
            rewritten = self._rewritten_in_place(marks, moved)
            if rewritten is not None:
                moved |= rewritten
                if not moved:
                    save_marks()
                    return []
        elif not full and not self._lock_depth:
            log = self.journal.read()
            if log is not None and not any(self._foreign(folder, *where)
                                           for folder, where in self._journaled(log, set(moved), marks).items()):
                save_marks()
                return []
        adopted: list[Change] = []
        with self.batch(timeout=timeout):
            log = self.journal.read()
            if log is None:
                # The new history starts above every resourceVersion issued so far, and every
                # one issued from now on (this process's or another's) is above it.
                self.journal.restart(self._reserve_rv_block().next - 1)
                log = self.journal.read()
                if log is None:
                    return []
            elif full and rewritten is None:
                moved |= self._rewritten_in_place(marks, moved) or set()
            for folder, (latest, live, since) in sorted(self._journaled(log, moved, marks).items()):
                adopted += self._adopt_folder(folder, latest, live, since)
            save_marks()
        return adopted

    def _journaled(self, log, moved: set[str], marks: dict[str, int]) -> dict[str, tuple[dict, set, int]]:
        """For each folder to look at: (the last journal record of each file named there,
        the files the journal says are there, the journal's `since`). The folders are the
        moved ones, and any the journal has files in that are gone (removed by hand)."""
        moved_kinds = {d for d in moved if "/" not in d}
        wanted = {tuple(d.split("/", 1)) for d in moved if "/" in d}
        latest: dict[str, Record] = {}
        for r in log.records:
            c = r.change
            if c.plural in moved_kinds or (c.plural, c.namespace) in wanted:
                latest[f"{c.plural}/{c.namespace}/{c.name}.yaml" if c.namespace else f"{c.plural}/{c.name}.yaml"] = r
        live: dict[str, set[str]] = {}  # folder -> files the journal says are there
        for rel, r in latest.items():
            if r.change.type != "DELETED":
                live.setdefault(rel.rpartition("/")[0], set()).add(rel)
        folders = moved | {d for d in live if d not in marks}  # folders gone, with what was in them
        return {d: (latest, live.get(d, set()), log.since) for d in folders}

    def _rewritten_in_place(self, marks: dict[str, int], moved: set[str]) -> set[str] | None:
        """Folders besides `moved` holding an object file that may not be kubelite's own
        (None: the journal cannot be read). A file is surely kubelite's when a journal
        line recorded its identity, or when no line names it and it predates the journal's
        history, the rule _foreign applies."""
        from kubelite.store.journal import file_keys, file_names, since_of

        text = self.journal.text()
        since = since_of(text) if text else None
        if since is None:
            return None
        known = file_keys(text)
        named: dict[str, set[str]] = {}  # folder -> names of the files lines name there
        for rel in file_names(text):
            folder, _, name = rel.rpartition("/")
            named.setdefault(folder, set()).add(name)
        out = set()
        for d in marks:
            if d in moved:
                continue
            keys = self._look(d, known, named.get(d, set()), since)
            if keys is None:
                out.add(d)
            elif keys:
                self._looked[self._prefix + d] = keys
        return out

    def _look(self, folder: str, known: set[str], named: set[str], since: int) -> dict[str, tuple[int, int, int]] | None:
        """The identities of a folder's object files by name, or None when one may be one
        _foreign calls foreign (`named`: the folder's files that journal lines name)."""
        keys = {}
        try:
            with os.scandir(self._prefix + folder) as it:
                for e in it:
                    if e.name.endswith(".yaml") and e.name[0] != "." and e.is_file():
                        st = e.stat()
                        key = keys[e.name] = (st.st_ino, st.st_size, st.st_mtime_ns)
                        if key[2] <= since and e.name not in named:
                            continue  # older than the history, and no line about it since
                        if f"{key[0]}.{key[1]}.{key[2]}" not in known:
                            return None
        except (FileNotFoundError, NotADirectoryError):
            pass
        return keys

    def _foreign(self, folder: str, latest: dict[str, Record], live, since: int) -> tuple[list[str], list[str]]:
        """A folder's files that are not kubelite's own (changed or created by hand), and the
        files the journal names there that are gone; empty lists when there are none."""
        base = self._prefix + folder
        found: dict[str, tuple[int, int, int]] = {}
        try:
            with os.scandir(base) as it:
                for e in it:
                    if e.name.endswith(".yaml") and e.name[0] != "." and e.is_file():
                        st = e.stat()
                        found[f"{folder}/{e.name}"] = (st.st_ino, st.st_size, st.st_mtime_ns)
        except (FileNotFoundError, NotADirectoryError):
            pass
        changed = []
        for rel in sorted(found):
            r = latest.get(rel)
            gone = r is None or r.change.type == "DELETED"
            if (r is not None and not gone and r.key == found[rel]) or (r is None and found[rel][2] <= since):
                continue
            changed.append(rel)
        removed = sorted(set(live) - set(found))
        return (changed, removed) if changed or removed else ()

    def _adopt_folder(self, folder: str, latest: dict[str, Record], live, since: int) -> list[Change]:
        changed, removed = self._foreign(folder, latest, live, since) or ((), ())
        out: list[Change] = []
        for rel in changed:
            r = latest.get(rel)
            gone = r is None or r.change.type == "DELETED"
            path = self._prefix + rel
            try:
                obj = self.read_path(path)
            except (FileNotFoundError, StateError):
                continue
            meta = obj["metadata"]
            meta["resourceVersion"] = self._next_rv()
            if not meta.get("uid"):
                meta["uid"] = str(uuid.uuid4())
            if not meta.get("creationTimestamp"):
                meta["creationTimestamp"] = self.clock.stamp()
            self._write_object(path, obj, created=gone)
            out.append(self._notes[path].records(None)[-1].change)
        for rel in removed:
            c = latest[rel].change
            rv = int(self._next_rv())
            note = self._note(self._prefix + rel, c.group, True)
            note.remove(rv)
            out.append(note.records(None)[-1].change)
        return out

    def namespaces_in_use(self, kind: Kind) -> list[str]:
        base = self.registry / kind.dir
        try:
            return sorted(p.name for p in base.iterdir() if p.is_dir())
        except FileNotFoundError:
            return []


@dataclass(slots=True)
class _Note:
    """What one commit does to one object, for the journal: one line for it (two when it
    was deleted and created again), however often the batch wrote it."""

    plural: str
    group: str
    namespace: str
    name: str
    existed: bool  # the object was there before the commit
    alive: bool = True
    first_delete: int | None = None  # resourceVersion of the first deletion of what existed
    last_rv: int = 0

    def write(self, rv: int) -> None:
        self.alive, self.last_rv = True, rv

    def remove(self, rv: int) -> None:
        if self.existed and self.first_delete is None:
            self.first_delete = rv
        self.alive, self.last_rv = False, rv

    def records(self, st: os.stat_result | None) -> list[Record]:
        def rec(rv: int, kind: str, key=None) -> Record:
            return Record(Change(rv, kind, self.plural, self.group, self.namespace, self.name), key)

        key = (st.st_ino, st.st_size, st.st_mtime_ns) if st is not None and self.alive else None
        if not self.alive:
            return [rec(self.last_rv, "DELETED")] if self.existed else []
        if not self.existed:
            return [rec(self.last_rv, "ADDED", key)]
        if self.first_delete is not None:
            return [rec(self.first_delete, "DELETED"), rec(self.last_rv, "ADDED", key)]
        return [rec(self.last_rv, "MODIFIED", key)]


@dataclass(slots=True)
class _Pending:
    """A write held by a batch: an object as its cache blob, or raw text (the rv counter),
    and its temporary file once written (at once, or at the commit with defer)."""

    data: bytes | None
    text: str | None
    tmp: str | None = None
    st: os.stat_result | None = None


_NOTHING = object()


@dataclass(slots=True)
class _Block:
    """A block of resourceVersions this process reserved: next to issue, the last one (the
    counter's value that reserved it), and the process (a forked child must not share it)."""

    pid: int
    next: int
    end: int


_BLOCKS: dict[str, _Block] = {}  # state directory -> this process's block; used under the store lock


def _load_dumped(data: bytes) -> dict | None:
    try:
        return yamlemit.load_dumped(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _unlink_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _syncfs(path: Path) -> None:
    """Flush the filesystem holding path (syncfs(2)); os.sync() where syncfs is missing."""
    global _libc
    try:
        if _libc is None:
            import ctypes
            import ctypes.util

            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fd = os.open(path, os.O_RDONLY)
        try:
            if _libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        pass
    os.sync()


_libc = None


def _path_problem(rel: str, obj: dict) -> str | None:
    """Why a parsed file is not the object its path names (a copied file, a truncation
    that still parses, a hand edit gone wrong), or None. Checked once per parse; cached
    objects passed it."""
    from kubelite.api import kinds
    from kubelite.api.objectfile import file_problem  # the api layer, not the API server above the store

    parts = rel[:-len(".yaml")].split("/")
    try:
        kind = kinds.resolve(parts[0])
    except KubeliteError:
        return None
    if kind.dir != parts[0]:
        return None
    ns, name = (parts[1], parts[2]) if kind.namespaced and len(parts) == 3 else (None, parts[-1])
    return file_problem(kind, obj, ns, name)
