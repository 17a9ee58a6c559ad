"""Container instances on disk and in /proc: start one, find it again, end it.

A container's directory (STATE/pods/<uid>/containers/<name>/) holds, per instance N:
N.spec.json (what to run, written before it starts), N.pid (the wrapper's pid, start
time and boot id, written by the wrapper itself), N.exit (its exit status, written by the
wrapper) and N.kill (when the runtime sent SIGTERM, and the grace period). An instance is
alive only if a process with the recorded pid has the recorded start time in the recorded
boot, so a reused pid or a reboot is never mistaken for it.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WRAPPER = str(Path(__file__).with_name("wrapper.py"))
STARTING = 10.0  # seconds an instance may take to record its pid before it counts as lost
_boot: str | None = None


def boot_id() -> str:
    global _boot
    if _boot is None:
        try:
            _boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        except OSError:
            _boot = ""
    return _boot


def proc_stat(pid: int) -> tuple[str, int, int, str] | None:
    """(state, process group, session, start time in clock ticks) of a live pid, else None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read()
    except OSError:
        return None
    rest = text[text.rindex(b")") + 2:].split()
    return rest[0].decode(), int(rest[2]), int(rest[3]), rest[19].decode()


def session_members(sid: int) -> list[int]:
    """Every process in session `sid` (a container's wrapper leads its own session)."""
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st is not None and st[2] == sid and st[0] != "Z":
                out.append(int(name))
    return out


def signal_session(sid: int, sig: int) -> None:
    for pid in session_members(sid):
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def _read(path: Path) -> dict | None:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _write(path: Path, data: dict) -> None:
    """Atomically, readable by kubelite's user only: a spec holds the container's environment, secrets too."""
    tmp = path.with_name(path.name + ".tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


@dataclass
class Instance:
    """One run of a container, as its files and /proc show it."""

    dir: Path
    n: int
    spec: dict
    pid: dict | None
    exit: dict | None
    kill: dict | None
    alive: bool
    lost: bool  # neither running nor recorded as ended

    @property
    def sid(self) -> int | None:
        return int(self.pid["pid"]) if self.pid else None

    @property
    def ours(self) -> bool:
        """Its session may still hold processes of ours (same boot)."""
        return self.pid is not None and self.pid.get("boot") == boot_id()


def numbers(cdir: Path) -> list[int]:
    try:
        names = os.listdir(cdir)
    except FileNotFoundError:
        return []
    return sorted(int(x[:-10]) for x in names if x.endswith(".spec.json") and x[:-10].isdigit())


def load(cdir: Path, n: int) -> Instance | None:
    spec = _read(cdir / f"{n}.spec.json")
    if spec is None:
        return None
    pid = _read(cdir / f"{n}.pid")
    alive = False
    if pid is not None and pid.get("boot") == boot_id():
        st = proc_stat(int(pid["pid"]))
        if st is not None and st[3] == str(pid.get("starttime")):
            if st[0] == "Z":
                _reap(int(pid["pid"]))
            else:
                alive = True
    exit_ = _read(cdir / f"{n}.exit") if not alive else None
    lost = False
    if not alive and exit_ is None:
        if pid is None:
            try:
                age = time.time() - (cdir / f"{n}.spec.json").stat().st_mtime
            except OSError:
                age = STARTING
            alive = age < STARTING  # still starting: the wrapper records itself first
            lost = not alive
        else:
            lost = True
    return Instance(cdir, n, spec, pid, exit_, _read(cdir / f"{n}.kill"), alive, lost)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def start(cdir: Path, n: int, spec: dict) -> Instance:
    """Start instance n under the wrapper, detached in its own session."""
    cdir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write(cdir / f"{n}.spec.json", spec)
    subprocess.Popen([sys.executable, "-I", WRAPPER, str(cdir), str(n)], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True,
                     cwd="/")
    return Instance(cdir, n, spec, None, None, None, True, False)


def _alive(rec: dict | None) -> bool:
    if not rec:
        return False
    st = proc_stat(int(rec["pid"]))
    if st is None or st[3] != str(rec.get("starttime")):
        return False
    if st[0] == "Z":
        _reap(int(rec["pid"]))
        return False
    return True


def _run_hook(inst: Instance, command: list[str]) -> dict | None:
    """Start a preStop exec hook in the container's environment, in a session of its own."""
    try:
        p = subprocess.Popen(command, env=inst.spec.get("env") or {}, cwd=inst.spec.get("cwd") or "/",
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, close_fds=True)
    except OSError:
        return None
    st = proc_stat(p.pid)
    return {"pid": p.pid, "starttime": st[3] if st else ""}


def stop(inst: Instance, grace: float, pre_stop: list[str] | None = None) -> bool:
    """Move an instance toward its end: its preStop hook first, then SIGTERM to its processes,
    then SIGKILL once the grace period (counted from the first step, recorded, across passes)
    has passed. True while anything of it still runs."""
    if inst.sid is None or not inst.ours:
        return inst.alive  # still starting (no pid yet), or from another boot: nothing of it runs
    sid = inst.sid
    members = session_members(sid)
    if not members:
        return False
    kill_path = inst.dir / f"{inst.n}.kill"
    now = time.time()
    if inst.kill is None:
        inst.kill = {"t": now, "grace": grace}
        hook = _run_hook(inst, pre_stop) if pre_stop and inst.alive else None
        if hook is not None:
            inst.kill["hook"] = hook
            _write(kill_path, inst.kill)
            return True
        inst.kill["term"] = now
        _write(kill_path, inst.kill)
        if inst.alive:
            signal_session(sid, signal.SIGTERM)
            return True
    over = now - float(inst.kill.get("t", 0)) >= float(inst.kill.get("grace", grace))
    if "term" not in inst.kill:  # the preStop hook is running
        hook = inst.kill.get("hook")
        if _alive(hook) and not over:
            return True
        if _alive(hook):
            signal_session(int(hook["pid"]), signal.SIGKILL)
        inst.kill["term"] = now
        _write(kill_path, inst.kill)
        signal_session(sid, signal.SIGTERM)
        return True
    if not inst.alive or over:
        # The grace period is over, or the wrapper is gone and left processes behind.
        signal_session(sid, signal.SIGKILL)
        if not inst.kill.get("killed"):
            inst.kill["killed"] = True
            _write(kill_path, inst.kill)
        return bool(session_members(sid))
    return True
