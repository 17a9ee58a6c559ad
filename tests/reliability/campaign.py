"""The SIGKILL campaign's parts (issue 9, and issue 17 at the benchmark's sizes): a store of the
benchmark's workload, commands killed at random moments, and the checks after each kill.

tests/reliability/test_crash.py runs it in CI on 2,000 pods; bench/crash.py runs the same
scenarios and checks on 10,000 or 100,000 pods. Every check is an assert, so a failure in
either names what is damaged.

After each kill (Crash.after_kill):
- every object file parses and is the object its path names (helpers.scan);
- no temporary or partial file is read as an object: `get` lists exactly the objects of the
  real files (never one that exists only in a temporary file);
- the killed process's locks are gone: the next write is timed (it would wait for the store
  lock's 30 s timeout otherwise) and the next reconcile never exits 3;
and every few kills, and at the end (Crash.converge), `reconcile --until-stable` converges to
exactly the desired state (helpers.converged_problems) and doctor reports nothing but the
leftover temporary files.
"""
from __future__ import annotations

import http.client
import json
import os
import random
import signal
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, NamedTuple

from tests.conftest import KUBELITE
from tests.reliability import helpers as h

NEXT_COMMAND_LIMIT = 10.0  # seconds; a stale store lock would hold the next write for its 30 s timeout


class Workload(NamedTuple):
    """bench/workload.py's shape: Deployments of 10 replicas over namespaces, on nodes."""
    deployments: int = 200
    nodes: int = 20
    namespaces: int = 10


def seed_for(name: str, base: int | None = None, log: Callable[[str], None] = print) -> int:
    base = base or int(os.environ.get("KUBELITE_CRASH_SEED", "0")) or random.SystemRandom().randrange(1, 2**31)
    seed = base + sum(map(ord, name))
    log(f"[crash:{name}] seed {seed} (KUBELITE_CRASH_SEED={base} or --seed {base} reproduces it)")
    return seed


