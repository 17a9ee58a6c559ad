"""The kubelet's half for nodes labelled `kubelite.io/runtime: process`: pods' containers
run as real processes (kubelite/runtime/process). The decision what to start and the status
are the shared lifecycle's (_podlifecycle); only observing and executing differ from the
simulated kubelet.

Each pass, for every pod bound to a Ready process node: observe each container's latest
instance from its files and /proc, decide, start what must start, and write the status.
Then `sweep` ends the processes of pods that are gone, being deleted or finished
(SIGTERM to the container's processes, SIGKILL after the grace period, counted across
passes from the recorded SIGTERM), and removes a deleted pod's files once nothing of it runs.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from kubelite.api import quantity
from kubelite.api.fastcopy import clone
from kubelite.controllers import _common as c
from kubelite.controllers import _podlifecycle as lc
from kubelite.auth import tokens
from kubelite.runtime.process import instances, layout, volumes
from kubelite.runtime.process.env import ConfigError, command_line, container_env

STREAK_LOOKBACK = 6  # back-off stops growing after 6 short runs in a row (10 s * 2^5 > 5 min)
DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


def node_ip(node: dict) -> str:
    for a in (node.get("status") or {}).get("addresses") or []:
        if a.get("type") == "InternalIP":
            return a["address"]
    return "127.0.0.1"


def _containers(pod: dict) -> list[dict]:
    spec = pod.get("spec") or {}
    return (spec.get("initContainers") or []) + (spec.get("containers") or [])


def container_id(uid: str, name: str, n: int) -> str:
    return f"process://{uid}/{name}/{n}"


# -- observing -----------------------------------------------------------------------------

def _ended(ctx, inst: instances.Instance) -> dict | None:
    """An ended instance's exit record. A lost one (its wrapper gone without recording an
    exit: killed, or the machine rebooted) is recorded now, once its processes are gone."""
    if inst.exit is not None:
        return inst.exit
    if inst.alive:
        return None
    if instances.stop(inst, 0):
        return None  # its leftovers were just killed; recorded on a later pass
    killed = inst.kill is not None
    rec = {"exitCode": 137, "reason": "Error" if killed else "ContainerStatusUnknown", "finishedAt": ctx.stamp}
    if not killed:
        rec["message"] = "The container could not be located when the pod was terminated"
    instances._write(inst.dir / f"{inst.n}.exit", rec)
    inst.exit = rec
    return rec


def _terminated(inst: instances.Instance, rec: dict, uid: str, name: str) -> dict:
    t = {"exitCode": rec.get("exitCode", 0), "reason": rec.get("reason") or "Error"}
    if rec.get("message"):
        t["message"] = rec["message"]
    t.update({"startedAt": inst.spec.get("startedAt"), "finishedAt": rec.get("finishedAt"),
              "containerID": container_id(uid, name, inst.n)})
    return t


def observe(ctx, cdir: Path, uid: str, name: str) -> tuple[lc.Seen | None, instances.Instance | None]:
    """What the container's latest instance is doing, with its back-off streak and the
    previous instance's end; and the instance."""
    nums = instances.numbers(cdir)
    if not nums:
        return None, None
    inst = instances.load(cdir, nums[-1])
    if inst is None:
        return None, None
    cid = container_id(uid, name, inst.n)
    history = [instances.load(cdir, n) for n in reversed(nums[-STREAK_LOOKBACK - 1:-1])]
    prev = history[0] if history else None
    prev_rec = _ended(ctx, prev) if prev is not None else None
    last = _terminated(prev, prev_rec, uid, name) if prev_rec else None
    rec = _ended(ctx, inst)
    if rec is None:
        return lc.Seen("running", inst.n, inst.spec.get("startedAt"), last=last, container_id=cid), inst
    s = lc.Seen("exited", inst.n, inst.spec.get("startedAt"), rec.get("finishedAt"), rec.get("exitCode"),
                rec.get("reason", ""), rec.get("message", ""), last=last, container_id=cid)
    streak = 0
    for i in [inst] + history:
        r = i.exit if i is not None else None
        if r is None or lc.ran_long(lc.Seen("exited", started_at=i.spec.get("startedAt"), finished_at=r.get("finishedAt"))):
            break
        streak += 1
    s.streak = max(1, streak)
    return s, inst


# -- probing ---------------------------------------------------------------------------------

PROBES = (("startupProbe", "startup", "Startup"), ("livenessProbe", "liveness", "Liveness"),
          ("readinessProbe", "readiness", "Readiness"))


