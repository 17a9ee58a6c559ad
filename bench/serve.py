"""`kubelite serve` under load: latencies, LIST against the CLI, watch delay, memory.

    python bench/serve.py                          # 10,000 pods, 8 clients, 3 rounds
    python bench/serve.py --deployments 100 --nodes 10 --rounds 1    # a quick look
    python bench/serve.py --keep /tmp/store --no-idle   # build once, reuse it; skip the 70 s idle figure

Builds a converged store as bench/run.py does, starts `kubelite serve` on it, and for
each round prints:
- single-object GET and mutating (PATCH) latency, median and p99, with 8 client
  processes each on its own keep-alive connection;
- LIST of every pod as JSON against `kubelite get pods -A -o json` on the same store
  (the peer), as a ratio of medians measured alternately;
- how long after a `kubelite apply` in another process starts a watcher sees its event
  (an upper bound: it includes the CLI's start-up);
- the server's peak RSS;
and then, with the controllers on (`--reconcile-interval 1s`, the default), the share of
one core an idle server uses over 20 s.
Not a test: CI does not run it.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import KUBELITE, build, env_for, run  # noqa: E402


def start(state: Path, env: dict, *args: str) -> tuple[subprocess.Popen, str]:
    p = subprocess.Popen([KUBELITE, "serve", "--port", "0", *args], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    line = p.stdout.readline().decode()
    if not line.startswith("kubelite serving "):
        raise SystemExit(f"serve did not start: {line!r}")
    return p, line.split()[2].rstrip(";")


def stop(p: subprocess.Popen) -> int:
    os.killpg(p.pid, signal.SIGTERM)
    p.wait(30)
    return 0


def _conn(url: str, state: Path) -> http.client.HTTPSConnection:
    host, port = url[len("https://"):].rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=str(state / "pki" / "ca.crt"))
    return http.client.HTTPSConnection(host, int(port), context=ctx, timeout=60)


def _client(args) -> list[tuple[str, float]]:
    url, state, token, names, n, seed = args
    c = _conn(url, Path(state))
    h = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    out = []
    for i in range(n):
        ns, name = names[(seed * 7919 + i) % len(names)]
        t0 = time.perf_counter()
        c.request("GET", f"/api/v1/namespaces/{ns}/pods/{name}", headers=h)
        r = c.getresponse()
        r.read()
        out.append(("get", time.perf_counter() - t0))
        if i % 4 == 0:
            body = json.dumps({"metadata": {"annotations": {"bench": f"{seed}-{i}"}}}).encode()
            t0 = time.perf_counter()
            c.request("PATCH", f"/api/v1/namespaces/{ns}/pods/{name}", body=body,
                      headers=dict(h, **{"Content-Type": "application/merge-patch+json"}))
            r = c.getresponse()
            r.read()
            out.append(("patch", time.perf_counter() - t0))
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def watch_delay(url: str, state: Path, token: str, env: dict, tag: str) -> float:
    c = _conn(url, state)
    h = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    c.request("GET", "/api/v1/namespaces/default/configmaps", headers=h)
    rv = json.loads(c.getresponse().read())["metadata"]["resourceVersion"]
    c.request("GET", f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=30", headers=h)
    resp = c.getresponse()
    seen = {}

    def follow():
        for line in resp:
            ev = json.loads(line)
            if ev["object"]["metadata"]["name"] == tag:
                seen["t"] = time.perf_counter()
                return

    t = threading.Thread(target=follow, daemon=True)
    t.start()
    time.sleep(0.3)
    doc = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": tag}, "data": {"a": "b"}}).encode()
    wrote = time.perf_counter()  # an upper bound: it includes the CLI's own start and write
    p = subprocess.Popen([KUBELITE, "apply", "-f", "-"], env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    p.stdin.write(doc)
    p.stdin.close()
    p.wait()
    t.join(30)
    return seen.get("t", float("inf")) - wrote


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deployments", type=int, default=1000)
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=200, help="GETs per client per round (and a PATCH every 4)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", metavar="DIR", help="build the store in DIR and keep it; reuse it when it is there")
    ap.add_argument("--no-idle", action="store_true", help="skip the idle server's figure (70 s)")
    a = ap.parse_args()
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="kubelite-bench-serve-"))
    if a.keep and (root / f"state-{a.deployments}" / "registry").is_dir():
        state, env = root / f"state-{a.deployments}", env_for(root / f"state-{a.deployments}", root / "cache")
        print(f"reusing the store in {state}", flush=True)
    else:
        print(f"building a store of {a.deployments * 10} pods ...", flush=True)
        state, env, secs, pods = build(root, a.deployments, a.nodes)
        print(f"converged {pods} pods in {secs:.1f} s", flush=True)
    listing = subprocess.run([KUBELITE, "get", "pods", "-A", "-o", "json"], env=env, capture_output=True, text=True).stdout
    names = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in json.loads(listing)["items"]]
    proc, url = start(state, env, "--no-reconcile")
    token = (state / "pki" / "admin.token").read_text().strip()
    try:
        rows = []
        for rnd in range(a.rounds):
            with multiprocessing.Pool(a.clients) as pool:
                res = pool.map(_client, [(url, str(state), token, names, a.requests, rnd * 100 + i) for i in range(a.clients)])
            gets = [t for r in res for k, t in r if k == "get"]
            patches = [t for r in res for k, t in r if k == "patch"]
            # LIST as JSON vs the CLI's own `get pods -A -o json`, alternating
            lst, cli = [], []
            c = _conn(url, state)
            h = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            for _ in range(3):
                t0 = time.perf_counter()
                c.request("GET", "/api/v1/pods", headers=h)
                n = len(json.loads(c.getresponse().read())["items"])
                lst.append(time.perf_counter() - t0)
                cli.append(run([KUBELITE, "get", "pods", "-A", "-o", "json"], env)[0])
            delay = watch_delay(url, state, token, env, f"bench-watch-{os.getpid()}-{rnd}")  # new each run (--keep)
            rows.append({"get_p50": statistics.median(gets) * 1000, "get_p99": pct(gets, 99) * 1000,
                         "patch_p50": statistics.median(patches) * 1000, "patch_p99": pct(patches, 99) * 1000,
                         "list_s": statistics.median(lst), "cli_s": statistics.median(cli),
                         "list_ratio": statistics.median(lst) / statistics.median(cli), "items": n,
                         "watch_s": delay, "rss_mib": rss_mib(proc.pid)})
            r = rows[-1]
            print(f"round {rnd + 1}: GET p50 {r['get_p50']:.1f} ms p99 {r['get_p99']:.1f} ms | PATCH p50 {r['patch_p50']:.1f} ms "
                  f"p99 {r['patch_p99']:.1f} ms | LIST {r['items']} pods {r['list_s']:.2f} s vs CLI {r['cli_s']:.2f} s = "
                  f"{r['list_ratio']:.2f}x | watch {r['watch_s'] * 1000:.0f} ms | serve peak RSS {r['rss_mib']:.0f} MiB", flush=True)
        print("medians over rounds (min-max):")
        for k, unit in (("get_p99", "ms"), ("patch_p99", "ms"), ("list_ratio", "x"), ("watch_s", "s"), ("rss_mib", "MiB")):
            xs = [r[k] for r in rows]
            print(f"  {k}: {statistics.median(xs):.2f} {unit} ({min(xs):.2f}-{max(xs):.2f})")
        if a.no_idle:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        proc, url = start(state, env)  # the controllers every second, as `serve` runs by default
        time.sleep(10)  # the first passes settle what the fixed clock makes due
        shares = []
        for _ in range(3):
            t0, c0 = time.perf_counter(), cpu_seconds(proc.pid)
            time.sleep(20)
            shares.append((cpu_seconds(proc.pid) - c0) / (time.perf_counter() - t0))
        print(f"idle serve with controllers every 1 s: {statistics.median(shares) * 100:.1f}% of one core "
              f"({min(shares) * 100:.1f}-{max(shares) * 100:.1f}%, 3 x 20 s)")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        if not a.keep:
            import shutil

            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
