"""kubelite's benchmark: builds its own stores and prints every figure of issues 8 and 17.

    python bench/run.py                 # the full run: 10,000 and 20,000 pods (tens of minutes)
    python bench/run.py --deployments 100 --nodes 10    # a quick look at a tenth of the size
    python bench/run.py --only idle     # one store: what a pass with nothing to do costs, and -o name
    python bench/run.py --only converge # one store: the converge against its file floor
    python bench/run.py --scale 100k    # 100,000 pods on 1,000 nodes (see --help for what it needs)

Each figure is the median of several runs of the whole command, measured as a child
process (wall seconds; peak memory from the kernel's rusage). Ratios are taken pair by
pair in the same run, alternating the two commands. KUBELITE_NOW is fixed, so a
reconcile with nothing to do really has nothing to do. Not a test: CI does not run it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from workload import documents  # noqa: E402

NOW = "2026-03-01T00:00:00Z"


def _kubelite() -> str:
    """The console script pip installed for this interpreter, not a version manager's shim
    (pyenv's `kubelite` on PATH is a bash script that costs more than kubelite's start)."""
    beside = Path(sys.executable).parent / "kubelite"
    return str(beside) if beside.exists() else (shutil.which("kubelite") or "kubelite")


KUBELITE = _kubelite()


def run(argv: list[str], env: dict, stdin: bytes | None = None, quiet: bool = True) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one child process."""
    start = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.DEVNULL if quiet else None)
    if stdin is not None:
        p.stdin.write(stdin)
        p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def median_of(argv, env, n) -> float:
    return statistics.median(run(argv, env)[0] for _ in range(n))


def paired(a, b, env_a, env_b, n) -> tuple[float, float, float]:
    """Medians of A and B, and the median of the A/B ratios, alternating A and B."""
    ta, tb, ratios = [], [], []
    for _ in range(n):
        x = run(a, env_a)[0]
        y = run(b, env_b)[0]
        ta.append(x)
        tb.append(y)
        ratios.append(x / y)
    return statistics.median(ta), statistics.median(tb), statistics.median(ratios)


def env_for(state: Path, cache: Path) -> dict:
    env = dict(os.environ)
    env.update({"KUBELITE_STATE_DIR": str(state), "KUBELITE_NOW": NOW, "KUBELITE_CACHE_DIR": str(cache)})
    env.pop("KUBELITE_STRICT", None)
    # As installed by pip, modules come precompiled; with this set (some sandboxes do) an
    # editable install would recompile every module it imports on every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def build(root: Path, deployments: int, nodes: int, tag: str = "", namespaces: int = 10) -> tuple[Path, dict, float, int]:
    """A converged store, from nothing (a cold cache too): (state, env, seconds to converge, pods)."""
    state = root / f"state-{deployments}{tag}"
    env = env_for(state, root / "cache")
    stream = "".join("---\n" + json.dumps(d) + "\n" for d in documents(deployments, nodes, namespaces=namespaces)).encode()
    t0 = time.perf_counter()
    _, apply_rss, rc = run([KUBELITE, "apply", "-f", "-"], env, stdin=stream)
    assert rc == 0, "apply failed"
    _, reconcile_rss, rc = run([KUBELITE, "reconcile", "--until-stable", "--max-passes", "50", "-q"], env)
    seconds = time.perf_counter() - t0
    print(f"# converged {deployments * 10} pods in {seconds:.1f} s; peak memory: apply {apply_rss} MiB, "
          f"reconcile --until-stable {reconcile_rss} MiB", flush=True)
    out = subprocess.run([KUBELITE, "get", "pods", "-A", "--no-headers"], env=env, capture_output=True, text=True).stdout
    running = sum(1 for line in out.splitlines() if " Running " in line)
    return state, env, seconds, running


def files_snapshot(state: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in (state / "registry").rglob("*.yaml")}