def _probe(ctr: dict, inst: instances.Instance, s: lc.Seen, grace: float, events: list) -> None:
    """Run the container's probes that are due (periods, initial delays and thresholds as
    upstream, on the real clock), recording their counts in N.probes.json; set whether it
    has started and is ready, and stop it when its startup or liveness probe gave up."""
    if inst.kill is not None:  # being stopped already: not ready, and on toward SIGKILL
        s.ready = False
        instances.stop(inst, grace)
        return
    if not any(ctr.get(k) for k, _, _ in PROBES):
        return
    path = inst.dir / f"{inst.n}.probes.json"
    state = instances._read(path) or {}
    before = json.dumps(state, sort_keys=True)
    now = time.time()
    began = float(inst.spec.get("began") or now)

    def result(key: str, kind: str, label: str) -> bool | None:
        probe = ctr.get(key)
        st = state.setdefault(kind, {"ok": None, "succ": 0, "fail": 0, "last": 0})
        if now - began < float(probe.get("initialDelaySeconds") or 0) or now - st["last"] < float(probe.get("periodSeconds") or 10):
            return st["ok"]
        from kubelite.runtime.process import probes  # http.client and ssl: only where probes run

        ok, msg = probes.run(probe, ctr, inst.spec.get("env") or {}, inst.spec.get("cwd") or "/")
        st["last"] = now
        if ok:
            st["succ"], st["fail"] = st["succ"] + 1, 0
            if st["succ"] >= int(probe.get("successThreshold") or 1):
                st["ok"] = True
        else:
            st["succ"], st["fail"] = 0, st["fail"] + 1
            if st["fail"] == 1:
                events.append(("Warning", "Unhealthy", f"{label} probe failed: {msg}"))
            if st["fail"] >= int(probe.get("failureThreshold") or 3):
                st["ok"] = False
        return st["ok"]

    started = True
    if ctr.get("startupProbe"):
        ok = result("startupProbe", "startup", "Startup")
        started = ok is True
        if ok is False:
            events.append(("Normal", "Killing", f"Container {ctr['name']} failed startup probe, will be restarted"))
            instances.stop(inst, float(ctr["startupProbe"].get("terminationGracePeriodSeconds") or grace))
    ready = started
    if started and ctr.get("livenessProbe"):
        if result("livenessProbe", "liveness", "Liveness") is False:
            events.append(("Normal", "Killing", f"Container {ctr['name']} failed liveness probe, will be restarted"))
            instances.stop(inst, float(ctr["livenessProbe"].get("terminationGracePeriodSeconds") or grace))
            ready = False
    if started and ctr.get("readinessProbe"):
        ready = ready and result("readinessProbe", "readiness", "Readiness") is True
    s.started, s.ready = started, ready and inst.kill is None
    if json.dumps(state, sort_keys=True) != before:
        instances._write(path, state)


def _refreshed_volumes(pod: dict) -> bool:
    return any(v.get("configMap") or v.get("secret") or v.get("projected") for v in (pod.get("spec") or {}).get("volumes") or [])


def _past_deadline(ctx, pod: dict) -> bool:
    """The pod's activeDeadlineSeconds has passed since it started (upstream's pastActiveDeadline)."""
    ads = (pod.get("spec") or {}).get("activeDeadlineSeconds")
    start = (pod.get("status") or {}).get("startTime")
    return ads is not None and start is not None and c.seconds_since(start, ctx.now) >= int(ads)


# -- executing -----------------------------------------------------------------------------

def _user(pod: dict, ctr: dict) -> tuple[int | None, int | None]:
    """The uid/gid to run as: None when it is kubelite's own; another only when running as root."""
    psc = (pod.get("spec") or {}).get("securityContext") or {}
    csc = ctr.get("securityContext") or {}
    uid = csc.get("runAsUser", psc.get("runAsUser"))
    gid = csc.get("runAsGroup", psc.get("runAsGroup"))
    me = os.getuid()
    if uid is None or int(uid) == me:
        if gid is not None and int(gid) != os.getgid() and me != 0:
            raise ConfigError("CreateContainerConfigError",
                              f"runAsGroup {gid} is not the group kubelite runs as (gid {os.getgid()}); only a kubelite "
                              f"running as root can run a container as another group")
        return None, (int(gid) if gid is not None and me == 0 else None)
    if me != 0:
        raise ConfigError("CreateContainerConfigError",
                          f"runAsUser {uid} is not the user kubelite runs as (uid {me}); only a kubelite running as "
                          f"root can run a container as another user")
    return int(uid), int(gid) if gid is not None else None


