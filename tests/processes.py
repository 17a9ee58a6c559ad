"""Helpers for tests that start real processes: find them by state directory, wait for them,
and kill whatever a test left behind."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from kubelite.runtime.process import instances


def wrappers(state: Path) -> list[int]:
    """Pids of live container wrappers started for this state directory."""
    needle = str(state).encode()
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if b"wrapper.py" in cmd and needle in cmd:
            st = instances.proc_stat(int(name))
            if st is not None and st[0] != "Z":
                out.append(int(name))
    return out


def sessions(state: Path) -> set[int]:
    """Sessions of every process a test's state directory started, live wrappers or not:
    the wrappers' own, and those recorded in the state's pid files."""
    sids = set(wrappers(state))
    for pid_file in Path(state).glob("pods/*/containers/*/*.pid"):
        try:
            sids.add(int(json.loads(pid_file.read_text())["pid"]))
        except (OSError, ValueError, KeyError):
            pass
    return sids


def live(state: Path, sids: set[int] | None = None) -> list[int]:
    """Every live process in those sessions."""
    return [p for sid in (sessions(state) if sids is None else sids) for p in instances.session_members(sid)]


def kill_all(state: Path, sids: set[int]) -> None:
    for sid in sids | sessions(state):
        for pid in instances.session_members(sid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def pid_record(state: Path, uid: str, container: str, n: int = 0) -> dict:
    return json.loads((Path(state) / "pods" / uid / "containers" / container / f"{n}.pid").read_text())


def until(check, timeout: float = 15.0, step: float = 0.05):
    """Poll `check` until it returns something true; fail (not time anything) after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {getattr(check, '__name__', check)}")
        time.sleep(step)
