"""The kubelet's pod workers: simulated, in the spirit of KWOK's stages, except on nodes
labelled `kubelite.io/runtime: process`, whose pods run as real processes (_processkubelet).

On each Ready node (not annotated sim.kubelite.io/down) it moves bound pods through
their lifecycle (the node's heartbeats are the kubelet-node controller's):

- Pending -> Running: containers start, the pod gets a unique IP from the node's podCIDR,
  hostIP, startTime and the PodScheduled/Initialized/ContainersReady/Ready conditions.
- Containers exit after `sim.kubelite.io/duration`, or, without it, on the first pass after
  they started when restartPolicy is Never or OnFailure or an exit code is set.
- Exit code 0 with Never/OnFailure: Succeeded. Non-zero with Never: Failed. Otherwise the
  container restarts (restartCount+1, CrashLoopBackOff with upstream's 10s..5m back-off).
- `sim.kubelite.io/ready: "false"` keeps a running pod from ever becoming Ready.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import re

from kubelite.api.fastcopy import clone
from kubelite.clock import parse_duration

from kubelite.controllers import _common as c
from kubelite.controllers import _podlifecycle as lc
from kubelite.controllers import _processkubelet as proc

DURATION = "sim.kubelite.io/duration"
EXIT_CODE = "sim.kubelite.io/exit-code"
READY = "sim.kubelite.io/ready"


def _ann(pod: dict, key: str) -> str | None:
    return ((pod.get("metadata") or {}).get("annotations") or {}).get(key)


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)
# A focused pass visits only pods its changes reach (runtime/focus.py): a pod's sync reads the
# pod, its node (a Node change focuses its pods) and its ConfigMaps, Secrets and claims
# (a change to one focuses the namespace's pods). Timers are whole passes'.
FOCUSED = True


def sync(ctx) -> None:
    nodes = ctx.snap.list("Node")
    healthy = {n["metadata"]["name"]: n for n in nodes if not c.is_down(n)}
    work = []
    for name, node in sorted(healthy.items()):
        ready = c.condition(node, "Ready")
        if ready is None or ready.get("status") != "True":
            continue
        pods = [p for p in ctx.snap.pods_on(name) if c.pod_phase(p) not in ("Succeeded", "Failed") and not c.is_terminating(p)]
        work.append((name, node, pods))
    # Processes of pods that should not run end first, so what replaces them finds their ports free.
    proc.sweep(ctx, {p["metadata"]["uid"] for _, node, pods in work if c.is_process_node(node) for p in pods})
    for name, node, pods in work:
        if c.is_process_node(node):
            if pods:  # real processes exit when they will: only a pass sees it
                ctx.requeue_after(0, f"pods run as processes on node {name}")
            ctx.guarded(sorted(pods, key=lambda p: p["metadata"]["name"]), lambda p, n=node: proc.sync_pod(ctx, n, p))
            continue
        host = _node_ip(node)
        pods = [p for p in pods if not _passed_over(p, host)]
        if not pods:
            continue
        used = {(p.get("status") or {}).get("podIP") for p in ctx.snap.pods_on(name)}
        ips = _Addresses(node, used)
        ctx.guarded(sorted(pods, key=lambda p: p["metadata"]["name"]), lambda p: _pod(ctx, node, p, ips))


def _requeue(ctx, pod: dict, seen: dict, act) -> None:
    """The times this pod's containers next change on their own: a run's end, a back-off's."""
    duration = parse_duration(_ann(pod, DURATION))
    for name, s in seen.items():
        if s is None or name in act.start:
            continue
        if s.state == "running" and duration is not None and c.parse_stamp(s.started_at) is not None:
            ctx.requeue_at(c.parse_stamp(s.started_at) + dt.timedelta(seconds=duration), f"run duration of pod {pod['metadata']['name']}")
        elif name in act.backoff and c.parse_stamp(s.finished_at) is not None:
            ctx.requeue_at(c.parse_stamp(s.finished_at) + dt.timedelta(seconds=act.backoff[name]), f"back-off of pod {pod['metadata']['name']}")


def _node_ip(node: dict) -> str:
    for a in (node.get("status") or {}).get("addresses") or []:
        if a.get("type") == "InternalIP":
            return a["address"]
    return ""


class _Addresses:
    """A node's pod IPs: the lowest free host address of its podCIDR, skipping .1 (the
    node's bridge). Addresses below the last one handed out are known taken, so a node's
    pods cost one walk of its range, not one each."""

    def __init__(self, node: dict, used: set):
        self.used = used
        self.host_ip = _node_ip(node)  # the node's, which its pods' status reports
        self.cidr = (node.get("spec") or {}).get("podCIDR")
        self._hosts = None

    def allocate(self) -> str | None:
        if not self.cidr:
            return None
        if self._hosts is None:
            self._hosts = ipaddress.ip_network(self.cidr, strict=False).hosts()
            next(self._hosts, None)  # .1 is the node's bridge
        for ip in self._hosts:
            s = str(ip)
            if s not in self.used:
                self.used.add(s)
                return s
        return None