def _record_pod(ctx, pod: dict, pdir: Path) -> None:
    """pod.json: what the sweep needs once the pod object is gone."""
    path = pdir / "pod.json"
    if path.exists():
        return
    pdir.mkdir(parents=True, exist_ok=True, mode=0o700)
    m, spec = pod["metadata"], pod.get("spec") or {}
    hooks = {}
    for ctr in spec.get("containers") or []:
        cmd = (((ctr.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command")
        if cmd:
            hooks[ctr["name"]] = cmd
    instances._write(path, {"namespace": m.get("namespace"), "name": m["name"], "uid": m["uid"],
                            "node": spec.get("nodeName"), "grace": spec.get("terminationGracePeriodSeconds", 30),
                            "preStop": hooks})


def _launch(ctx, node: dict, pod: dict, ctr: dict, n: int, get) -> dict:
    """Instance n's spec: command line, environment, directory, limits and user."""
    root = ctx.api.store.root
    m = pod["metadata"]
    pdir = layout.pod_dir(root, m["uid"])
    extra = volumes.prepare(root, pod, ctr, node, lambda kind, ns_, name: ctx.snap.get(kind, ns_, name),
                            lambda sa, seconds: tokens.issue(ctx.api, m["namespace"], sa, seconds))
    env = container_env(pod, ctr, node, get, extra)
    argv = command_line(ctr, env)
    uid, gid = _user(pod, ctr)
    limit = ((ctr.get("resources") or {}).get("limits") or {}).get("memory")
    log = layout.log_path(root, m["namespace"], m["name"], m["uid"], ctr["name"], n)
    log.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return {"argv": argv, "env": env, "cwd": ctr.get("workingDir") or str(pdir), "log": str(log),
            "startedAt": ctx.stamp, "began": time.time(), "memory": quantity.whole(limit) if limit else None, "uid": uid, "gid": gid}


def sync_pod(ctx, node: dict, pod: dict) -> None:
    root = ctx.api.store.root
    m = pod["metadata"]
    uid, ns = m["uid"], m["namespace"]
    pdir = layout.pod_dir(root, uid)
    previous = pod.get("status") or {}
    phase = previous.get("phase") or "Pending"
    by_name = {x["name"]: x for x in _containers(pod)}
    seen: dict[str, lc.Seen | None] = {}
    found: dict[str, instances.Instance | None] = {}
    for name in by_name:
        seen[name], found[name] = observe(ctx, layout.container_dir(root, uid, name), uid, name)
    events: list[tuple[str, str, str]] = []
    app = {x["name"] for x in (pod.get("spec") or {}).get("containers") or []}
    grace = float((pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30))
    for name, s in seen.items():
        if s is not None and s.state == "running" and found[name] is not None and name in app:
            _probe(by_name[name], found[name], s, grace, events)
    deadline = _past_deadline(ctx, pod)
    act = lc.decide(pod, seen, ctx.now) if not deadline else lc.Actions()
    if deadline:
        for name, inst in found.items():
            if inst is not None and inst.alive:
                instances.stop(inst, grace)

    def get(kind: str, name: str):
        return ctx.snap.get(kind, ns, name)

    prev_message = {cs.get("name"): ((cs.get("state") or {}).get("waiting") or {}).get("message")
                    for cs in (previous.get("initContainerStatuses") or []) + (previous.get("containerStatuses") or [])}
    if act.start:
        unmounted = lc.missing_volume(pod, get)
        for name, n in act.start.items():
            ctr = by_name[name]
            before = seen.get(name)
            last = before.terminated() if before is not None and before.state == "exited" else (before.last if before else None)
            try:
                missing = unmounted or lc.missing_env(pod, ctr, get)
                if missing is not None:
                    raise ConfigError(*missing)
                spec = _launch(ctx, node, pod, ctr, n, get)
            except ConfigError as e:
                seen[name] = lc.Seen("waiting", n, reason=e.reason, message=e.message, last=last)
                if prev_message.get(name) != e.message:  # reported once, not on every retry
                    events.append(("Warning", "FailedMount" if e.reason == "ContainerCreating" else "Failed",
                                   e.message if e.reason == "ContainerCreating" else f"Error: {e.message}"))
                continue
            _record_pod(ctx, pod, pdir)
            instances.start(layout.container_dir(root, uid, name), n, spec)
            probed = bool(ctr.get("readinessProbe") or ctr.get("startupProbe")) and name in app
            seen[name] = lc.Seen("running", n, ctx.stamp, last=last, container_id=container_id(uid, name, n),
                                 ready=not probed, started=not (ctr.get("startupProbe") and name in app))
            events.append(("Normal", "Started", f"Started container {name}"))
    elif any(s is not None and s.state == "running" for s in seen.values()) and _refreshed_volumes(pod):
        try:  # configMaps and secrets changed since: their files follow
            volumes.prepare(root, pod, next(iter(by_name.values())), node, lambda k, n_, x: ctx.snap.get(k, n_, x),
                            lambda sa, secs: tokens.issue(ctx.api, ns, sa, secs))
        except ConfigError:
            pass
    ip = node_ip(node)
    status = lc.pod_status(pod, previous, seen, act, ctx.stamp, ip, ip)
    if deadline:
        status["phase"] = "Failed"
        status["reason"] = "DeadlineExceeded"
        status["message"] = DEADLINE_MESSAGE
        lc.set_ready(status, [], False, ctx.stamp, reason="PodFailed")
        if previous.get("reason") != "DeadlineExceeded":
            events.append(("Normal", "DeadlineExceeded", DEADLINE_MESSAGE))
    prev_waiting = {cs.get("name"): ((cs.get("state") or {}).get("waiting") or {}).get("reason")
                    for cs in (previous.get("initContainerStatuses") or []) + (previous.get("containerStatuses") or [])}
    for name in act.backoff:
        if prev_waiting.get(name) != "CrashLoopBackOff" or seen[name].finished_at == ctx.stamp:
            events.append(("Warning", "BackOff", f"Back-off restarting failed container {name} in pod {m['name']}_{ns}({uid})"))
    for ev in events:
        ctx.event(pod, *ev, component="kubelet", host=node["metadata"]["name"])
    if status == previous:
        return
    updated = clone(pod)
    updated["status"] = status
    if ctx.update(updated) is None:
        return
    if status.get("phase") != phase:
        ctx.change(pod, status["phase"] + (f" on {node['metadata']['name']}" if status["phase"] == "Running" else ""))
    elif act.backoff:
        ctx.change(pod, "CrashLoopBackOff")


# -- winding down ----------------------------------------------------------------------------

def sweep(ctx, handled: set[str]) -> None:
    """End the processes of every pod on disk not handled this pass that should not run, and
    remove the files of pods that are gone once nothing of them runs."""
    base = layout.pods_root(ctx.api.store.root)
    try:
        uids = sorted(os.listdir(base))
    except FileNotFoundError:
        return
    for uid in uids:
        if uid not in handled:
            try:
                _wind_down(ctx, base / uid)
            except OSError as e:
                ctx.problem(None, f"process runtime: {base / uid}: {e.strerror or e}")


def _wind_down(ctx, pdir: Path) -> None:
    try:
        rec = json.loads((pdir / "pod.json").read_text())
    except FileNotFoundError:
        rec = None
    except ValueError:
        rec = {}
    if rec is None:
        # Started but not yet recorded (a reconcile killed mid-start): only its instances tell.
        rec = {}
    uid = pdir.name
    pod = ctx.snap.get("Pod", rec.get("namespace"), rec.get("name")) if rec.get("name") else None
    if pod is not None and pod["metadata"].get("uid") != uid:
        pod = None
    keep_files = False
    if pod is not None and not c.is_terminating(pod):
        if c.pod_phase(pod) not in ("Succeeded", "Failed"):
            node = ctx.snap.get("Node", None, (pod.get("spec") or {}).get("nodeName") or "")
            if c.is_process_node(node):
                return  # its node is not Ready: its processes run on, as under a kubelet that is away
        keep_files = True
        if (pdir / "ended").exists():
            return
    running = False
    grace = float(rec.get("grace", 30))
    cbase = pdir / "containers"
    try:
        names = sorted(os.listdir(cbase))
    except FileNotFoundError:
        names = []
    for name in names:
        for n in instances.numbers(cbase / name):
            inst = instances.load(cbase / name, n)
            if inst is None or (inst.exit is not None and not inst.alive):
                continue
            if inst.alive and inst.kill is None and pod is not None:
                ctx.event(pod, "Normal", "Killing", f"Stopping container {name}", component="kubelet",
                          host=rec.get("node"))
            if instances.stop(inst, grace, (rec.get("preStop") or {}).get(name)):
                running = True
    if running:
        return
    if keep_files:
        (pdir / "ended").touch()
        return
    if rec.get("name"):
        shutil.rmtree(layout.log_dir(ctx.api.store.root, rec["namespace"], rec["name"], uid), ignore_errors=True)
    shutil.rmtree(pdir, ignore_errors=True)
    if rec.get("name"):
        ctx.change({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": rec["name"], "namespace": rec["namespace"]}},
                   "processes ended, files removed")
