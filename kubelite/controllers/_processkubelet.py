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
from pathlib import Path

from kubelite.api import quantity
from kubelite.api.fastcopy import clone
from kubelite.controllers import _common as c
from kubelite.controllers import _podlifecycle as lc
from kubelite.runtime.process import instances, layout
from kubelite.runtime.process.env import ConfigError, command_line, container_env

RUNTIME_LABEL = "kubelite.io/runtime"
STREAK_LOOKBACK = 6  # back-off stops growing after 6 short runs in a row (10 s * 2^5 > 5 min)


def is_process_node(node: dict | None) -> bool:
    return node is not None and ((node.get("metadata") or {}).get("labels") or {}).get(RUNTIME_LABEL) == "process"


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


def observe(ctx, cdir: Path, uid: str, name: str) -> lc.Seen | None:
    """What the container's latest instance is doing, with its back-off streak and the
    previous instance's end."""
    nums = instances.numbers(cdir)
    if not nums:
        return None
    inst = instances.load(cdir, nums[-1])
    if inst is None:
        return None
    cid = container_id(uid, name, inst.n)
    history = [instances.load(cdir, n) for n in reversed(nums[-STREAK_LOOKBACK - 1:-1])]
    prev = history[0] if history else None
    prev_rec = _ended(ctx, prev) if prev is not None else None
    last = _terminated(prev, prev_rec, uid, name) if prev_rec else None
    rec = _ended(ctx, inst)
    if rec is None:
        return lc.Seen("running", inst.n, inst.spec.get("startedAt"), last=last, container_id=cid)
    s = lc.Seen("exited", inst.n, inst.spec.get("startedAt"), rec.get("finishedAt"), rec.get("exitCode"),
                rec.get("reason", ""), rec.get("message", ""), last=last, container_id=cid)
    streak = 0
    for i in [inst] + history:
        r = i.exit if i is not None else None
        if r is None or lc.ran_long(lc.Seen("exited", started_at=i.spec.get("startedAt"), finished_at=r.get("finishedAt"))):
            break
        streak += 1
    s.streak = max(1, streak)
    return s


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
    env = container_env(pod, ctr, node, get, {})
    argv = command_line(ctr, env)
    uid, gid = _user(pod, ctr)
    limit = ((ctr.get("resources") or {}).get("limits") or {}).get("memory")
    log = layout.log_path(root, m["namespace"], m["name"], m["uid"], ctr["name"], n)
    log.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return {"argv": argv, "env": env, "cwd": ctr.get("workingDir") or str(pdir), "log": str(log),
            "startedAt": ctx.stamp, "memory": quantity.whole(limit) if limit else None, "uid": uid, "gid": gid}


def sync_pod(ctx, node: dict, pod: dict) -> None:
    root = ctx.api.store.root
    m = pod["metadata"]
    uid, ns = m["uid"], m["namespace"]
    pdir = layout.pod_dir(root, uid)
    previous = pod.get("status") or {}
    phase = previous.get("phase") or "Pending"
    by_name = {x["name"]: x for x in _containers(pod)}
    seen = {name: observe(ctx, layout.container_dir(root, uid, name), uid, name) for name in by_name}
    act = lc.decide(pod, seen, ctx.now)
    events: list[tuple[str, str, str]] = []

    def get(kind: str, name: str):
        return ctx.snap.get(kind, ns, name)

    if act.start:
        missing = lc.missing_config(pod, get)
        for name, n in act.start.items():
            ctr = by_name[name]
            before = seen.get(name)
            last = before.terminated() if before is not None and before.state == "exited" else (before.last if before else None)
            try:
                if missing is not None:
                    raise ConfigError(*missing)
                spec = _launch(ctx, node, pod, ctr, n, get)
            except ConfigError as e:
                seen[name] = lc.Seen("waiting", n, reason=e.reason, message=e.message, last=last)
                events.append(("Warning", "Failed", f"Error: {e.message}"))
                continue
            _record_pod(ctx, pod, pdir)
            instances.start(layout.container_dir(root, uid, name), n, spec)
            seen[name] = lc.Seen("running", n, ctx.stamp, last=last, container_id=container_id(uid, name, n))
            events.append(("Normal", "Started", f"Started container {name}"))
    ip = node_ip(node)
    status = lc.pod_status(pod, previous, seen, act, ctx.stamp, ip, ip)
    prev_waiting = {cs.get("name"): ((cs.get("state") or {}).get("waiting") or {}).get("reason")
                    for cs in (previous.get("initContainerStatuses") or []) + (previous.get("containerStatuses") or [])}
    for name in act.backoff:
        if prev_waiting.get(name) != "CrashLoopBackOff" or seen[name].finished_at == ctx.stamp:
            events.append(("Warning", "BackOff", f"Back-off restarting failed container {name} in pod {m['name']}_{ns}({uid})"))
    if status == previous:
        return
    updated = clone(pod)
    updated["status"] = status
    if ctx.update(updated) is None:
        return
    for ev in events:
        ctx.event(pod, *ev, component="kubelet", host=node["metadata"]["name"])
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
            if is_process_node(node):
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
            if instances.stop(inst, grace):
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