LIST_LOOP = """
import os, sys
n = 0
for ns in os.scandir(sys.argv[1]):
    for f in os.scandir(ns.path):
        if f.name.endswith('.yaml'):
            n += 1
print(n)
"""

READ_LOOP = """
import os, sys
n = 0
for dirpath, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith('.yaml'):
            with open(os.path.join(dirpath, f), 'rb') as fh:
                n += len(fh.read())
"""


WRITE_FLOOR = """
import os, sys
src, dst = sys.argv[1], sys.argv[2]
n = 0
for dirpath, _, files in os.walk(src):
    out = os.path.join(dst, os.path.relpath(dirpath, src))
    os.makedirs(out, exist_ok=True)
    for f in files:
        if f.endswith('.yaml'):
            with open(os.path.join(dirpath, f), 'rb') as fh:
                data = fh.read()
            tmp = os.path.join(out, '.' + f + '.tmp')
            with open(tmp, 'wb') as fh:
                fh.write(data)
            os.rename(tmp, os.path.join(out, f))
            n += 1
os.sync()
print(n)
"""


def converge_floor(state: Path, root: Path, runs: int) -> tuple[float, int]:
    """Issue 17's floor for a converge: create, write and rename as many files as the converged
    store holds, with the same sizes in the same tree, then one sync (kubelite's group commit
    also syncs once). The source is read first so it comes from the page cache. Median seconds."""
    registry = str(state / "registry")
    subprocess.run([sys.executable, "-c", READ_LOOP, registry], check=True)
    times = []
    for i in range(runs):
        dst = root / f"floor-{i}"
        times.append(run([sys.executable, "-c", WRITE_FLOOR, registry, str(dst)], {})[0])
    files = sum(1 for _ in (state / "registry").rglob("*.yaml"))
    for i in range(runs):
        shutil.rmtree(root / f"floor-{i}", ignore_errors=True)
    return statistics.median(times), files


