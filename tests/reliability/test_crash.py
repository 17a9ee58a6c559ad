"""Crash safety: SIGKILL `reconcile --until-stable`, `apply` and `delete` at random moments on a
store of 2,000 pods, and check after every kill that nothing was damaged.

After each kill:
- every object file parses and is the object its path names (helpers.scan);
- no temporary or partial file is read as an object: `get` lists exactly the objects of the
  real files (never one that exists only in a temporary file), and doctor reports the
  temporary files as such and nothing else wrong with the files;
- the killed process's locks are gone: the next write is timed (it would wait for the store
  lock's 30 s timeout otherwise) and the next reconcile never exits 3;
- every few kills, and at the end, `reconcile --until-stable` converges to exactly the desired
  state: no pods beyond replicas, no orphans, unique pod IPs, ClusterIPs and NodePorts, each
  claim bound at most once (helpers.converged_problems).

The kill moment is a seeded random sleep of 0.05-1.5 s after the process starts; the seed is
printed (pytest -s shows it) and can be pinned with KUBELITE_CRASH_SEED.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import KUBELITE
from tests.reliability import helpers as h

KILLS = {"reconcile": h.soak(28, 200), "apply": h.soak(12, 150), "delete": h.soak(10, 150)}  # 50 in CI
CONVERGE_EVERY = 1 if h.SOAK else 6
NEXT_COMMAND_LIMIT = 10.0  # seconds; a stale store lock would hold the next write for its 30 s timeout


def _seed(name: str) -> int:
    base = int(os.environ.get("KUBELITE_CRASH_SEED", "0")) or random.SystemRandom().randrange(1, 2**31)
    seed = base + sum(map(ord, name))
    print(f"\n[crash:{name}] seed {seed} (KUBELITE_CRASH_SEED={base} reproduces it)")
    return seed


@pytest.fixture(scope="session")
def crash_template(tmp_path_factory):
    """One converged store of 2,000 pods per worker, built once and cloned for each scenario
    (session-scoped: a parallel run interleaves these tests with others)."""
    root = tmp_path_factory.mktemp("crash")
    state, cache = root / "template", root / "cache"
    h.build_store(state, cache)
    h.seed_parsed(state, cache)  # (if kubelite's cache format changed, scan just parses every file)
    s = h.scan(state)
    pods = h.of_kind(s, "pods")
    assert len(pods) >= 2000
    assert h.converged_problems(s) == []
    before = h.fingerprint(state)
    yield state, cache
    # The clones share the template's object files as hard links: had any command written an
    # object file in place instead of replacing it, the template would show it.
    assert h.fingerprint(state) == before


class Crash:
    """One scenario's store, its RNG, and the checks run after each kill."""

    def __init__(self, template, tmp_path: Path, name: str):
        tstate, tcache = template
        self.state, self.cache = tmp_path / "state", tmp_path / "cache"
        h.clone_store(tstate, tcache, self.state, self.cache)
        self.env = h.env_for(self.state, self.cache)
        self.rng = random.Random(_seed(name))
        self.kills = 0
        self.attempts = 0
        self.tmp = tmp_path
        self.probe = 0
        self.seconds: dict[str, float] = {}
        self.left_temp_files = 0  # kills that left new temporary files behind (a write caught mid-way)
        self.temps_seen: set[Path] = set()

    def timed(self, what: str, fn, *args):
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.seconds[what] = self.seconds.get(what, 0.0) + time.perf_counter() - t0

    def run(self, args: list[str], stdin: str | None = None) -> h.Run:
        r = self.timed(args[0], h.run, args, self.env, stdin)
        assert r.rc == 0, f"kubelite {' '.join(args)} exited {r.rc}: {r.err[-2000:]}"
        return r

    def kill_at_random(self, args: list[str]) -> bool:
        return self.timed("kill", self._kill_at_random, args)

    def _kill_at_random(self, args: list[str]) -> bool:
        """Start the command, sleep 0.05-1.5 s, SIGKILL it if still running. True if it was killed."""
        self.attempts += 1
        p = subprocess.Popen([KUBELITE] + args, env=self.env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(self.rng.uniform(0.05, 1.5))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        _, err = p.communicate()
        if p.returncode == -signal.SIGKILL:
            self.kills += 1
            return True
        assert p.returncode == 0, f"kubelite {' '.join(args)} exited {p.returncode}: {err.decode()}"
        return False

    def after_kill(self) -> h.Scan:
        s = self.timed("scan", h.scan, self.state)  # every object file parses (names the file if not)
        self.left_temp_files += bool(set(s.temp_files) - self.temps_seen)
        self.temps_seen |= set(s.temp_files)
        self.timed("temp-check", self._temp_files_are_never_objects, s)
        self.timed("probe", self._next_command_is_not_blocked)
        return s

    def _temp_files_are_never_objects(self, s: h.Scan) -> None:
        plurals = sorted({t.relative_to(self.state / "registry").parts[0] for t in s.temp_files})
        if not plurals:
            return
        r = h.run(["get", ",".join(plurals), "-A", "-o",
                   'jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}/{.metadata.resourceVersion}{"\\n"}{end}'],
                  self.env)
        assert r.rc == 0 and r.err == "", r.err
        shown = set(r.out.split())
        real = {f"{o['kind']}/{o['metadata'].get('namespace', '')}/{o['metadata']['name']}/{o['metadata'].get('resourceVersion')}"
                for (p, _, _), o in s.objects.items() if p in plurals}
        assert shown == real, f"get shows {sorted(shown - real)[:3]} not in any object file, misses {sorted(real - shown)[:3]}"
        for t in s.temp_files:
            assert t.name.startswith(".") and not h.final_of(t).name.startswith(".")

    def _next_command_is_not_blocked(self) -> None:
        self.probe += 1
        r = h.run(["annotate", "node", "node-000", f"crash.kubelite.io/probe={self.probe}", "--overwrite"], self.env)
        assert r.rc == 0, r.err
        assert r.seconds < NEXT_COMMAND_LIMIT, f"the first write after a kill took {r.seconds:.1f}s: a stale lock?"

    def converge(self) -> h.Scan:
        return self.timed("converge", self._converge)

    def _converge(self) -> h.Scan:
        r = h.run(["reconcile", "--until-stable", "--max-passes", "60", "-q"], self.env)
        assert r.rc == 0, f"reconcile after kills exited {r.rc} (3 would be a stale reconcile lock): {r.err[-2000:]}"
        s = h.scan(self.state)
        assert h.converged_problems(s) == []
        findings = h.doctor_findings(self.env, "--no-schema")
        assert {f["check"] for f in findings} <= {"temp-file", "stale-allocation"}, findings
        assert sorted(f["path"] for f in findings if f["check"] == "temp-file") == h.temp_files(self.state)
        return s

    def finish(self, wanted: int, schema: bool = False) -> None:
        assert self.kills >= wanted
        self.converge()
        # Leftovers of the kills are set aside, never deleted, and the store is then clean.
        left = h.temp_files(self.state)
        r = h.run(["doctor", "--fix", "--no-schema"], self.env)
        assert r.rc == 0, r.out + r.err
        assert h.temp_files(self.state) == []
        if left:  # moved to quarantine/<timestamp>/ under the same relative paths
            (quarantined,) = (self.state / "quarantine").iterdir()
            assert sorted(str(p.relative_to(quarantined)) for p in quarantined.rglob("*")
                          if p.is_file() and h.TEMP_FILE.match(p.name)) == left
        r = h.run(["doctor"] + ([] if schema else ["--no-schema"]), self.env)
        assert r.rc == 0, r.out + r.err
        print(f"[crash] {self.kills} kills in {self.attempts} attempts, {self.left_temp_files} caught a write mid-way; seconds: "
              + ", ".join(f"{k} {v:.1f}" for k, v in sorted(self.seconds.items())))


def _deployments(rng: random.Random, n: int, image_changes: int) -> list[dict]:
    docs = [d for d in h.documents(200, 20) if d["kind"] == "Deployment"]
    out = []
    for d in rng.sample(docs, n):
        d["spec"]["replicas"] = rng.choice([8, 9, 10, 11, 12])
        out.append(d)
    for d in out[:image_changes]:
        d["spec"]["template"]["spec"]["containers"][0]["image"] = rng.choice(["nginx:1.25", "nginx:1.26", "nginx:1.27"])
    return out


@pytest.mark.parametrize("part", [1, 2])
def test_sigkill_reconcile(crash_template, tmp_path, part):
    """Two halves, so a parallel run can spread them; each clones the store anew."""
    c = Crash(crash_template, tmp_path, f"reconcile-{part}")
    extra_pv = 0
    while c.kills < KILLS["reconcile"] // 2:
        # Give the next reconcile work: scale and roll some Deployments, add a volume to bind.
        docs = _deployments(c.rng, 3, 1 if extra_pv % 4 == 0 else 0)
        docs += [d for d in h.storage_documents(41 + extra_pv, 0) if d["metadata"]["name"] == f"pv-{40 + extra_pv:03d}"]
        extra_pv += 1
        c.run(["apply", "-f", "-"], h.stream(docs))
        if c.kill_at_random(["reconcile", "--until-stable", "--max-passes", "60", "-q"]):
            c.after_kill()
            if c.kills % CONVERGE_EVERY == 0:
                c.converge()
    c.finish(KILLS["reconcile"] // 2, schema=part == 1)


def test_sigkill_apply(crash_template, tmp_path):
    c = Crash(crash_template, tmp_path, "apply")
    payload = tmp_path / "payload.yaml"
    values: list[str] = ["none"]
    iteration = 0
    while c.kills < KILLS["apply"]:
        iteration += 1
        v = str(iteration)
        docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"crash-{i:03d}", "namespace": "bench-1"},
                 "data": {"v": v, "blob": "x" * 512}} for i in range(400)]
        docs += [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"np-{i:03d}", "namespace": "bench-2", "labels": {"v": v}},
                  "spec": {"type": "NodePort", "selector": {"app": f"np-{i}"}, "ports": [{"port": 80}]}} for i in range(40)]
        docs += _deployments(c.rng, 2, 0)
        docs += h.storage_documents(0, 70)[60:70]  # more claims to bind
        payload.write_text(h.stream(docs))
        killed = c.kill_at_random(["apply", "-f", str(payload)])
        values.append(v)
        s = c.after_kill() if killed else h.scan(c.state)
        # Each object is the old or the new version, never a mix or a part of one.
        for o in h.of_kind(s, "configmaps"):
            if o["metadata"]["name"].startswith("crash-"):
                assert o["data"]["v"] in values and o["data"]["blob"] == "x" * 512, o
        if killed and c.kills % CONVERGE_EVERY == 0:
            c.converge()
    c.finish(KILLS["apply"])


