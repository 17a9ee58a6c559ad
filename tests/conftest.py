"""Shared fixtures: a fresh state directory, the real `kubelite` command, and snapshots.

Every CLI test runs the installed `kubelite` executable in a subprocess, exactly as a
user would; pure units are tested in-process.
"""
from __future__ import annotations

import atexit
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import pytest


def _kubelite_executable() -> str:
    """The `kubelite` console script installed for this interpreter (not a pyenv-style shim,
    which would cost ~70 ms a call), else whatever `kubelite` is on PATH."""
    beside = Path(sys.executable).parent / "kubelite"
    return str(beside) if beside.exists() else (shutil.which("kubelite") or "kubelite")


KUBELITE = _kubelite_executable()
KUBECTL = shutil.which("kubectl")
REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "schemas"

# A pinned "now" for tests that look at ages and timestamps.
T0 = "2026-01-02T15:04:05Z"

os.environ["KUBELITE_STRICT"] = "1"  # in-process APIServers check every write against its schema
# kubelite's parse cache lives outside state directories; keep the suite's out of the user's home.
if "KUBELITE_CACHE_DIR" not in os.environ:
    os.environ["KUBELITE_CACHE_DIR"] = tempfile.mkdtemp(prefix="kubelite-test-cache-")
    atexit.register(shutil.rmtree, os.environ["KUBELITE_CACHE_DIR"], ignore_errors=True)


class Run(NamedTuple):
    rc: int
    out: str
    err: str


def _clean_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KUBELITE_") and k not in ("EDITOR", "KUBE_EDITOR")}
    env["KUBELITE_CACHE_DIR"] = os.environ["KUBELITE_CACHE_DIR"]
    env["KUBELITE_STRICT"] = "1"  # every write, controllers' too, is checked against its schema
    if extra:
        env.update(extra)
    return env


def run_kubelite(args, *, state: Path | None = None, stdin: str | bytes | None = None,
                 now: str | None = None, env: dict | None = None, via_env: bool = False,
                 cwd: Path | None = None, timeout: float = 30) -> Run:
    """Run the real `kubelite` command; returns (rc, stdout, stderr)."""
    argv = shlex.split(args) if isinstance(args, str) else [str(a) for a in args]
    e = _clean_env(env)
    if now:
        e["KUBELITE_NOW"] = now
    if state is not None:
        if via_env:
            e["KUBELITE_STATE_DIR"] = str(state)
        else:
            argv = ["--state-dir", str(state)] + argv
    data = stdin.encode() if isinstance(stdin, str) else stdin
    p = subprocess.run([KUBELITE] + argv, input=data, capture_output=True, env=e, cwd=cwd, timeout=timeout)
    return Run(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """A path for a fresh state directory (kubelite creates it on first use)."""
    return tmp_path / "state"


@pytest.fixture(scope="session")
def _bootstrapped(tmp_path_factory) -> Path:
    """One state directory created by kubelite itself at T0, copied for each test (bootstrap is slow).

    The in-process APIServer bootstraps exactly as the CLI does on first use."""
    from kubelite.apiserver import APIServer
    from kubelite.clock import Clock, parse_time

    root = tmp_path_factory.mktemp("template") / "state"
    APIServer.open(root, Clock(parse_time(T0)))
    return root


@pytest.fixture
def booted(state: Path, _bootstrapped: Path) -> Path:
    """The test's state directory, already created: a copy of one kubelite bootstrapped at T0."""
    shutil.copytree(_bootstrapped, state, ignore=shutil.ignore_patterns("locks"))
    return state


@pytest.fixture
def kl(booted: Path):
    """Run the real `kubelite` against the test's (already created) state directory.

    kl("get pods -o name"), kl(["apply", "-f", "-"], stdin=text), kl(..., now=T0),
    kl(..., via_env=True) passes the directory in $KUBELITE_STATE_DIR instead of --state-dir.
    Tests of creating a state directory call run_kubelite with a path that does not exist yet.
    """

    def call(args, *, stdin=None, now=None, env=None, via_env=False, cwd=None) -> Run:
        return run_kubelite(args, state=booted, stdin=stdin, now=now, env=env, via_env=via_env, cwd=cwd)

    return call


@pytest.fixture
def api(booted: Path):
    """The in-process API over the same state directory (clock pinned at T0), for quick set-up."""
    from kubelite.apiserver import APIServer
    from kubelite.clock import Clock, parse_time

    return APIServer.open(booted, Clock(parse_time(T0)))


def snapshot(state: Path) -> dict[str, bytes]:
    """{relative path: bytes} of every file under the state directory except locks/."""
    out = {}
    if not state.exists():
        return out
    for p in sorted(state.rglob("*")):
        rel = p.relative_to(state)
        if rel.parts and rel.parts[0] == "locks":
            continue
        if p.is_file():
            out[str(rel)] = p.read_bytes()
    return out


def mtimes(state: Path) -> dict[str, int]:
    """{relative path: mtime_ns} of every file and directory except locks/."""
    out = {}
    for p in sorted(state.rglob("*")):
        rel = p.relative_to(state)
        if rel.parts and rel.parts[0] == "locks":
            continue
        out[str(rel)] = p.stat().st_mtime_ns
    return out


def object_files(state: Path) -> list[Path]:
    return sorted(p for p in (state / "registry").rglob("*.yaml") if not p.name.startswith("."))


def load_yaml(text: str):
    from kubelite.api import yamlio

    docs = yamlio.load_documents(text, "test")
    return docs[0].data if len(docs) == 1 else [d.data for d in docs]


def assert_every_object_valid(state: Path) -> int:
    """Every file kubelite wrote validates against its kind's JSON Schema in schemas/."""
    import jsonschema

    count = 0
    for path in object_files(state):
        obj = load_yaml(path.read_text())
        schema = json.loads((SCHEMAS / f"{obj['kind'].lower()}.json").read_text())
        cls = jsonschema.validators.validator_for(schema)
        errors = sorted(cls(schema).iter_errors(obj), key=str)
        assert not errors, f"{path}: {errors[0].message} at {list(errors[0].absolute_path)}"
        count += 1
    return count


def one_line(err: str) -> str:
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    return lines[0]


needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


@pytest.fixture
def files_written(monkeypatch) -> list[str]:
    """Every object or counter file the store writes from now on (its temporary file's final path)."""
    from kubelite.store.store import Store

    written: list[str] = []
    real = Store._write_temp

    def counting(self, final, text, sync):
        written.append(final)
        return real(self, final, text, sync)

    monkeypatch.setattr(Store, "_write_temp", counting)
    return written


@pytest.fixture
def processes(state):
    """For tests that run pods on a process node: kills every process the test's state
    directory started when the test ends, pass or fail. Yields the state directory."""
    from tests.processes import kill_all, sessions

    seen: set[int] = set()
    try:
        yield state
    finally:
        seen |= sessions(state)
        kill_all(state, seen)
