"""Concurrency: several processes apply, scale, label and delete while two reconcile loops run
(the second usually exits 3, "another reconcile is running": that is expected, it loops).

Asserted at the end:
- no lost update: every label write that exited 0 is in the final object, unless a later
  write changed that same key (each writer owns its keys, so the last success must be there);
- resourceVersions unique, and strictly increasing in write order (the rv each successful
  label write returned with -o json; a write that finished before another started has the
  smaller one), and the counter above all of them;
- no duplicate objects and no torn files (readers running all along never saw a file that
  did not parse; every file parses at the end);
- conflicts surface as `Error from server (Conflict)` (label --resource-version with a stale
  version), never as silent overwrites;
- afterwards `reconcile --until-stable` converges to the final desired state.
"""
from __future__ import annotations

import json
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import pytest

from tests.reliability import helpers as h

DURATION = h.soak(14.0, 180.0)  # seconds of concurrent load
TARGETS = [f"target-{i:02d}" for i in range(12)]
DEPLOYMENTS = [f"app-{i:02d}" for i in range(8)]


@dataclass
class Write:
    writer: str
    target: str
    key: str
    value: str
    rv: int
    start: float
    end: float


def _deployment(name: str, replicas: int) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "load"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx",
                                                           "resources": {"requests": {"cpu": "10m"}}}]}}}}


def _targets(data: str) -> list[dict]:
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": t, "namespace": "load"}, "data": {"d": data}}
            for t in TARGETS]


@pytest.fixture
def store(tmp_path):
    state, cache = tmp_path / "state", tmp_path / "cache"
    env = h.env_for(state, cache, strict=True)
    docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "load"}}]
    docs += [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i}"},
              "status": {"capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"}}} for i in range(4)]
    docs += [_deployment(d, 3) for d in DEPLOYMENTS] + _targets("0")
    r = h.run(["apply", "-f", "-"], env, stdin=h.stream(docs))
    assert r.rc == 0, r.err
    r = h.run(["reconcile", "--until-stable", "-q"], env)
    assert r.rc == 0, r.err
    return state, env


class Load:
    def __init__(self, env: dict, seed: int):
        self.env = env
        self.seed = seed
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.writes: list[Write] = []
        self.failures: list[str] = []
        self.conflicts = 0
        self.reconciles: dict[int, int] = defaultdict(int)
        self.replicas: dict[str, tuple[float, int]] = {}  # deployment -> (end time, replicas) of the last scale
        self.reads = 0

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)

    def labeler(self, n: int) -> None:
        rng = random.Random(self.seed * 100 + n)
        writer = f"w{n}"
        seq = 0
        while not self.stop.is_set():
            seq += 1
            target = rng.choice(TARGETS)
            key = f"{writer}-k{rng.randrange(3)}"
            value = f"{seq}"
            t0 = time.monotonic()
            r = h.run(["label", "configmap", target, "-n", "load", f"{key}={value}", "--overwrite", "-o", "json"], self.env)
            t1 = time.monotonic()
            if r.rc != 0:
                # Without --resource-version, label is a patch: it never fails for a concurrent write.
                self.fail(f"label {target} {key}={value} exited {r.rc}: {r.err.strip()}")
                continue
            obj = json.loads(r.out)
            if obj["metadata"]["labels"].get(key) != value:
                self.fail(f"label {target} {key}={value} returned {obj['metadata']['labels']}")
            with self.lock:
                self.writes.append(Write(writer, target, key, value, int(obj["metadata"]["resourceVersion"]), t0, t1))

    def stale_labeler(self) -> None:
        """label --resource-version with a version that is already gone: must be a Conflict, and write nothing."""
        rng = random.Random(self.seed * 100 + 99)
        while not self.stop.is_set():
            target = rng.choice(TARGETS)
            r = h.run(["get", "configmap", target, "-n", "load", "-o", "json"], self.env)
            if r.rc != 0:
                self.fail(f"get {target}: {r.err}")
                continue
            rv = int(json.loads(r.out)["metadata"]["resourceVersion"])
            stale = str(rv - 1 - rng.randrange(5))
            r = h.run(["label", "configmap", target, "-n", "load", f"stale=s{stale}", "--overwrite", "--resource-version", stale], self.env)
            if r.rc == 0 or not r.err.startswith("Error from server (Conflict): "):
                self.fail(f"a stale resourceVersion was not a Conflict: rc {r.rc} {r.err.strip()}")
            with self.lock:
                self.conflicts += 1

    def scaler(self) -> None:
        rng = random.Random(self.seed * 100 + 50)
        while not self.stop.is_set():
            d = rng.choice(DEPLOYMENTS)
            n = rng.randrange(1, 6)
            r = h.run(["scale", "deployment", d, "-n", "load", f"--replicas={n}"], self.env)
            if r.rc != 0:
                self.fail(f"scale {d} exited {r.rc}: {r.err.strip()}")
                continue
            with self.lock:
                self.replicas[d] = (time.monotonic(), n)

    def applier(self) -> None:
        """Re-applies the label targets with new data: labels set by `label` must survive."""
        rng = random.Random(self.seed * 100 + 60)
        i = 0
        while not self.stop.is_set():
            i += 1
            docs = _targets(str(i)) + [{"apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": {"name": f"extra-{rng.randrange(20)}", "namespace": "load"}, "data": {"i": str(i)}}]
            r = h.run(["apply", "-f", "-"], self.env, stdin=h.stream(docs))
            if r.rc != 0:
                self.fail(f"apply exited {r.rc}: {r.err.strip()}")

    def deleter(self) -> None:
        """Creates and deletes short-lived objects (a Deployment with pods, Services with IPs and ports)."""
        rng = random.Random(self.seed * 100 + 70)
        while not self.stop.is_set():
            name = f"temp-{rng.randrange(4)}"
            docs = [_deployment(name, 2), {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "load"},
                                           "spec": {"type": "NodePort", "selector": {"app": name}, "ports": [{"port": 80}]}}]
            r = h.run(["apply", "-f", "-"], self.env, stdin=h.stream(docs))
            if r.rc != 0:
                self.fail(f"apply {name} exited {r.rc}: {r.err.strip()}")
            time.sleep(rng.uniform(0, 0.5))
            r = h.run(["delete", "deployment,service", name, "-n", "load", "--ignore-not-found"], self.env)
            if r.rc != 0:
                self.fail(f"delete {name} exited {r.rc}: {r.err.strip()}")

    def reconciler(self) -> None:
        while not self.stop.is_set():
            r = h.run(["reconcile", "-q"], self.env)
            with self.lock:
                self.reconciles[r.rc] += 1
            if r.rc == 3:
                if not r.err.startswith("error: another reconcile is running"):
                    self.fail(f"reconcile exit 3 without its message: {r.err}")
                time.sleep(0.05)
            elif r.rc != 0:
                self.fail(f"reconcile exited {r.rc}: {r.err.strip()}")

    def reader(self) -> None:
        """Readers take no lock: they must never see a torn or partial file."""
        while not self.stop.is_set():
            r = h.run(["get", "configmaps,deployments,replicasets,pods,services", "-n", "load", "-o", "json"], self.env)
            if r.rc != 0 or r.err:
                self.fail(f"a read during writes failed: rc {r.rc} {r.err.strip()}")
                continue
            names = [(i["kind"], i["metadata"]["name"]) for i in json.loads(r.out)["items"]]
            if len(names) != len(set(names)):
                self.fail(f"duplicate objects in a listing: {sorted(n for n in names if names.count(n) > 1)[:3]}")
            with self.lock:
                self.reads += 1