def _seen(pod: dict, now, stamp: str, sim_ready: bool) -> dict[str, lc.Seen | None]:
    """The simulated runtime: containers as their status says, exiting as the knobs say."""
    spec = pod.get("spec") or {}
    policy = spec.get("restartPolicy") or "Always"
    try:
        exit_code = int(_ann(pod, EXIT_CODE) or 0)
    except ValueError:
        exit_code = 1
    duration = parse_duration(_ann(pod, DURATION))
    explicit_exit = _ann(pod, EXIT_CODE) is not None
    by_name = {cs.get("name"): cs for cs in (pod.get("status") or {}).get("containerStatuses") or []}
    seen: dict[str, lc.Seen | None] = {}
    for ctr in spec.get("containers") or []:
        name = ctr["name"]
        cs = by_name.get(name)
        state = (cs or {}).get("state") or {}
        cid = f"kubelite://{name}"
        if cs is None or "waiting" in state and not (cs.get("lastState") or {}).get("terminated"):
            seen[name] = None
            continue
        restart = int(cs.get("restartCount") or 0)
        last = (cs.get("lastState") or {}).get("terminated")
        if "running" in state:
            started = state["running"].get("startedAt")
            exits = (duration is not None and c.seconds_since(started, now) >= duration) or \
                    (duration is None and (policy != "Always" or explicit_exit))
            if exits:
                s = lc.Seen("exited", restart, started, stamp, exit_code, "Completed" if exit_code == 0 else "Error",
                            last=last, container_id=cid)
            else:
                s = lc.Seen("running", restart, started, ready=sim_ready, last=last, container_id=cid)
        elif "terminated" in state:
            t = state["terminated"]
            s = lc.Seen("exited", restart, t.get("startedAt"), t.get("finishedAt"), t.get("exitCode"), t.get("reason", ""),
                        last=last, container_id=cid)
        else:  # waiting to restart after an exit
            s = lc.Seen("exited", restart - 1, last.get("startedAt"), last.get("finishedAt"), last.get("exitCode"),
                        last.get("reason", ""), container_id=cid)
        s.streak = 1 if lc.ran_long(s) else s.restart + 1
        seen[name] = s
    return seen


_STEADY_CONDITIONS = ("Initialized", "Ready", "ContainersReady", "PodScheduled")  # in lc.order_conditions' order
_CONTAINER_KEYS = {"name", "image", "imageID", "ready", "restartCount", "state", "started", "containerID", "lastState"}
_CONDITION_KEYS = {"type", "status", "lastTransitionTime", "lastProbeTime"}


def steady(pod: dict, host_ip: str) -> bool:
    """Whether the pod runs as the simulated runtime leaves it for good: every container
    running and ready, no knob that ends a run, and a status exactly as lc.pod_status
    would build it again from what it shows. Such a pod's sync would write nothing, and
    most pods of a converged store are such pods, so this cheap look spares them the
    whole computation. Only what the pod and its node show now is read.
    """
    status = pod.get("status")
    if not status or status.get("phase") != "Running" or status.get("hostIP") != host_ip or not host_ip:
        return False
    spec = pod.get("spec") or {}
    if spec.get("initContainers") or spec.get("restartPolicy", "Always") != "Always":
        return False
    ann = pod["metadata"].get("annotations")
    if ann and (DURATION in ann or EXIT_CODE in ann or ann.get(READY) == "false"):
        return False
    ip = status.get("podIP")
    if not ip or status.get("podIPs") != [{"ip": ip}] or status.get("hostIPs") != [{"ip": host_ip}] \
            or not status.get("startTime") or "initContainerStatuses" in status:
        return False
    containers = spec.get("containers") or []
    statuses = status.get("containerStatuses") or []
    if not containers or len(statuses) != len(containers):
        return False
    for ctr, cs in zip(containers, statuses):
        name, image = ctr.get("name"), ctr.get("image", "")
        state, last = cs.get("state"), cs.get("lastState")
        if type(cs) is not dict or cs.keys() != _CONTAINER_KEYS or cs["name"] != name or cs["image"] != image \
                or cs["imageID"] != f"docker.io/library/{image}" or cs["ready"] is not True or cs["started"] is not True \
                or cs["containerID"] != f"kubelite://{name}" or type(cs["restartCount"]) is not int \
                or type(state) is not dict or state.keys() != {"running"} or state["running"].keys() != {"startedAt"} \
                or not (last == {} or (type(last) is dict and last.keys() == {"terminated"} and last["terminated"])):
            return False
    conds = status.get("conditions") or []
    if len(conds) != len(_STEADY_CONDITIONS):
        return False
    for want, cnd in zip(_STEADY_CONDITIONS, conds):
        if type(cnd) is not dict or cnd.keys() != _CONDITION_KEYS or cnd["type"] != want or cnd["status"] != "True" or cnd["lastProbeTime"] is not None:
            return False
    return status.get("qosClass") == lc.qos(pod)