class Crash:
    """One scenario's store, its RNG, and the checks run after each kill.

    `window` is the latest kill moment per command (seconds after it starts; 1.5 by default);
    with `adapt`, a command that finishes before its moment shrinks its window to the time it
    took, so kills keep landing inside long commands without waiting past their end.
    """

    def __init__(self, state: Path, cache: Path, name: str, *, seed: int | None = None, workload: Workload = Workload(),
                 window: dict[str, float] | None = None, adapt: bool = False, timeout: float = 300,
                 log: Callable[[str], None] | None = None):
        self.state, self.cache = state, cache
        self.env = h.env_for(state, cache)
        self.name = name
        self.say = log or (lambda _msg: None)
        self.rng = random.Random(seed_for(name, seed, log or print))
        self.workload = workload
        self.window = dict(window or {})
        self.adapt = adapt
        self.timeout = timeout
        self.kills = 0
        self.attempts = 0
        self.probe = 0
        self.seconds: dict[str, float] = {}
        self.per_kill: list[float] = []  # seconds from each kill's start to the end of its checks
        self.left_temp_files = 0  # kills that left new temporary files behind (a write caught mid-way)
        self.temps_seen: set[Path] = set()
        self._kill_started = 0.0

    @classmethod
    def cloned(cls, template, root: Path, name: str, **kw) -> "Crash":
        """A scenario on its own copy of a converged template store (helpers.clone_store)."""
        tstate, tcache = template
        state, cache = root / "state", root / "cache"
        h.clone_store(tstate, tcache, state, cache)
        return cls(state, cache, name, **kw)

    def timed(self, what: str, fn, *args):
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.seconds[what] = self.seconds.get(what, 0.0) + time.perf_counter() - t0

    def run(self, args: list[str], stdin: str | None = None) -> h.Run:
        r = self.timed(args[0], h.run, args, self.env, stdin, self.timeout)
        assert r.rc == 0, f"kubelite {' '.join(args)} exited {r.rc}: {r.err[-2000:]}"
        return r

    def moment(self, command: str) -> float:
        return self.rng.uniform(0.05, max(0.1, self.window.get(command, 1.5)))

    def kill_at_random(self, args: list[str]) -> bool:
        return self.timed("kill", self._kill_at_random, args)

    def _kill_at_random(self, args: list[str]) -> bool:
        """Start the command, sleep a random moment, SIGKILL it if still running. True if it was killed."""
        self.attempts += 1
        moment = self.moment(args[0])
        with tempfile.TemporaryFile() as err_file:  # not a pipe: a full pipe would stall the command
            t0 = time.perf_counter()
            p = subprocess.Popen([KUBELITE] + args, env=self.env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=err_file)
            try:
                p.wait(moment)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()
            took = time.perf_counter() - t0
            err_file.seek(0)
            err = err_file.read()
        if p.returncode == -signal.SIGKILL:
            self.kills += 1
            self._kill_started = t0
            self.say(f"kill {self.kills}: SIGKILL `kubelite {' '.join(args[:3])}` at {moment:.2f} s")
            return True
        assert p.returncode == 0, f"kubelite {' '.join(args)} exited {p.returncode}: {err.decode()[-2000:]}"
        self.say(f"  (`kubelite {' '.join(args[:3])}` finished by itself in {took:.2f} s, before its moment {moment:.2f} s)")
        if self.adapt:
            self.window[args[0]] = min(self.window.get(args[0], 1.5), took)
        return False

    def after_kill(self) -> h.Scan:
        s = self.timed("scan", h.scan, self.state)  # every object file parses (names the file if not)
        new_temps = set(s.temp_files) - self.temps_seen
        self.left_temp_files += bool(new_temps)
        self.temps_seen |= set(s.temp_files)
        self.timed("temp-check", self._temp_files_are_never_objects, s)
        probe = self.timed("probe", self._next_command_is_not_blocked)
        self.say(f"  checked: {len(s.objects)} object files parse and are their paths' objects; "
                 f"{len(new_temps)} new temporary files, none read as an object; next write {probe:.2f} s (no stale lock)")
        return s

    def _temp_files_are_never_objects(self, s: h.Scan) -> None:
        plurals = sorted({t.relative_to(self.state / "registry").parts[0] for t in s.temp_files})
        if not plurals:
            return
        r = h.run(["get", ",".join(plurals), "-A", "-o",
                   'jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}/{.metadata.resourceVersion}{"\\n"}{end}'],
                  self.env, timeout=self.timeout)
        assert r.rc == 0 and r.err == "", r.err
        shown = set(r.out.split())
        real = {f"{o['kind']}/{o['metadata'].get('namespace', '')}/{o['metadata']['name']}/{o['metadata'].get('resourceVersion')}"
                for (p, _, _), o in s.objects.items() if p in plurals}
        assert shown == real, f"get shows {sorted(shown - real)[:3]} not in any object file, misses {sorted(real - shown)[:3]}"
        for t in s.temp_files:
            assert t.name.startswith(".") and not h.final_of(t).name.startswith(".")

    def _next_command_is_not_blocked(self) -> float:
        self.probe += 1
        r = h.run(["annotate", "node", "node-000", f"crash.kubelite.io/probe={self.probe}", "--overwrite"], self.env)
        assert r.rc == 0, r.err
        assert r.seconds < NEXT_COMMAND_LIMIT, f"the first write after a kill took {r.seconds:.1f}s: a stale lock?"
        return r.seconds

    def converge(self) -> h.Scan:
        return self.timed("converge", self._converge)

    def _converge(self) -> h.Scan:
        t0 = time.perf_counter()
        r = h.run(["reconcile", "--until-stable", "--max-passes", "60", "-q"], self.env, timeout=self.timeout)
        assert r.rc == 0, f"reconcile after kills exited {r.rc} (3 would be a stale reconcile lock): {r.err[-2000:]}"
        s = h.scan(self.state)
        assert h.converged_problems(s) == []
        findings = h.doctor_findings(self.env, "--no-schema", timeout=self.timeout)
        assert {f["check"] for f in findings} <= {"temp-file", "stale-allocation"}, findings
        assert sorted(f["path"] for f in findings if f["check"] == "temp-file") == h.temp_files(self.state)
        self.say(f"  converged: reconcile --until-stable {r.seconds:.1f} s, then no pods beyond replicas, every Deployment "
                 f"rolled out and Running, no orphans, unique pod IPs/ClusterIPs/NodePorts, claims bound once; doctor: "
                 f"{len(findings)} findings, all leftover temporary files or allocation markers ({time.perf_counter() - t0:.1f} s)")
        return s

    def checked(self) -> None:
        """A kill's checks are done: record the time from its start."""
        self.per_kill.append(time.perf_counter() - self._kill_started)
        self.say(f"  kill {self.kills} and its checks: {self.per_kill[-1]:.1f} s")

    def finish(self, wanted: int, schema: bool = False) -> None:
        assert self.kills >= wanted
        self.converge()
        # Leftovers of the kills are set aside, never deleted, and the store is then clean.
        left = h.temp_files(self.state)
        r = h.run(["doctor", "--fix", "--no-schema"], self.env, timeout=self.timeout)
        assert r.rc == 0, r.out + r.err
        assert h.temp_files(self.state) == []
        if left:  # moved to quarantine/<timestamp>/ under the same relative paths
            quarantined = max((self.state / "quarantine").iterdir())
            assert sorted(str(p.relative_to(quarantined)) for p in quarantined.rglob("*")
                          if p.is_file() and h.TEMP_FILE.match(p.name)) == left
        r = h.run(["doctor"] + ([] if schema else ["--no-schema"]), self.env, timeout=self.timeout)
        assert r.rc == 0, r.out + r.err
        self.say(f"  finished: {len(left)} leftover temporary files quarantined by doctor --fix; doctor"
                 f"{'' if schema else ' --no-schema'} then clean")
        print(f"[crash:{self.name}] {self.kills} kills in {self.attempts} attempts, {self.left_temp_files} caught a write mid-way; "
              "seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(self.seconds.items())), flush=True)


def deployments(c: Crash, n: int, image_changes: int) -> list[dict]:
    """n of the workload's Deployments, rescaled to 8-12 replicas, the first few with a new image."""
    w = c.workload
    picked = set(c.rng.sample(range(w.deployments), n))
    docs = [d for i, d in enumerate(d for d in h.documents(w.deployments, w.nodes, namespaces=w.namespaces)
                                    if d["kind"] == "Deployment") if i in picked]
    out = []
    for d in docs:
        d["spec"]["replicas"] = c.rng.choice([8, 9, 10, 11, 12])
        out.append(d)
    for d in out[:image_changes]:
        d["spec"]["template"]["spec"]["containers"][0]["image"] = c.rng.choice(["nginx:1.25", "nginx:1.26", "nginx:1.27"])
    return out


# -- the scenarios: each kills its command until `kills` kills, then c.finish() -------------------

def kill_reconcile(c: Crash, kills: int, converge_every: int) -> None:
    extra_pv = 0
    while c.kills < kills:
        # Give the next reconcile work: scale and roll some Deployments (3 of 200, more in a
        # bigger store, so its writes last long enough to be killed), add a volume to bind.
        n = max(3, c.workload.deployments // 70)
        docs = deployments(c, n, max(1, n // 10) if extra_pv % 4 == 0 else 0)
        docs += [d for d in h.storage_documents(41 + extra_pv, 0) if d["metadata"]["name"] == f"pv-{40 + extra_pv:03d}"]
        extra_pv += 1
        c.run(["apply", "-f", "-"], h.stream(docs))
        if c.kill_at_random(["reconcile", "--until-stable", "--max-passes", "60", "-q"]):
            c.after_kill()
            if c.kills % converge_every == 0:
                c.converge()
            c.checked()


def kill_apply(c: Crash, kills: int, converge_every: int, payload: Path) -> None:
    values: list[str] = ["none"]
    iteration = 0
    while c.kills < kills:
        iteration += 1
        v = str(iteration)
        docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"crash-{i:03d}", "namespace": "bench-1"},
                 "data": {"v": v, "blob": "x" * 512}} for i in range(400)]
        docs += [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"np-{i:03d}", "namespace": "bench-2", "labels": {"v": v}},
                  "spec": {"type": "NodePort", "selector": {"app": f"np-{i}"}, "ports": [{"port": 80}]}} for i in range(40)]
        docs += deployments(c, 2, 0)
        docs += h.storage_documents(0, 70)[60:70]  # more claims to bind
        payload.write_text(h.stream(docs))
        killed = c.kill_at_random(["apply", "-f", str(payload)])
        values.append(v)
        s = c.after_kill() if killed else h.scan(c.state)
        # Each object is the old or the new version, never a mix or a part of one.
        for o in h.of_kind(s, "configmaps"):
            if o["metadata"]["name"].startswith("crash-"):
                assert o["data"]["v"] in values and o["data"]["blob"] == "x" * 512, o
        if killed:
            c.say("  checked: every crash-* ConfigMap holds one applied version, whole")
            if c.kills % converge_every == 0:
                c.converge()
            c.checked()


