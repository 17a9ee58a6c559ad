"""A change costs what it touches: scale one Deployment 10 -> 20 under `kubelite serve`.

    python bench/scale.py                              # 10,000 pods, 5 rounds
    python bench/scale.py --deployments 100 --nodes 10 # a quick look
    python bench/scale.py --kubelite OTHER/.venv/bin/kubelite   # another build, for a before/after
    python bench/scale.py --keep /tmp/scale-10k        # build once into DIR, reuse it next time

Builds a converged store as bench/run.py does, starts `kubelite serve` with its
controllers (the default 1 s interval), lets it settle, then for each round merge-patches
one Deployment's replicas from 10 to 20 and polls its pods (a label-selected namespaced
LIST every 50 ms) until all 20 are Running. Prints, per round, the seconds from the
PATCH's answer until then, and beside it what one pass of every controller costs on the
same store (`kubelite reconcile` after a one-object change, from the CLI, measured first).
The target of issue 17 (section 2) is 2 s at 10,000 pods. Between rounds the
Deployment is scaled back to 10.
Not a test: CI does not run it.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import run as _run  # noqa: E402  (bench/ is the script's own directory)
import serve as _serve  # noqa: E402
from run import build, run  # noqa: E402
from serve import _conn, start, stop  # noqa: E402


def _request(c, method: str, path: str, token: str, body: dict | None = None) -> dict:
    h = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/merge-patch+json"
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    out = json.loads(r.read())
    if r.status >= 300:
        raise SystemExit(f"{method} {path}: {r.status} {out.get('message')}")
    return out


def running(c, token: str, ns: str, app: str) -> int:
    pods = _request(c, "GET", f"/api/v1/namespaces/{ns}/pods?labelSelector=app%3D{app}", token)["items"]
    return sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Running"
               and not p["metadata"].get("deletionTimestamp"))


def wait_until(check, timeout: float = 120.0, every: float = 0.05) -> float:
    t0 = time.perf_counter()
    while not check():
        if time.perf_counter() - t0 > timeout:
            return float("inf")
        time.sleep(every)
    return time.perf_counter() - t0


def until_idle(pid: int, timeout: float = 300.0) -> float:
    """Seconds until the process used less than a tenth of a second of CPU over a second."""
    import os

    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    t0 = time.perf_counter()
    last = cpu()
    while time.perf_counter() - t0 < timeout:
        time.sleep(1.0)
        now = cpu()
        if now - last < 0.1:
            break
        last = now
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deployments", type=int, default=1000)
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--kubelite", default=None, help="the kubelite command to measure (default: the one beside this Python)")
    ap.add_argument("--keep", metavar="DIR", default=None,
                    help="build the store into DIR and keep it; a later run with the same DIR and size reuses it "
                         "(a store another build converged is that build's: rebuild it for a fair before/after)")
    a = ap.parse_args()
    if a.kubelite:
        _run.KUBELITE = _serve.KUBELITE = a.kubelite
    KUBELITE = _run.KUBELITE
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="kubelite-bench-scale-"))
    state = root / f"state-{a.deployments}"
    if a.keep and (state / "registry").is_dir():
        env = _run.env_for(state, root / "cache")
        print(f"reusing the store in {state}", flush=True)
    else:
        root.mkdir(parents=True, exist_ok=True)
        print(f"building a store of {a.deployments * 10} pods ...", flush=True)
        state, env, secs, pods = build(root, a.deployments, a.nodes)
        print(f"converged {pods} pods in {secs:.1f} s", flush=True)
    ns, app = "bench-0", "app-0000"
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/{app}"
    # the floor: one pass of every controller that must run (a change is committed), from the CLI
    passes = []
    for i in range(3):
        run([KUBELITE, "annotate", "deployment", app, "-n", ns, f"bench/floor={i}", "--overwrite"], env)
        passes.append(run([KUBELITE, "reconcile", "-q"], env)[0])
    print(f"one `kubelite reconcile` pass after a change: {statistics.median(passes):.2f} s "
          f"({min(passes):.2f}-{max(passes):.2f})", flush=True)
    proc, url = start(state, env)
    token = (state / "pki" / "admin.token").read_text().strip()
    try:
        c = _conn(url, state)
        settled = until_idle(proc.pid)  # its first (whole) pass, and what it makes due at the fixed clock
        print(f"serve settled {settled:.1f} s after it started", flush=True)
        ups, downs = [], []
        for rnd in range(a.rounds):
            _request(c, "PATCH", path, token, {"spec": {"replicas": 20}})
            up = wait_until(lambda: running(c, token, ns, app) >= 20)
            _request(c, "PATCH", path, token, {"spec": {"replicas": 10}})
            down = wait_until(lambda: running(c, token, ns, app) <= 10)
            ups.append(up)
            downs.append(down)
            print(f"round {rnd + 1}: 10 -> 20 Running in {up:.2f} s; back to 10 in {down:.2f} s", flush=True)
            time.sleep(3)
        print(f"scale 10 -> 20 Running: median {statistics.median(ups):.2f} s ({min(ups):.2f}-{max(ups):.2f}) "
              f"over {a.rounds} rounds; target <= 2 s; that is "
              f"{statistics.median(ups) / statistics.median(passes):.2f}x one CLI pass")
    finally:
        stop(proc)
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