def test_concurrent_writers_and_two_reconcile_loops(store):
    state, env = store
    seed = random.SystemRandom().randrange(1, 2**31)
    print(f"\n[concurrency] seed {seed}")
    load = Load(env, seed)
    workers = [threading.Thread(target=load.labeler, args=(n,)) for n in range(3)]
    workers += [threading.Thread(target=f) for f in (load.stale_labeler, load.scaler, load.applier, load.deleter,
                                                     load.reconciler, load.reconciler, load.reader)]
    for w in workers:
        w.start()
    time.sleep(DURATION)
    load.stop.set()
    for w in workers:
        w.join(timeout=120)
    assert load.failures == []
    print(f"[concurrency] {len(load.writes)} label writes, {load.conflicts} conflicts, reconciles by exit code "
          f"{dict(load.reconciles)}, {load.reads} reads")
    assert len(load.writes) >= 3 and load.conflicts >= 1 and load.reconciles[0] >= 1

    # resourceVersions: unique, increasing along each writer and in real-time order
    rvs = [w.rv for w in load.writes]
    assert len(rvs) == len(set(rvs)), "two writes got the same resourceVersion"
    by_end = sorted(load.writes, key=lambda w: w.end)
    for a in by_end:
        for b in load.writes:
            if a.end < b.start:
                assert a.rv < b.rv, f"{a} finished before {b} started but has a larger resourceVersion"
    assert int((state / "resource-version").read_text()) >= max(rvs)

    # no lost update: the last successful write of each key is in the final object
    r = h.run(["get", "configmaps", "-n", "load", "-o", "json"], env)
    final = {i["metadata"]["name"]: i for i in json.loads(r.out)["items"]}
    last: dict[tuple[str, str], Write] = {}
    for w in sorted(load.writes, key=lambda w: w.rv):
        last[(w.target, w.key)] = w
    for (target, key), w in last.items():
        labels = final[target]["metadata"].get("labels") or {}
        assert labels.get(key) == w.value, f"lost update: {target} {key}={w.value} (rv {w.rv}) is {labels.get(key)!r}"
        assert int(final[target]["metadata"]["resourceVersion"]) >= w.rv
    for t in TARGETS:  # a write with a stale resourceVersion never landed
        assert "stale" not in (final[t]["metadata"].get("labels") or {}), final[t]["metadata"]["labels"]

    # no torn files, no duplicate objects; then the loops' leftovers converge
    s = h.scan(state)
    uids = [o["metadata"]["uid"] for o in s.objects.values()]
    assert len(uids) == len(set(uids))
    r = h.run(["reconcile", "--until-stable", "--max-passes", "40", "-q"], env)
    assert r.rc == 0, r.err
    s = h.scan(state)
    assert h.converged_problems(s) == []
    for d, (_, n) in load.replicas.items():
        dep = s.objects[("deployments", "load", d)]
        assert dep["spec"]["replicas"] == n, f"{d}: the last scale said {n}"
    findings = h.doctor_findings(env)
    assert {f["check"] for f in findings} <= {"stale-allocation"}, findings