def kill_delete(c: Crash, kills: int, converge_every: int, payload: Path) -> None:
    docs = [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"gone-{i:04d}", "namespace": "bench-3"},
             "data": {"a": "b"}} for i in range(1600)]  # a delete that outlives most kill moments
    docs += [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": f"gone-{i:03d}", "namespace": "bench-3"},
              "spec": {"type": "NodePort", "selector": {"app": f"gone-{i}"}, "ports": [{"port": 80}]}} for i in range(40)]
    docs += [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": f"gone-{i:02d}", "namespace": "bench-3"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": f"gone-{i}"}},
                       "template": {"metadata": {"labels": {"app": f"gone-{i}"}},
                                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}} for i in range(6)]
    payload.write_text(h.stream(docs))
    while c.kills < kills:
        c.run(["apply", "-f", str(payload)])
        if c.rng.random() < 0.25:  # sometimes with the Deployments' pods running
            c.run(["reconcile", "--until-stable", "-q"])
        cascade = c.rng.choice(["background", "foreground", "orphan"])
        # Kill deletes until one runs to the end (each kill leaves part of the payload).
        for _ in range(4):
            if c.kills >= kills or not c.kill_at_random(["delete", "-f", str(payload), "--ignore-not-found", f"--cascade={cascade}"]):
                break
            c.after_kill()
            if c.kills % converge_every == 0:
                c.converge()
            c.checked()


