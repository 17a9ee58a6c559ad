"""When `kubelite reconcile` has nothing to do: the record of the last quiet pass.

A pass that wrote nothing, met no conflict and no error, and ran every controller
records what it started from and when it next needs to run:

- the store's resourceVersion (the change journal's last line) and the mtime of every
  folder under registry/ (a write, a hand edit saved by renaming, a file added or removed
  moves one), taken when the pass began;
- the earliest time a controller asked to run again (PassContext.requeue_after), and why;
- the clock's time of the pass, and the mtime of the controllers' package.

The record is kept beside the parse cache, outside the state directory (quiet.json in
kubelite's cache folder for it, see kubelite.store.cache): losing it costs one pass.

A later reconcile whose store, folders and controllers are all as recorded, at a time
not before the pass and before that earliest time, has nothing to do: the same pass would
write nothing again. It checks that with one read of this file, one of the journal's tail
and a stat of each folder, reads no object file, writes nothing, and loads neither the
controllers nor the API server (kubelite.cli.fast calls is_quiet). A folder changed less
than a second before the pass began is recorded as 0, so the check fails and the next
reconcile runs a pass: another change within the same tick of the folder's mtime would
not move it. `kubelite reconcile --full` always runs a pass.

Only the standard library, kubelite.store.journal and kubelite.store.cache are imported here.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from kubelite.store import journal
from kubelite.store.cache import cache_dir_for, ensure_dir

FILE = "quiet.json"
FORMAT = 1
RACY_NS = 1_000_000_000
_CONTROLLERS = Path(__file__).resolve().parent.parent / "controllers"


def code_mark() -> int:
    try:
        return os.stat(_CONTROLLERS).st_mtime_ns
    except OSError:
        return 0


def start(root: Path) -> dict:
    """What a pass starts from: taken before it reads anything."""
    now = time.time_ns()
    folders = journal.folder_marks(str(Path(root) / "registry"))
    return {"rv": journal.Journal(root).last_rv(), "code": code_mark(),
            "folders": {d: (0 if now - m < RACY_NS else m) for d, m in folders.items()}}


def record(root: Path, began: dict, at: float, due: float | None, why: str) -> None:
    """Record a quiet pass (clock times as epoch seconds). Written only when it differs
    from what is there, so a reconcile that changes nothing leaves the directory as it was."""
    d = ensure_dir(Path(root))
    if d is None:
        return
    path = d / FILE
    text = json.dumps({"format": FORMAT, **began, "at": at, "due": due, "why": why}, sort_keys=True)
    try:
        if path.read_text() == text:
            return
    except OSError:
        pass
    tmp = path.with_name(f".{FILE}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError:  # costs the next reconcile a pass, nothing more
        forget(root)
        try:
            tmp.unlink()
        except OSError:
            pass


def forget(root: Path) -> None:
    """After a pass that was not quiet: the next reconcile must run one."""
    try:
        os.unlink(cache_dir_for(Path(root)) / FILE)
    except OSError:
        pass


def is_quiet(root: Path, now: float) -> bool:
    """Whether a pass at clock time `now` (epoch seconds) would find nothing to do."""
    try:
        rec = json.loads((cache_dir_for(Path(root)) / FILE).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(rec, dict) or rec.get("format") != FORMAT:
        return False
    due, at = rec.get("due"), rec.get("at")
    if not isinstance(at, (int, float)) or now < at or (due is not None and (not isinstance(due, (int, float)) or now >= due)):
        return False
    folders = rec.get("folders")
    if not isinstance(folders, dict) or 0 in folders.values():
        return False
    if rec.get("code") != code_mark() or rec.get("rv") != journal.Journal(root).last_rv():
        return False
    return journal.folder_marks(str(Path(root) / "registry")) == folders
