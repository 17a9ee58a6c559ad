"""Two builds of kubelite on the same workload: the no-op reconcile of each, pair by pair.

    python bench/compare.py BEFORE/.venv/bin/kubelite AFTER/.venv/bin/kubelite [--rounds 9]

Each build converges its own store of the benchmark workload (bench/workload.py; 1,000
Deployments = 10,000 pods), with its own cache folder. Then, round by round and
alternating which goes first, each runs on its own store the pass that must run with
nothing to do (`reconcile -q --full`: every controller over the whole store) and the
quiet check (`reconcile -q`, which loads no controller). Prints each figure's median
AFTER/BEFORE ratio with the spread (min to max of the rounds), wall and cpu time. Not a
test: CI does not run it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import env_for  # noqa: E402
from workload import documents  # noqa: E402


def timed(argv: list[str], env: dict) -> tuple[float, float, int]:
    """(wall seconds, cpu seconds, exit code) of one child process."""
    start = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def converge(kubelite: str, root: Path, tag: str, deployments: int, nodes: int) -> dict:
    env = env_for(root / f"state-{tag}", root / f"cache-{tag}")
    stream = "".join("---\n" + json.dumps(d) + "\n" for d in documents(deployments, nodes))
    subprocess.run([kubelite, "apply", "-f", "-"], input=stream.encode(), env=env, check=True, capture_output=True)
    subprocess.run([kubelite, "reconcile", "--until-stable", "--max-passes", "50", "-q"], env=env, check=True)
    time.sleep(1.1)  # a pass that begins within a second of a write is not trusted to be quiet (runtime/quiet.py)
    subprocess.run([kubelite, "reconcile", "-q"], env=env)  # a quiet pass whose record the next checks trust
    out = subprocess.run([kubelite, "reconcile", "-o", "json"], env=env, capture_output=True, text=True).stdout
    if not json.loads(out).get("quiet"):
        print(f"# warning: the {tag} store is not quiet", flush=True)
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--deployments", type=int, default=1000)
    ap.add_argument("--nodes", type=int, default=100)
    a = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kubelite-compare-"))
    try:
        builds = {"before": (a.before, converge(a.before, root, "before", a.deployments, a.nodes)),
                  "after": (a.after, converge(a.after, root, "after", a.deployments, a.nodes))}
        print(f"# {a.deployments * 10} pods; {a.rounds} rounds, alternating which build goes first", flush=True)
        for label, args in (("reconcile -q --full (a pass with nothing to do)", ["reconcile", "-q", "--full"]),
                            ("reconcile -q (the quiet check)", ["reconcile", "-q"])):
            got: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
            for i in range(a.rounds):
                for tag in (("before", "after") if i % 2 == 0 else ("after", "before")):
                    exe, env = builds[tag]
                    wall, cpu, rc = timed([exe, *args], env)
                    assert rc == 0, f"{tag}: {args} exited {rc}"
                    got[tag].append((wall, cpu))
            for j, what in ((0, "wall"), (1, "cpu")):
                ratios = [x[j] / y[j] for x, y in zip(got["after"], got["before"])]
                med_a = statistics.median(x[j] for x in got["after"])
                med_b = statistics.median(y[j] for y in got["before"])
                print(f"{label}, {what}: after/before {statistics.median(ratios):.2f}x "
                      f"({med_a * 1000:.0f} ms vs {med_b * 1000:.0f} ms), spread {min(ratios):.2f}x to {max(ratios):.2f}x", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