SCALES = {  # --scale: (Deployments of 10, nodes, namespaces)
    "10k": (1000, 100, 10),
    "100k": (10000, 1000, 100),  # KWOK's claim: 100,000 pods on 1,000 nodes
    "150k": (15000, 5000, 150),  # Kubernetes' scalability envelope: 150,000 pods, 5,000 nodes
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deployments", type=int, default=1000, help="Deployments of 10 replicas (1000 = 10,000 pods)")
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5, help="runs per figure (medians)")
    ap.add_argument("--keep", default=None, help="build the stores here and keep them")
    ap.add_argument("--only", choices=["idle", "converge"], default=None,
                    help="idle: build one store and print only the figures of a pass with nothing to do, and -o name; "
                         "converge: only the converge against its file floor")
    ap.add_argument("--scale", choices=sorted(SCALES), default=None,
                    help="100k: 10,000 Deployments on 1,000 nodes in 100 namespaces: about 480,000 files "
                         "and 2.5 GB of disk (state and cache; 10,000 pods take 240 MB), and on a 2-core VM "
                         "an hour or more (the converge alone took 324 s in the issue's trial). 150k: "
                         "150,000 pods on 5,000 nodes, half as much again. One store is built; the "
                         "figures at twice the size are left out")
    a = ap.parse_args()
    namespaces = 10
    if a.scale:
        a.deployments, a.nodes, namespaces = SCALES[a.scale]
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="kubelite-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str, str]] = []

    def row(figure: str, value: str, target: str, conditions: str) -> None:
        rows.append((figure, value, target, conditions))
        print(f"{figure}: {value}   (target {target}; {conditions})", flush=True)

    pods = a.deployments * 10
    print(f"# kubelite benchmark, {time.strftime('%Y-%m-%d')}, {platform.node()} ({os.cpu_count()} cpus, Python {platform.python_version()})")
    print(f"# workload: {a.nodes} nodes, {a.deployments} Deployments x 10 replicas over {namespaces} namespaces, a Service each", flush=True)

    print(f"# kubelite: {KUBELITE}", flush=True)
    # Stores are kept until the end: deleting 50,000 files just before the next converge
    # puts the file system's own cleanup (with `discard`, trims) into what is measured.
    builds = [build(root, a.deployments, a.nodes, f"-{i}", namespaces) for i in range(1 if a.only or a.scale else min(3, a.runs))]
    state, env, _, running = builds[-1]
    secs = statistics.median(b[2] for b in builds)
    row("converge from scratch", f"{running / secs:.0f} pods/s ({running} Running in {secs:.1f} s)", ">= 500 pods/s",
        f"apply the workload, then reconcile --until-stable; median of {len(builds)} fresh stores")
    floor, files = converge_floor(state, root, min(3, a.runs))
    row("converge against the file floor", f"{secs / floor:.2f}x ({secs:.1f} s vs {floor:.1f} s)", "<= 3x",
        f"the converge against creating, writing and renaming its {files} files in the same tree, then one sync")
    if a.only == "converge":
        print_rows(rows)
        return
    idle_figures(state, env, pods, a.runs, row)
    if a.only:
        print_rows(rows)
        return

    pod = subprocess.run([KUBELITE, "get", "pods", "-n", "bench-0", "-o", "name"], env=env, capture_output=True, text=True).stdout.split()[0].split("/")[1]
    kubectl = shutil.which("kubectl")
    if kubectl:
        pa, pb, pratio = paired([sys.executable, "-c", "pass"], [kubectl, "version", "--client"], env, env, a.runs)
        print(f"# for scale: `python -c pass` alone is {pratio:.2f}x kubectl ({pa * 1000:.0f} ms vs {pb * 1000:.0f} ms)", flush=True)
        ka, kb, ratio = paired([KUBELITE, "get", "pod", pod, "-n", "bench-0", "-o", "name"], [kubectl, "version", "--client"], env, env, a.runs)
        row("CLI start-up", f"{ratio:.2f}x ({ka * 1000:.0f} ms vs {kb * 1000:.0f} ms)", "<= 1.5x",
            "`kubelite get pod NAME -o name` against `kubectl version --client`, medians")

    ta, tb, ratio = paired([KUBELITE, "get", "pods", "-A"], [sys.executable, "-c", READ_LOOP, str(state / "registry" / "pods")],
                           env, env, a.runs)
    row("get pods -A (table)", f"{ta:.2f} s, {ratio:.2f}x reading the pod files", "<= 2 s; <= 3x at 100k",
        f"{pods} pods, stdout not a terminal, against a Python loop reading every pod file once")

    _, rss, _ = run([KUBELITE, "reconcile", "-q", "--full"], env)
    row("peak memory of reconcile", f"{rss} MiB", "<= 300 MB", f"a full pass with nothing to do, {pods} pods")

    # A rolling update of one Deployment in the full store: one pass right after
    # `set image`, against a no-op pass just before it (the store's caches stay warm).
    ratios = []
    for i in range(a.runs):
        base = run([KUBELITE, "reconcile", "-q", "--full"], env)[0]
        subprocess.run([KUBELITE, "set", "image", "deploy/app-0000", f"app=nginx:1.{26 + i}", "-n", "bench-0"],
                       env=env, capture_output=True)
        roll = run([KUBELITE, "reconcile", "-q"], env)[0]
        ratios.append(roll / base)
        run([KUBELITE, "reconcile", "--until-stable", "-q"], env)  # finish it before the next round
    row("rolling update, one pass", f"{statistics.median(ratios):.2f}x the no-op pass", "<= 2x",
        f"one Deployment of 10 in a store of {pods} pods")

    small_state, small_env, _, _ = build(root, 1, 1)
    small_pod = subprocess.run([KUBELITE, "get", "pods", "-n", "bench-0", "-o", "name"], env=small_env, capture_output=True, text=True).stdout.split()[0].split("/")[1]

    if a.scale:  # the large store itself is the one compared with 10 pods
        big_state, big_env, running2, big_pod = state, env, running, pod
    else:
        big_state, big_env, secs2, running2 = build(root, a.deployments * 2, a.nodes * 2)
        big_pod = subprocess.run([KUBELITE, "get", "pods", "-n", "bench-0", "-o", "name"], env=big_env, capture_output=True, text=True).stdout.split()[0].split("/")[1]
    ga, gb, ratio = paired([KUBELITE, "get", "pod", big_pod, "-n", "bench-0"], [KUBELITE, "get", "pod", small_pod, "-n", "bench-0"], big_env, small_env, a.runs)
    row("single-object read is O(1)", f"{ratio:.2f}x ({ga * 1000:.0f} ms vs {gb * 1000:.0f} ms)", "<= 1.2x",
        f"`get pod NAME` at {running2} pods against at 10 pods")
    if not a.scale:
        sa, sb, ratio = paired([KUBELITE, "reconcile", "-q", "--full"], [KUBELITE, "reconcile", "-q", "--full"], big_env, env, a.runs)
        row("scaling of the no-op reconcile", f"{ratio:.2f}x ({sa:.2f} s vs {sb:.2f} s)", "<= 2.2x", f"{running2} pods against {running} pods")

    print_rows(rows)
    if not a.keep:
        shutil.rmtree(root, ignore_errors=True)


