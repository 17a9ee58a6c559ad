"""The SIGKILL campaign of tests/reliability/test_crash.py at the benchmark's sizes (issue 17).

    python bench/crash.py --pods 10000 --kills 30            # builds its own store (a few minutes)
    python bench/crash.py --pods 100000 --kills 10 --store /tmp/s100k/state-10000-0 --cache /tmp/s100k/cache
    python bench/crash.py --pods 10000 --kills 30 --seed 1234   # replays a campaign's kill moments

Kills `reconcile --until-stable`, `apply`, `delete -f` and `serve` (controllers on, two clients
writing through it) with SIGKILL at random moments, in that order, with the kills split 4:2:2:2,
and runs the CI campaign's checks (tests/reliability/campaign.py) after every kill: every object
file parses and is its path's object, no temporary file is read as an object, the next write is
not held by a stale lock, and (every --converge-every kills, and at the end of each command's
turn) `reconcile --until-stable` converges to exactly the desired state and doctor is clean but
for leftover temporary files; for serve also that no acknowledged write is lost and that a new
serve converges the store by itself.

The store built is the benchmark's workload (bench/workload.py; 10 namespaces up to 10,000
pods, one per 1,000 pods beyond, as `bench/run.py --scale 100k`; past 256 nodes the workload
widens the cluster CIDR) plus the CI campaign's 40 volumes and 60 claims. A --store (e.g. one
`bench/run.py --keep` built) is never written: it is cloned with hard links (kubelite replaces
files by rename, so a clone does not share writes), and the clone is checked unchanged at the
end. Prints the seed, each kill (command, moment, what was checked, seconds), and a summary;
exits 1 on any damage.

Not a test: CI runs the same campaign at 2,000 pods.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.reliability import helpers as h  # noqa: E402
from tests.reliability.campaign import Crash, Workload, kill_apply, kill_delete, kill_reconcile, kill_serve  # noqa: E402

SHARES = {"reconcile": 4, "apply": 2, "delete": 2, "serve": 2}


def split(kills: int) -> dict[str, int]:
    """kills over the commands by SHARES, each at least one."""
    total = sum(SHARES.values())
    out = {k: max(1, kills * v // total) for k, v in SHARES.items()}
    for k in list(SHARES)[: max(0, kills - sum(out.values()))]:
        out[k] += 1
    return out


def say(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {msg}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pods", type=int, default=10000, help="Deployments of 10 replicas x 10 (default 10000)")
    ap.add_argument("--kills", type=int, default=30, help="kills in all, split 4:2:2:2 over reconcile, apply, delete, serve")
    ap.add_argument("--store", type=Path, help="a converged store of that size to clone (never written)")
    ap.add_argument("--cache", type=Path, help="--store's cache folder (KUBELITE_CACHE_DIR), copied along if given")
    ap.add_argument("--seed", type=int, default=0, help="replay the campaign of this seed")
    ap.add_argument("--root", type=Path, help="work here and keep it (default: a new temporary folder, removed at the "
                    "end); a later run with the same --root reuses its template store")
    ap.add_argument("--converge-every", type=int, default=1, help="the full convergence check every N kills (default every kill)")
    ap.add_argument("--only", action="append", choices=sorted(SHARES), help="run only these commands' kills (repeatable)")
    ap.add_argument("--schema", action="store_true", help="end with doctor's JSON Schema pass too (slow at 100,000 pods)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds any one command may take")
    a = ap.parse_args()

    deployments = a.pods // 10
    w = Workload(deployments, max(1, a.pods // 100), max(10, a.pods // 1000))
    base = a.seed or random.SystemRandom().randrange(1, 2**31)
    root = a.root or Path(tempfile.mkdtemp(prefix="kubelite-crash-"))
    root.mkdir(parents=True, exist_ok=True)
    kills = split(a.kills)
    if a.only:
        kills = {k: v for k, v in kills.items() if k in a.only}
    say(f"# kubelite crash campaign: {a.pods} pods ({w.deployments} Deployments x 10, {w.nodes} nodes, {w.namespaces} namespaces); "
        f"seed {base} (--seed {base} replays it); kills {kills}; in {root}")
    template, tcache = root / "template", root / "template-cache"
    stats: list[Crash] = []
    failed = None
    t_start = time.perf_counter()
    try:
        t0 = time.perf_counter()
        if (template / "registry").is_dir():  # a --root of an earlier campaign: its template is reused
            say(f"reusing the template in {template}")
        elif a.store:
            h.clone_store(a.store, a.cache or root / "none", template, tcache)
            say(f"cloned {a.store} with hard links in {time.perf_counter() - t0:.1f} s")
            r = h.run(["reconcile", "--until-stable", "--max-passes", "60", "-q"], h.env_for(template, tcache), timeout=a.timeout)
            assert r.rc == 0, r.err
        else:
            h.build_store(template, tcache, w.deployments, w.nodes, namespaces=w.namespaces, timeout=a.timeout)
            say(f"built and converged the store in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        seeded = h.seed_parsed(template, tcache)
        s = h.scan(template)
        pods = len(h.of_kind(s, "pods"))
        problems = h.converged_problems(s)
        assert not problems, f"the store to crash is not converged: {problems[:5]}"
        before = h.fingerprint(template)
        say(f"template: {len(s.objects)} objects, {pods} pods, converged ({seeded} parses taken from kubelite's cache; "
            f"checked in {time.perf_counter() - t0:.1f} s)")
        assert pods >= a.pods, f"the store holds {pods} pods, not {a.pods}"
        del s

        t0 = time.perf_counter()
        work = root / "run"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        h.clone_store(template, tcache, work / "state", work / "cache")
        say(f"cloned the template for the campaign in {time.perf_counter() - t0:.1f} s")
        window = {"reconcile": min(60.0, 1.5 * max(1, a.pods / 2000)), "apply": 1.5, "delete": 1.5,
                  "serve": max(3.0, a.pods / 2000)}
        for command, n in kills.items():
            say(f"## {n} kills of `{command}`")
            c = Crash(work / "state", work / "cache", command, seed=base, workload=w, window=window, adapt=True,
                      timeout=a.timeout, log=say)
            stats.append(c)
            if command == "reconcile":
                kill_reconcile(c, n, a.converge_every)
            elif command == "apply":
                kill_apply(c, n, a.converge_every, work / "payload.yaml")
            elif command == "delete":
                kill_delete(c, n, a.converge_every, work / "payload.yaml")
            else:
                kill_serve(c, n, converge_timeout=a.timeout)
            c.finish(n, schema=a.schema and command == list(kills)[-1])
        after = h.fingerprint(template)
        assert after == before, (f"{sum(1 for k in before if after.get(k) != before[k])} files of the template changed: "
                                 "an object file was written in place")
        say("checked: the template is unchanged (no object file was written in place)")
    except AssertionError as e:
        failed = f"DAMAGE: {e}"
        traceback.print_exc()
    except Exception as e:  # noqa: BLE001 - reported, and the exit code says it failed
        failed = f"ERROR (not damage as such, but the campaign did not finish): {type(e).__name__}: {e}"
        traceback.print_exc()
    finally:
        if not a.root:
            shutil.rmtree(root, ignore_errors=True)

    print("\n# summary", flush=True)
    print(f"pods {a.pods}, seed {base}, {time.perf_counter() - t_start:.0f} s in all")
    print("| command | kills | attempts | caught a write mid-way | seconds per kill and its checks (median, max) | seconds by step |")
    print("| --- | --- | --- | --- | --- | --- |")
    for c in stats:
        per = f"{statistics.median(c.per_kill):.1f}, {max(c.per_kill):.1f}" if c.per_kill else "-"
        steps = ", ".join(f"{k} {v:.0f}" for k, v in sorted(c.seconds.items()))
        print(f"| {c.name} | {c.kills} | {c.attempts} | {c.left_temp_files} | {per} | {steps} |")
    print(failed or f"no damage found in {sum(c.kills for c in stats)} kills", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.exit(main())
