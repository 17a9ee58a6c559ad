"""The store's change journal: one line per committed change, in resourceVersion order.

STATE/journal/changes is a text file that writers append to under the store lock,
one append per commit (a reconcile pass's group commit is one append)::

    #kubelite-journal 1 horizon=4000 since=1764770400123456789
    4001 ADDED pods - default web-7x9k2 1835021.912.1764770401000000000
    4002 MODIFIED deployments apps default web 1835022.1404.1764770401000000000
    4003 DELETED configmaps - default old -

Fields: resourceVersion, type (ADDED, MODIFIED, DELETED), plural, API group ("-" for
the core group), namespace ("-" for cluster-scoped), name, and the written file's
identity (inode.size.mtime_ns; "-" for a deletion), by which a hand edit is told from
kubelite's own write (see Store.adopt_hand_edits). Names never hold spaces.

Guarantees:
- resourceVersions strictly increase down the file; every committed write has its line.
  A line is appended before its commit's renames (and made durable with the commit's
  syncfs), so a crash between the two leaves a line whose object file still holds its
  older version; the next adoption of hand edits sees the mismatch and journals the
  file again with a fresh resourceVersion.
- Bounded: past KEEP * BYTES_PER_RECORD bytes the file is compacted to its last KEEP
  lines, and the header's horizon moves to the last resourceVersion dropped. History is
  complete after the horizon: changes_since(rv) answers None for rv < horizon.
- A torn last line (a writer killed mid-append) is ignored by readers and cut by the
  next writer. A missing or unreadable journal means "history unknown" (None) to
  readers and never fails a write: the next append starts a new file whose horizon is
  just before its first line.
"""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import NamedTuple

KEEP = 20_000  # lines kept by a compaction
BYTES_PER_RECORD = 160  # a compaction starts past KEEP times this many bytes (lines are ~100)
_MAGIC = "#kubelite-journal 1"
TYPES = ("ADDED", "MODIFIED", "DELETED")

Key = tuple[int, int, int]  # a file's (inode, size, mtime_ns)


class Change(NamedTuple):
    """One committed change to one object."""

    rv: int
    type: str  # ADDED, MODIFIED or DELETED
    plural: str
    group: str  # "" for the core group
    namespace: str  # "" for cluster-scoped objects
    name: str


class Record(NamedTuple):
    change: Change
    key: Key | None  # the written file's identity; None for a deletion


class Log(NamedTuple):
    horizon: int  # history is complete for resourceVersions above this
    since: int  # wall time (ns) before which a file without a record predates the history
    records: list[Record]


def format_record(r: Record) -> str:
    c = r.change
    key = "-" if r.key is None else f"{r.key[0]}.{r.key[1]}.{r.key[2]}"
    return f"{c.rv} {c.type} {c.plural} {c.group or '-'} {c.namespace or '-'} {c.name} {key}\n"


def _parse_record(line: str) -> Record | None:
    parts = line.split(" ")
    if len(parts) != 7 or parts[1] not in TYPES:
        return None
    try:
        rv = int(parts[0])
        key = None if parts[6] == "-" else tuple(int(x) for x in parts[6].split("."))
    except ValueError:
        return None
    if key is not None and len(key) != 3:
        return None
    group, ns = ("" if parts[3] == "-" else parts[3]), ("" if parts[4] == "-" else parts[4])
    return Record(Change(rv, parts[1], parts[2], group, ns, parts[5]), key)


_KEYS = None


def file_keys(text: str) -> set[str]:
    """The file identities ("inode.size.mtime_ns") a journal's lines recorded, found without
    parsing each line: a file that still has one was not changed since kubelite wrote it
    (any write moves its mtime)."""
    global _KEYS
    if _KEYS is None:
        import re

        _KEYS = re.compile(r" (\d+\.\d+\.\d+)$", re.M)
    return set(_KEYS.findall(text))


_NAMES = None


def file_names(text: str) -> set[str]:
    """The object files (registry-relative paths) a journal's lines name, whatever they
    did to them, found without parsing each line."""
    global _NAMES
    if _NAMES is None:
        import re

        _NAMES = re.compile(r"^\d+ [A-Z]+ (\S+) \S+ (\S+) (\S+) \S+$", re.M)
    return {f"{plural}/{name}.yaml" if ns == "-" else f"{plural}/{ns}/{name}.yaml"
            for plural, ns, name in _NAMES.findall(text)}


def since_of(text: str) -> int | None:
    """The header's `since` (wall time in ns before which a file no line names predates
    the history); None when the text is not a journal."""
    head = _parse_header(text.split("\n", 1)[0])
    return None if head is None else head[1]


def _parse_header(line: str) -> tuple[int, int] | None:
    parts = line.split(" ")
    if len(parts) != 4 or " ".join(parts[:2]) != _MAGIC:
        return None
    try:
        fields = dict(p.split("=", 1) for p in parts[2:])
        return int(fields["horizon"]), int(fields["since"])
    except (KeyError, ValueError):
        return None


def _header(horizon: int, since: int) -> str:
    return f"{_MAGIC} horizon={horizon} since={since}\n"


