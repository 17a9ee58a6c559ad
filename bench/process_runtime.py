"""The process runtime's costs: starting pods as processes, a pass with nothing to do while
they run, and ending them. Prints figures; not a test.

    python bench/process_runtime.py [--pods 20]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _kubelite() -> str:
    beside = Path(sys.executable).parent / "kubelite"
    return str(beside) if beside.exists() else (shutil.which("kubelite") or "kubelite")


KUBELITE = _kubelite()


def run(state: Path, *args: str, stdin: str | None = None) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBELITE_")}
    t = time.perf_counter()
    p = subprocess.run([KUBELITE, "--state-dir", str(state), *args], input=stdin, text=True, capture_output=True, env=env)
    if p.returncode not in (0, 4):
        raise SystemExit(p.stderr)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=20)
    n = ap.parse_args().pods
    state = Path(tempfile.mkdtemp(prefix="kubelite-bench-proc-")) / "state"
    docs = [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "local", "labels": {"kubelite.io/runtime": "process"}}}]
    docs.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "sleepers"}, "spec": {
        "replicas": n, "selector": {"matchLabels": {"app": "s"}}, "template": {"metadata": {"labels": {"app": "s"}}, "spec": {
            "terminationGracePeriodSeconds": 1,
            "containers": [{"name": "c", "image": "x", "command": ["sleep", "600"]}]}}}})
    try:
        run(state, "apply", "-f", "-", stdin="\n---\n".join(json.dumps(d) for d in docs))
        start = run(state, "reconcile", "--until-stable")
        idle = [run(state, "reconcile") for _ in range(5)]
        run(state, "delete", "deploy", "sleepers")
        term = run(state, "reconcile")
        time.sleep(1.1)
        ended = [run(state, "reconcile") for _ in range(2)]
        print(f"pods (processes): {n}")
        print(f"reconcile --until-stable that starts them: {start:.2f} s")
        print(f"reconcile with nothing to do while they run: median {statistics.median(idle):.3f} s")
        print(f"reconcile that sends SIGTERM to all: {term:.2f} s; the ones that reap and clean up: {sum(ended):.2f} s")
    finally:
        from kubelite.runtime.process import instances

        for pid_file in state.glob("pods/*/containers/*/*.pid"):  # whatever is left: the whole session
            try:
                instances.signal_session(json.loads(pid_file.read_text())["pid"], signal.SIGKILL)
            except (OSError, ValueError, KeyError):
                pass
        shutil.rmtree(state.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