def print_rows(rows) -> None:
    print("\n| figure | measured | target | conditions |\n| --- | --- | --- | --- |")
    for r in rows:
        print("| " + " | ".join(r) + " |")


def idle_figures(state: Path, env: dict, pods: int, runs: int, row) -> None:
    """Issue 17: a reconcile with nothing to do against `kubelite version`; a pass that must
    run (--full) against reading every object file once; -o name against listing the files."""
    # The converge's last pass found nothing to do, but it began within a second of the
    # writes before it, so its record is not trusted (runtime/quiet.py); this pass's is.
    run([KUBELITE, "reconcile", "-q"], env)
    out = subprocess.run([KUBELITE, "reconcile", "-o", "json"], env=env, capture_output=True, text=True).stdout
    if not json.loads(out).get("quiet"):
        print("# warning: the store is not quiet; the no-op reconcile below runs a pass", flush=True)
    before = files_snapshot(state)
    na, nb, ratio = paired([KUBELITE, "reconcile", "-q"], [KUBELITE, "version"], env, env, runs)
    written = sum(1 for p, m in files_snapshot(state).items() if before.get(p) != m)
    row("no-op reconcile", f"{ratio:.2f}x ({na * 1000:.0f} ms vs {nb * 1000:.0f} ms), {written} files written",
        "<= 1.5x, none written", f"reconcile with nothing changed and nothing due against `kubelite version`, {pods} pods")
    loop = [sys.executable, "-c", READ_LOOP, str(state / "registry")]
    fa, fb, ratio = paired([KUBELITE, "reconcile", "-q", "--full"], loop, env, env, runs)
    written = sum(1 for p, m in files_snapshot(state).items() if before.get(p) != m)
    row("a pass that must run", f"{ratio:.2f}x ({fa:.2f} s vs {fb:.2f} s), {written} files written", "<= 2x, none written",
        f"reconcile --full with nothing to do against a Python loop reading every object file once, {pods} pods")
    lister = [sys.executable, "-c", LIST_LOOP, str(state / "registry" / "pods")]
    la, lb, ratio = paired([KUBELITE, "get", "pods", "-A", "-o", "name"], lister, env, env, runs)
    row("get pods -A -o name", f"{ratio:.2f}x ({la:.2f} s vs {lb:.2f} s)", "<= 2x",
        f"against a Python loop listing the pod files, {pods} pods")


if __name__ == "__main__":
    main()
