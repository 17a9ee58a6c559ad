"""A parse cache for object files, so hot paths never re-parse unchanged YAML.

The YAML files stay the source of truth. Each parsed object is kept as a marshal blob
keyed by its file's identity (inode, size, mtime_ns): any write or hand edit changes
that identity, so an edit always wins and a stale entry is simply never used again.

Blobs come from pack(): marshal (three times faster to read than JSON, seven times to
write) with keys and short strings interned, so the objects a pass loads share one copy
of "metadata", "Running" or "nginx:1.25" instead of one each: 10,000 decoded pods take
about 60 MB instead of 130 MB.

Per kind the cache persists as <cache dir>/<plural>.<python tag>.cache: one marshal
dump of {relative path: ((inode, size, mtime_ns), blob)}. marshal's format belongs to
the Python version, hence the tag; a file that does not load is ignored (the files are
parsed again). It is rewritten (atomically, without fsync: losing it only costs a
re-parse) when a command that used it succeeds.

The cache lives outside the state directory, like kubectl's discovery cache: in
$KUBELITE_CACHE_DIR, else $XDG_CACHE_HOME/kubelite, else ~/.cache/kubelite, one folder
per state directory. Reads never change the state directory.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import secrets
import shutil
import sys
from pathlib import Path

Key = tuple[int, int, int]
FORMAT = 1  # bump when what a blob holds changes
SUFFIX = f".{sys.implementation.cache_tag}.cache"
_intern = sys.intern


def _shared(o):
    """A copy of JSON-shaped data with keys and short strings interned (tuples become lists,
    as JSON would make them)."""
    t = type(o)
    if t is dict:
        return {(_intern(k) if type(k) is str else k): _shared(v) for k, v in o.items()}
    if t is list or t is tuple:
        return [_shared(v) for v in o]
    if t is str and len(o) <= 64:
        return _intern(o)
    return o


def pack(obj, share: bool = True) -> bytes:
    """An object as a cache blob (also a snapshot: later changes to obj are not in it).

    share=False skips interning, for objects built from unpacked ones (controllers'
    writes: their clones keep the strings interned) where the walk would cost more
    than the few new strings it would share."""
    return marshal.dumps(_shared(obj) if share else obj)


unpack = marshal.loads  # a new object each call, sharing interned strings


def key_of(st: os.stat_result) -> Key:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def cache_base() -> Path:
    if os.environ.get("KUBELITE_CACHE_DIR"):
        return Path(os.environ["KUBELITE_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "kubelite"


def cache_dir_for(root: Path) -> Path:
    real = os.path.realpath(root)
    return cache_base() / hashlib.sha256(real.encode()).hexdigest()[:16]


def _prune_orphans(base: Path, keep: int = 64) -> None:
    """Drop caches of state directories that no longer exist, once there are many."""
    try:
        dirs = [d for d in base.iterdir() if d.is_dir()]
    except OSError:
        return
    if len(dirs) <= keep:
        return
    for d in dirs:
        try:
            owner = (d / "state-dir").read_text().strip()
        except OSError:
            owner = ""
        if not owner or not os.path.isdir(owner):
            shutil.rmtree(d, ignore_errors=True)


def ensure_dir(root: Path) -> Path | None:
    """The cache folder of a state directory, made if need be (None when it cannot be)."""
    d = cache_dir_for(root)
    try:
        fresh = not d.exists()
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
        if fresh:
            (d / "state-dir").write_text(os.path.realpath(root) + "\n")
            _prune_orphans(d.parent)
    except OSError:
        return None
    return d


class ParseCache:
    def __init__(self, root: Path):
        self.root = root
        self.dir = cache_dir_for(root)
        self.entries: dict[str, dict[str, tuple[Key, bytes]]] = {}
        self._loaded: set[str] = set()
        self.complete: set[str] = set()  # kinds whose every file was listed in this process
        self.dirty: set[str] = set()
        self.disabled = False
        # Entries written or dropped for kinds whose table is not loaded yet (None: dropped);
        # folded in when the table loads, so a pass never re-parses what it just wrote.
        self.recent: dict[str, dict[str, tuple[Key, bytes] | None]] = {}
        # Projections (see projection()): "<plural>.<tag>" -> rel path -> (key, value).
        self.projections: dict[str, dict[str, dict[str, str]]] = {}
        self.dirty_projections: set[str] = set()

    def _load(self, plural: str) -> dict[str, tuple[Key, bytes]]:
        if plural in self._loaded:
            return self.entries[plural]
        self._loaded.add(plural)
        table = self.entries[plural] = _read(self.dir / f"{plural}{SUFFIX}")
        for rel, entry in self.recent.pop(plural, {}).items():
            if entry is None:
                table.pop(rel, None)
            else:
                table[rel] = entry
            self.dirty.add(plural)
        return table

    def table(self, plural: str) -> dict[str, tuple[Key, bytes]]:
        """The entries of one kind (loaded from disk on first use): rel path -> (key, blob)."""
        return self._load(plural)

    # Single-object reads and writes use the cache only for kinds this process has
    # listed: loading a kind's whole cache to read one object would make a get O(N).
    def get(self, plural: str, rel: str, key: Key) -> bytes | None:
        if plural not in self._loaded:
            hit = self.recent.get(plural, {}).get(rel)
            return hit[1] if hit is not None and hit[0] == key else None
        hit = self.entries[plural].get(rel)
        if hit is not None and hit[0] == key:
            return hit[1]
        return None

    def put(self, plural: str, rel: str, key: Key, blob: bytes) -> None:
        if plural not in self._loaded:
            self.recent.setdefault(plural, {})[rel] = (key, blob)
            return
        table = self.entries[plural]
        if table.get(rel) != (key, blob):
            table[rel] = (key, blob)
            self.dirty.add(plural)

    def drop(self, plural: str, rel: str) -> None:
        if plural not in self._loaded:
            self.recent.setdefault(plural, {})[rel] = None
        elif self.entries[plural].pop(rel, None) is not None:
            self.dirty.add(plural)

    def prune(self, plural: str, present: set[str]) -> None:
        """After a full listing: forget files that are gone."""
        table = self._load(plural)
        for rel in [r for r in table if r not in present]:
            del table[rel]
            self.dirty.add(plural)
        self.complete.add(plural)

    def projection(self, plural: str, tag: str) -> dict[str, dict[str, str]]:
        """A kind's projection table, loaded on first use: folder (registry-relative) ->
        file name -> "<inode>.<size>.<mtime_ns> <value>", where value is the string one
        function (named by tag) makes of the file's object.

        For passes that need a field of every object of a large kind (the Events' last
        occurrence, to expire them) and keep none: a hit costs the stat that checks the
        identity, not the object's blob and its unpack, and one string per file loads
        five times faster than a tuple of the identity's ints. Like the object entries, a
        value is only used for the file identity it was computed from, so an edit always
        wins. The caller marks the table dirty (mark_projection) when it changes it."""
        name = f"{plural}.{tag}"
        table = self.projections.get(name)
        if table is None:
            table = self.projections[name] = _read_projection(self.dir / f"{name}{SUFFIX}")
        return table

    def mark_projection(self, plural: str, tag: str) -> None:
        self.dirty_projections.add(f"{plural}.{tag}")

    def _save(self, name: str, table: dict) -> None:
        tmp = self.dir / f".{name}{SUFFIX}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                marshal.dump((FORMAT, table), f)
            os.replace(tmp, self.dir / f"{name}{SUFFIX}")
            (self.dir / f"{name}.jsonl").unlink(missing_ok=True)  # an older kubelite's format
        except (OSError, ValueError):
            try:
                tmp.unlink()
            except OSError:
                pass

    def flush(self, fold_recent: bool = False) -> None:
        """Save changed kinds. With fold_recent (the reconcile runner, which has loaded
        most kinds anyway), kinds only written to are loaded and saved too; a one-object
        CLI write leaves them, so it never reads or rewrites a whole kind's cache."""
        if fold_recent:
            for plural in list(self.recent):
                self._load(plural)
        if self.disabled or not (self.dirty or self.dirty_projections) or ensure_dir(self.root) is None:
            return
        for plural in sorted(self.dirty):
            self._save(plural, self.entries.get(plural, {}))
        for name in sorted(self.dirty_projections):
            self._save(name, self.projections.get(name, {}))
        self.dirty.clear()
        self.dirty_projections.clear()


def _load_file(path: Path):
    """What a cache file holds after its format tag; None when it is missing, damaged or
    not one this kubelite wrote (the files are then parsed again)."""
    try:
        with open(path, "rb") as f:
            data = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if type(data) is not tuple or len(data) != 2 or data[0] != FORMAT or type(data[1]) is not dict:
        return None
    return data[1]


def _read(path: Path) -> dict[str, tuple[Key, bytes]]:
    """A kind's saved entries; {} when there are none or the file is not one this wrote."""
    table = _load_file(path)
    if table is None:
        return {}
    # Only the shape is checked: a key that is no (inode, size, mtime_ns) of ints never
    # equals a file's, so its entry is never used.
    bad = [rel for rel, entry in table.items()
           if not (type(rel) is str and type(entry) is tuple and len(entry) == 2 and type(entry[0]) is tuple
                   and type(entry[1]) is bytes)]
    for rel in bad:
        del table[rel]
    return table


def _read_projection(path: Path) -> dict[str, dict[str, str]]:
    """A projection's saved folders; a value that is not a str is a miss where it is used."""
    table = _load_file(path)
    if table is None:
        return {}
    for folder in [f for f, names in table.items() if type(f) is not str or type(names) is not dict]:
        del table[folder]
    return table