def parse(text: str) -> Log | None:
    """A journal's content as a Log; None when it is not one (history unknown).

    What follows the last newline is a torn line and is ignored."""
    lines = text.split("\n")[:-1]
    if not lines:
        return None
    head = _parse_header(lines[0])
    if head is None:
        return None
    records: list[Record] = []
    last = head[0]
    for line in lines[1:]:
        r = _parse_record(line)
        if r is None or r.change.rv <= last:
            return None
        last = r.change.rv
        records.append(r)
    return Log(head[0], head[1], records)


def _decode_record(raw: bytes) -> Record | None:
    try:
        return _parse_record(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _after(lines: list[bytes], rv: int) -> list[Change] | None:
    """The changes after rv in whole record lines (in file order); None when one does not
    parse or they are out of order, as parse() would say."""
    out: list[Change] = []
    last = -1
    for raw in lines:
        r = _decode_record(raw)
        if r is None or r.change.rv <= last:
            return None
        last = r.change.rv
        if last > rv:
            out.append(r.change)
    return out


class _Seen:
    """How far Journal.read() got: the bytes parsed, their header line and last line (to
    tell the same file grown from a replaced or cut one), and the Log so far."""

    __slots__ = ("offset", "header", "last", "horizon", "since", "records", "valid")

    def __init__(self, offset: int, header: bytes, last: bytes, horizon: int, since: int,
                 records: list[Record], valid: bool):
        self.offset, self.header, self.last = offset, header, last
        self.horizon, self.since, self.records, self.valid = horizon, since, records, valid


def _still_holds(f, seen: _Seen) -> bool:
    """Whether the open journal still begins with seen's header and holds its last line
    where it was read: then only what follows is new."""
    if seen.offset == 0:
        return True
    if f.read(len(seen.header)) != seen.header:
        return False
    f.seek(seen.offset - len(seen.last))
    return f.read(len(seen.last)) == seen.last


def _take(seen: _Seen, chunk: bytes) -> None:
    """Parse whole lines appended after what seen holds (as parse() would: the first line
    is the header; resourceVersions strictly increase; one bad line spoils the Log)."""
    lines = chunk.decode("utf-8").split("\n")[:-1]
    if not seen.header:
        head = _parse_header(lines[0])
        if head is None:
            seen.valid = False
            return
        seen.header = (lines[0] + "\n").encode("utf-8")
        seen.horizon, seen.since = head
        lines = lines[1:]
    last = seen.records[-1].change.rv if seen.records else seen.horizon
    records = seen.records
    for line in lines:
        r = _parse_record(line)
        if r is None or r.change.rv <= last:
            seen.valid = False
            return
        last = r.change.rv
        records.append(r)
    seen.offset += len(chunk)
    seen.last = chunk[chunk.rfind(b"\n", 0, len(chunk) - 1) + 1:]


class Journal:
    """STATE/journal/changes. Writers call append/restart under the store lock."""

    def __init__(self, root: Path, keep: int = KEEP):
        assert keep > 0
        self.dir = Path(root) / "journal"
        self.path = self.dir / "changes"
        self.keep = keep
        self._seen: _Seen | None = None  # what read() parsed last time

    # -- reading (no lock) ----------------------------------------------------------------
    def text(self) -> str | None:
        try:
            with open(self.path, "rb") as f:
                return f.read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def read(self) -> Log | None:
        """The journal as a Log (None: history unknown), as parse() reads it. The caller
        must not change the Log's records.

        A Journal remembers what it read: while the file still begins with the header it
        read and still holds the last line it read at the same place, only the lines
        appended since are parsed. A process that follows the journal (serve's watches)
        so pays for new lines, not for 20,000 each time. Anything else (a compaction, a
        restart, a cut followed by other lines) is read again from the start."""
        try:
            f = open(self.path, "rb")
        except OSError:
            self._seen = None
            return None
        with f:
            try:
                seen = self._seen
                if seen is None or not _still_holds(f, seen):
                    seen = self._seen = _Seen(0, b"", b"", 0, 0, [], True)
                f.seek(seen.offset)
                data = f.read()
            except OSError:
                self._seen = None
                return None
        end = data.rfind(b"\n") + 1  # what follows the last newline is a torn line
        if end and seen.valid:
            try:
                _take(seen, data[:end])
            except UnicodeDecodeError:
                seen.valid = False
        if not seen.valid:  # read again from the start next time: the file may be replaced
            self._seen = None
            return None
        if not seen.header:
            return None
        return Log(seen.horizon, seen.since, seen.records)

    def changes_since(self, rv: int) -> list[Change] | None:
        """The changes after rv, oldest first; None when rv is before the horizon or the
        journal is missing or does not parse. Reads the file from its end, back only as far
        as the first line at or before rv, so following a busy journal costs what is new."""
        try:
            with open(self.path, "rb") as f:
                pos = f.seek(0, os.SEEK_END)
                buf, block = b"", 64 * 1024
                while pos > 0:
                    start = max(0, pos - block)
                    f.seek(start)
                    buf = f.read(pos - start) + buf
                    pos = start
                    lines = buf.split(b"\n")[:-1]  # after the last newline: a torn line
                    if pos > 0 and len(lines) > 1:  # lines[0] may be cut: the first whole line is lines[1]
                        first = _decode_record(lines[1])
                        if first is None:
                            return None
                        if first.change.rv <= rv:
                            return _after(lines[1:], rv)
                    block *= 2
        except OSError:
            return None
        try:
            log = parse(buf.decode("utf-8"))
        except UnicodeDecodeError:
            return None
        if log is None or rv < log.horizon:
            return None
        return [r.change for r in log.records if r.change.rv > rv]

    def last_rv(self) -> int | None:
        """The last journaled resourceVersion (the horizon when no line follows it); None
        when the journal is missing or its tail does not parse. Reads only the tail."""
        try:
            with open(self.path, "rb") as f:
                size = f.seek(0, os.SEEK_END)
                start = max(0, size - 4096)
                f.seek(start)
                tail = f.read()
        except OSError:
            return None
        lines = tail.split(b"\n")[:-1]  # the part after the last newline is torn
        for raw in reversed(lines if start == 0 else lines[1:]):  # a cut first line is skipped
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                return None
            r = _parse_record(line)
            if r is not None:
                return r.change.rv
            head = _parse_header(line)
            if head is not None:
                return head[0]
            return None
        return None

    # -- writing (under the store lock) -------------------------------------------------
    def append(self, records: list[Record]) -> int | None:
        """Append records (rv order) as one write. Returns the file's size before them (to
        cut them again if the commit fails before its renames), or None when the journal
        could not be written: it is then removed, so readers see "history unknown" rather
        than a gap."""
        if not records:
            return None
        try:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            except FileNotFoundError:
                os.makedirs(self.dir, mode=0o700, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    size = _cut_torn(fd, size)
                text = "".join(format_record(r) for r in records)
                if size == 0:  # a new history: complete from this commit on
                    text = _header(records[0].change.rv - 1, time.time_ns()) + text
                _write_all(fd, text.encode("utf-8"))
            finally:
                os.close(fd)
            if size + len(text) > self.keep * BYTES_PER_RECORD:
                self.compact()
        except OSError:
            self.forget()
            return None
        return size

    def cut(self, size: int | None) -> None:
        """Take back what the last append added (its commit failed before any rename)."""
        if size is None:
            return
        try:
            os.truncate(self.path, size)
        except OSError:
            self.forget()

    def compact(self) -> None:
        """Keep the last `keep` lines; the horizon moves to the last resourceVersion
        dropped. A journal that does not parse is started again (history unknown)."""
        # Line by line, as parse() checks them, keeping the kept lines' text: a converge at
        # 100,000 pods appends 450,000 lines in one commit, and holding them all as records
        # (read() would also remember them) cost hundreds of MB at the peak of the run.
        self._seen = None
        text = self.text()
        lines = text.split("\n")[:-1] if text else []
        head = _parse_header(lines[0]) if lines else None
        if head is None:
            self.forget()
            return
        horizon, since = head
        body = lines[1:]
        cut = max(0, len(body) - self.keep)
        last = horizon
        for i, line in enumerate(body):
            r = _parse_record(line)
            if r is None or r.change.rv <= last:
                self.forget()
                return
            last = r.change.rv
            if i < cut:
                horizon = last
                if r.key is not None and r.key[2] > since:
                    since = r.key[2]
        del text
        self._replace(_header(horizon, since) + "".join(line + "\n" for line in body[cut:]))

    def restart(self, horizon: int) -> None:
        """A new, empty history (after a missing or unreadable journal)."""
        self._replace(_header(horizon, time.time_ns()))

    def forget(self) -> None:
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def _replace(self, text: str) -> None:
        tmp = self.dir / f".changes.tmp-{os.getpid()}-{secrets.token_hex(3)}"
        try:
            os.makedirs(self.dir, mode=0o700, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                _write_all(fd, text.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            self.forget()


def folder_marks(registry: str) -> dict[str, int]:
    """{folder under registry/: its mtime_ns} for every kind's folder and namespace folder:
    any file written, renamed in, added or removed there moves its folder's mtime."""
    out: dict[str, int] = {}
    try:
        with os.scandir(registry) as it:
            kinds = [e for e in it if e.name[0] != "." and e.is_dir()]
    except OSError:
        return out
    for k in kinds:
        try:
            out[k.name] = k.stat().st_mtime_ns
            with os.scandir(k.path) as it:
                for d in it:
                    if d.name[0] != "." and d.is_dir():
                        out[f"{k.name}/{d.name}"] = d.stat().st_mtime_ns
        except OSError:
            continue
    return out


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _cut_torn(fd: int, size: int) -> int:
    """Cut a torn last line (a writer killed mid-append); the new size."""
    end = size
    while end > 0:
        start = max(0, end - 65536)
        chunk = os.pread(fd, end - start, start)
        i = chunk.rfind(b"\n")
        if i >= 0:
            size = start + i + 1
            break
        end = start
    else:
        size = 0
    os.ftruncate(fd, size)
    return size
