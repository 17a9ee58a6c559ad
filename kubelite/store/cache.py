"""A parse cache for object files, so hot paths never re-parse unchanged YAML.

The YAML files stay the source of truth. Each parsed object is kept as compact JSON
keyed by its file's identity (inode, size, mtime_ns): any write or hand edit changes
that identity, so an edit always wins and a stale entry is simply never used again.

Per kind the cache persists as <cache dir>/<plural>.jsonl, one line per file:
`<relative path>\\t<inode>\\t<size>\\t<mtime_ns>\\t<json>`. It is rewritten (atomically,
without fsync: losing it only costs a re-parse) when a command that used it succeeds.

The cache lives outside the state directory, like kubectl's discovery cache: in
$KUBELITE_CACHE_DIR, else $XDG_CACHE_HOME/kubelite, else ~/.cache/kubelite, one folder
per state directory. Reads never change the state directory.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from pathlib import Path

Key = tuple[int, int, int]


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


class ParseCache:
    def __init__(self, root: Path):
        self.root = root
        self.dir = cache_dir_for(root)
        self.entries: dict[str, dict[str, tuple[Key, str]]] = {}
        self._loaded: set[str] = set()
        self.complete: set[str] = set()  # kinds whose every file was listed in this process
        self.dirty: set[str] = set()
        self.disabled = False
        # Entries written or dropped for kinds whose table is not loaded yet (None: dropped);
        # folded in when the table loads, so a pass never re-parses what it just wrote.
        self.recent: dict[str, dict[str, tuple[Key, str] | None]] = {}

    def _load(self, plural: str) -> dict[str, tuple[Key, str]]:
        table = self.entries.setdefault(plural, {})
        if plural in self._loaded:
            return table
        self._loaded.add(plural)
        try:
            with open(self.dir / f"{plural}.jsonl", encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t", 4)
                    if len(parts) != 5 or parts[0] in table:
                        continue
                    try:
                        table[parts[0]] = ((int(parts[1]), int(parts[2]), int(parts[3])), parts[4])
                    except ValueError:
                        continue
        except (OSError, UnicodeDecodeError):
            pass  # no cache yet, or a damaged one: files are parsed again
        for rel, entry in self.recent.pop(plural, {}).items():
            if entry is None:
                table.pop(rel, None)
            else:
                table[rel] = entry
            self.dirty.add(plural)
        return table

    def table(self, plural: str) -> dict[str, tuple[Key, str]]:
        """The entries of one kind (loaded from disk on first use): rel path -> (key, json)."""
        return self._load(plural)

    # Single-object reads and writes use the cache only for kinds this process has
    # listed: loading a kind's whole cache to read one object would make a get O(N).
    def get(self, plural: str, rel: str, key: Key) -> str | None:
        if plural not in self._loaded:
            hit = self.recent.get(plural, {}).get(rel)
            return hit[1] if hit is not None and hit[0] == key else None
        hit = self.entries[plural].get(rel)
        if hit is not None and hit[0] == key:
            return hit[1]
        return None

    def put(self, plural: str, rel: str, key: Key, text: str) -> None:
        if plural not in self._loaded:
            self.recent.setdefault(plural, {})[rel] = (key, text)
            return
        table = self.entries[plural]
        if table.get(rel) != (key, text):
            table[rel] = (key, text)
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

    def flush(self, fold_recent: bool = False) -> None:
        """Save changed kinds. With fold_recent (the reconcile runner, which has loaded
        most kinds anyway), kinds only written to are loaded and saved too; a one-object
        CLI write leaves them, so it never reads or rewrites a whole kind's cache."""
        if fold_recent:
            for plural in list(self.recent):
                self._load(plural)
        if self.disabled or not self.dirty:
            return
        try:
            fresh = not self.dir.exists()
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            if fresh:
                (self.dir / "state-dir").write_text(os.path.realpath(self.root) + "\n")
                _prune_orphans(self.dir.parent)
        except OSError:
            return
        for plural in sorted(self.dirty):
            table = self.entries.get(plural, {})
            tmp = self.dir / f".{plural}.jsonl.tmp-{os.getpid()}-{secrets.token_hex(3)}"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    for rel, ((ino, size, mtime), text) in table.items():
                        f.write(f"{rel}\t{ino}\t{size}\t{mtime}\t{text}\n")
                os.replace(tmp, self.dir / f"{plural}.jsonl")
            except OSError:
                try:
                    tmp.unlink()
                except OSError:
                    pass
        self.dirty.clear()