# -- `kubelite serve` killed while clients write through it ------------------------------------------

class Server:
    """A `kubelite serve` in its own process group (so a kill takes all of it)."""

    def __init__(self, c: Crash, interval: str):
        kubeconfig = c.state.parent / f"{c.state.name}.kubeconfig"
        self.proc = subprocess.Popen([KUBELITE, "serve", "--port", "0", "--kubeconfig", str(kubeconfig),
                                      "--reconcile-interval", interval], env=c.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        watchdog = threading.Timer(c.timeout, os.killpg, (self.proc.pid, signal.SIGKILL))  # a serve that never starts
        watchdog.start()
        try:
            line = self.proc.stdout.readline().decode()  # the one line serve prints when ready
            assert line.startswith("kubelite serving https://"), f"serve did not start: {line!r}"
        except BaseException:
            self.stop(signal.SIGKILL)
            raise
        finally:
            watchdog.cancel()
        self.url = line.split()[2].rstrip(";")
        self.state = c.state

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode

    def connection(self) -> http.client.HTTPSConnection:
        host, port = self.url[len("https://"):].rsplit(":", 1)
        ctx = ssl.create_default_context(cafile=str(self.state / "pki" / "ca.crt"))
        return http.client.HTTPSConnection(host, int(port), context=ctx, timeout=60)

    def headers(self, ctype: str = "application/json") -> dict:
        token = (self.state / "pki" / "admin.token").read_text().strip()
        return {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": ctype}


def _live_scan(state: Path) -> h.Scan:
    """helpers.scan while a server writes: a file removed between listing and reading is
    looked at again on the next try."""
    while True:
        try:
            return h.scan(state)
        except FileNotFoundError:
            continue


class Writer(threading.Thread):
    """A client writing through `serve` on one keep-alive connection, one request at a time,
    until it is stopped or the server goes away. It remembers, per object, the last value the
    server acknowledged (2xx) and the one in flight when the server died: after the kill the
    store must hold one of the two (an acknowledged write is never lost, none is half-done)."""

    def __init__(self, server: Server, requests, acked: dict, counter):
        super().__init__(daemon=True)
        self.server, self.requests, self.acked, self.counter = server, requests, acked, counter
        self.in_flight: tuple[str, object] | None = None
        self.done = threading.Event()
        self.sent = self.refused = 0
        self.refusals: list[str] = []  # "METHOD path: status body", for the failure's message

    def run(self) -> None:
        try:
            conn = self.server.connection()
            while not self.done.is_set():
                key, value, method, path, body, ctype = self.requests(self.counter())
                self.in_flight = (key, value)
                conn.request(method, path, body=json.dumps(body).encode(), headers=self.server.headers(ctype))
                r = conn.getresponse()
                answer = r.read()
                self.sent += 1
                if 200 <= r.status < 300:
                    self.acked[key] = value
                else:
                    self.refused += 1
                    self.refusals.append(f"{method} {path}: {r.status} {answer[:300].decode('utf-8', 'replace')}")
                self.in_flight = None
        except (OSError, http.client.HTTPException):
            return  # the server was killed: whatever was in flight stays in self.in_flight

    def stop(self) -> None:
        self.done.set()
        self.join(90)
        assert not self.is_alive(), "a client did not return after its server was killed"


def kill_serve(c: Crash, kills: int, interval: str = "1s", converge_timeout: float = 600) -> None:
    """SIGKILL `serve` (controllers on) while two clients write through it: one applies
    ConfigMaps (server-side apply), one scales Deployments (merge patch). Then the usual
    checks, that every acknowledged write is in the store, and that a new `serve` starts and
    converges the store by itself."""
    s = h.scan(c.state)
    w = c.workload
    names = sorted((o["metadata"]["namespace"], o["metadata"]["name"]) for o in h.of_kind(s, "deployments")
                   if o["metadata"]["name"].startswith("app-"))[: max(20, w.deployments // 20)]
    acked: dict = {("deployments",) + n: (s.objects[("deployments",) + n].get("spec") or {}).get("replicas", 1) for n in names}
    counter = iter(range(1, 10**9)).__next__

    def configmap(i: int):
        ns, name = "bench-4", f"serve-crash-{i % 40:02d}"
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": {"v": str(i)}}
        return (("configmaps", ns, name), str(i), "PATCH", f"/api/v1/namespaces/{ns}/configmaps/{name}?fieldManager=crash&force=true",
                body, "application/apply-patch+yaml")

    pick = random.Random(c.rng.random())  # the scaler's own: it runs beside the main thread

    def scale(i: int):
        ns, name = names[pick.randrange(len(names))]
        replicas = 8 + i % 5
        return (("deployments", ns, name), replicas, "PATCH", f"/apis/apps/v1/namespaces/{ns}/deployments/{name}",
                {"spec": {"replicas": replicas}}, "application/merge-patch+json")

    while c.kills < kills:
        c.attempts += 1
        server = Server(c, interval)
        writers = []
        try:
            writers = [Writer(server, configmap, acked, counter), Writer(server, scale, acked, counter)]
            for t in writers:
                t.start()
            moment = c.moment("serve")
            time.sleep(moment)
            c._kill_started = time.perf_counter()
            assert server.proc.poll() is None, "serve exited by itself while clients wrote"
            server.stop(signal.SIGKILL)
            c.kills += 1
            for t in writers:
                t.stop()
        finally:
            server.stop(signal.SIGKILL)
            for t in writers:
                t.done.set()
        sent = sum(t.sent for t in writers)
        refused = sum(t.refused for t in writers)
        c.say(f"kill {c.kills}: SIGKILL `kubelite serve` (controllers every {interval}) at {moment:.2f} s, "
              f"after {sent} client writes ({refused} refused)")
        assert refused == 0, f"serve refused {refused} of the clients' writes: " + "; ".join(x for t in writers for x in t.refusals[:3])
        s = c.after_kill()
        in_flight = {t.in_flight for t in writers if t.in_flight}
        for key, want in acked.items():
            o = s.objects.get(key)
            got = None if o is None else (o.get("data") or {}).get("v") if key[0] == "configmaps" else (o.get("spec") or {}).get("replicas", 1)
            assert got == want or (key, got) in in_flight, \
                f"{'/'.join(key)} holds {got!r} after serve was killed; the last acknowledged write set {want!r}"
        c.say(f"  checked: all {len(acked)} acknowledged writes are in the store (or the one in flight replaced them)")
        problems = len(h.converged_problems(s))
        server = Server(c, interval)  # a new serve starts on what the kill left ...
        try:
            t0 = time.perf_counter()
            deadline = t0 + converge_timeout
            while h.converged_problems(_live_scan(c.state)):  # ... and converges it by itself
                assert server.proc.poll() is None, "the new serve exited"
                assert time.perf_counter() < deadline, f"the new serve did not converge the store in {converge_timeout:.0f} s"
                time.sleep(1)
            took = time.perf_counter() - t0
        finally:
            rc = server.stop()
        assert rc == 0, f"the new serve exited {rc} on SIGTERM"
        c.say(f"  checked: a new serve started and converged the store ({problems} problems left by the kill) in {took:.1f} s, "
              "and stopped cleanly on SIGTERM")
        c.converge()
        c.checked()
    assert any(k[0] == "configmaps" for k in acked), "no client write was acknowledged in the whole campaign"