def test_sigkill_delete(crash_template, tmp_path):
    c = Crash(crash_template, tmp_path, "delete")
    payload = tmp_path / "payload.yaml"
    docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"gone-{i:04d}", "namespace": "bench-3"},
             "data": {"a": "b"}} for i in range(1600)]  # a delete that outlives most kill moments
    docs += [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"gone-{i:03d}", "namespace": "bench-3"},
              "spec": {"type": "NodePort", "selector": {"app": f"gone-{i}"}, "ports": [{"port": 80}]}} for i in range(40)]
    docs += [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"gone-{i:02d}", "namespace": "bench-3"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": f"gone-{i}"}},
                       "template": {"metadata": {"labels": {"app": f"gone-{i}"}},
                                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}} for i in range(6)]
    payload.write_text(h.stream(docs))
    while c.kills < KILLS["delete"]:
        c.run(["apply", "-f", str(payload)])
        if c.rng.random() < 0.25:  # sometimes with the Deployments' pods running
            c.run(["reconcile", "--until-stable", "-q"])
        cascade = c.rng.choice(["background", "foreground", "orphan"])
        # Kill deletes until one runs to the end (each kill leaves part of the payload).
        for _ in range(4):
            if not c.kill_at_random(["delete", "-f", str(payload), "--ignore-not-found", f"--cascade={cascade}"]):
                break
            c.after_kill()
            if c.kills % CONVERGE_EVERY == 0:
                c.converge()
    c.finish(KILLS["delete"])