def _passed_over(pod: dict, host_ip: str) -> bool:
    """steady(), for a pod whose shape it does not expect too: such a pod goes to _pod,
    whose errors are reported per pod."""
    try:
        return steady(pod, host_ip)
    except (AttributeError, TypeError, KeyError):
        return False


def _pod(ctx, node: dict, pod: dict, ips: _Addresses) -> None:
    spec = pod.get("spec") or {}
    previous = pod.get("status") or {}
    phase = previous.get("phase") or "Pending"
    containers = spec.get("containers") or []
    now = ctx.stamp
    sim_ready = _ann(pod, READY) != "false"
    event = None
    seen = _seen(pod, ctx.now, now, sim_ready)
    ns = pod["metadata"]["namespace"]

    def get(kind: str, name: str):
        return ctx.snap.get(kind, ns, name)

    missing = None
    if phase == "Pending" and all(s is None for s in seen.values()):
        missing = lc.missing_volume(pod, get)  # mounted for the whole pod, before any container
        if missing is not None:
            seen = {x["name"]: lc.Seen("waiting", reason=missing[0], message=missing[1]) for x in containers}
        for x in spec.get("initContainers") or [] if missing is None else []:
            missing = lc.missing_env(pod, x, get)
            if missing is not None:  # this init container cannot start; the ones before it completed
                seen[x["name"]] = lc.Seen("waiting", reason=missing[0], message=missing[1])
                break
            seen[x["name"]] = lc.Seen("exited", 0, now, now, 0, "Completed")
    if missing is not None:
        act = lc.Actions()
    else:
        for x in spec.get("initContainers") or []:  # init containers complete at once
            seen[x["name"]] = lc.Seen("exited", 0, now, now, 0, "Completed")
        act = lc.decide(pod, seen, ctx.now)
        _requeue(ctx, pod, seen, act)
        by_name = {x["name"]: x for x in containers}
        for name, n in act.start.items():  # "execute": the container runs from now
            before = seen.get(name)
            last = before.terminated() if before is not None and before.state == "exited" else None
            problem = lc.missing_env(pod, by_name[name], get) if name in by_name else None
            if problem is not None:  # its environment names what is not there: it waits
                seen[name] = lc.Seen("waiting", n, reason=problem[0], message=problem[1], last=last)
                missing = missing or problem
                continue
            seen[name] = lc.Seen("running", n, now, ready=sim_ready, last=last, container_id=f"kubelite://{name}")
    ip = previous.get("podIP")
    if not ip and act.start:
        ip = ips.allocate()
        if ip is None:
            ctx.problem(pod, f"node {node['metadata']['name']} has no free pod IP (podCIDR {(node.get('spec') or {}).get('podCIDR')})")
            return
    status = lc.pod_status(pod, previous, seen, act, now, ips.host_ip, ip)
    if status == previous:
        return
    if missing is not None:
        reason, message = missing
        event = ("Warning", "Failed" if reason == "CreateContainerConfigError" else "FailedMount",
                 f"Error: {message}" if reason == "CreateContainerConfigError" else message)
    elif act.start and phase == "Pending":
        event = ("Normal", "Started", f"Started container {containers[0]['name']}" if containers else "Started")
    elif any(s is not None and s.finished_at == now and name in act.backoff for name, s in seen.items()):
        event = ("Warning", "BackOff", "Back-off restarting failed container")
    updated = clone(pod)
    updated["status"] = status
    if ctx.update(updated) is None:
        return
    if event:
        ctx.event(pod, *event, component="kubelet", host=node["metadata"]["name"])
    if status.get("phase") != phase:
        ctx.change(pod, f"{status['phase']}" + (f" on {node['metadata']['name']} ({status.get('podIP')})" if status["phase"] == "Running" else ""))
    elif any((cs.get("state") or {}).get("waiting", {}).get("reason") == "CrashLoopBackOff" for cs in status.get("containerStatuses") or []):
        ctx.change(pod, "CrashLoopBackOff")
