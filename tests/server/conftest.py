"""A real `kubelite serve` on a free port, driven by the real kubectl and the real `kubernetes` client.

Every server a test starts is stopped in the fixture's teardown (SIGTERM to its process
group, then SIGKILL), whether the test passed or not.
"""
from __future__ import annotations

import json
import os
import select
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import KUBECTL, KUBELITE, REPO, Run, _clean_env

needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


class Served(NamedTuple):
    url: str
    kubeconfig: Path
    state: Path
    proc: subprocess.Popen

    @property
    def token(self) -> str:
        return (self.state / "pki" / "admin.token").read_text().strip()

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.state / "pki" / "ca.crt"))

    def request(self, method: str, path: str, body: bytes | dict | None = None, *, token: str | None = "admin",
                ctype: str = "application/json", headers: dict | None = None, timeout: float = 30) -> tuple[int, dict | str]:
        """One raw HTTPS request; returns (status code, decoded JSON or text)."""
        code, out, _ = self.exchange(method, path, body, token=token, ctype=ctype, headers=headers, timeout=timeout)
        return code, out

    def exchange(self, method: str, path: str, body: bytes | dict | None = None, *, token: str | None = "admin",
                 ctype: str = "application/json", headers: dict | None = None, timeout: float = 30):
        """request(), with the response's headers: (status code, decoded JSON or text, headers)."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        h = {"Content-Type": ctype, "Accept": "application/json"}
        if token == "admin":
            token = self.token
        if token:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, context=self.ssl_context(), timeout=timeout) as r:
                code, raw, got = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            code, raw, got = e.code, e.read(), e.headers
        try:
            return code, json.loads(raw), got
        except ValueError:
            return code, raw.decode("utf-8", "replace"), got


def start_server(state: Path, *args: str, env: dict | None = None) -> Served:
    kubeconfig = state.parent / f"{state.name}.kubeconfig"
    argv = [KUBELITE, "--state-dir", str(state), "serve", "--port", "0", "--kubeconfig", str(kubeconfig), *args]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_clean_env(env),
                            start_new_session=True)
    deadline = time.monotonic() + 30
    line = b""
    while time.monotonic() < deadline and not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            line += chunk
    if not line.startswith(b"kubelite serving https://"):
        stop_server(proc)
        raise AssertionError(f"serve did not start: {line!r} {proc.stderr.read().decode()[-2000:]}")
    url = line.decode().split()[2].rstrip(";")
    return Served(url, kubeconfig, state, proc)


def stop_server(proc: subprocess.Popen, timeout: float = 15) -> int | None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    for f in (proc.stdout, proc.stderr):
        if f:
            f.close()
    return proc.returncode


@pytest.fixture
def served(booted: Path):
    """`kubelite serve` over a fresh state directory, controllers every 0.2 s."""
    s = start_server(booted, "--reconcile-interval", "0.2s")
    try:
        yield s
    finally:
        stop_server(s.proc)


@pytest.fixture
def served_idle(booted: Path):
    """`kubelite serve --no-reconcile`: the API alone, nothing changes unless a test writes."""
    s = start_server(booted, "--no-reconcile")
    try:
        yield s
    finally:
        stop_server(s.proc)


@pytest.fixture(scope="module")
def served_shared(tmp_path_factory, _bootstrapped: Path):
    """One `serve --no-reconcile` for a whole module, for tests that only read or are refused."""
    import shutil

    state = tmp_path_factory.mktemp("served") / "state"
    shutil.copytree(_bootstrapped, state, ignore=shutil.ignore_patterns("locks"))
    s = start_server(state, "--no-reconcile")
    try:
        yield s
    finally:
        stop_server(s.proc)


def kubectl(s: Served, args, *, stdin: str | None = None, env: dict | None = None, timeout: float = 60) -> Run:
    """The real kubectl with the kubeconfig serve wrote."""
    import shlex

    argv = shlex.split(args) if isinstance(args, str) else [str(a) for a in args]
    e = {k: v for k, v in os.environ.items() if not k.startswith("KUBELITE_")}
    e.update({"KUBECONFIG": str(s.kubeconfig), "HOME": str(s.state.parent)})
    e.update(env or {})
    p = subprocess.run([KUBECTL] + argv, input=stdin.encode() if stdin else None, capture_output=True, env=e, timeout=timeout)
    return Run(p.returncode, p.stdout.decode(), p.stderr.decode())


def wait_for(check, timeout: float = 30, every: float = 0.1):
    """Poll until check() is truthy (the controllers run on their own clock); returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        v = check()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(every)


SAMPLES = REPO / "samples"
