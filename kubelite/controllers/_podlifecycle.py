"""The pod lifecycle both kubelets share: pure, no I/O (upstream's computePodActions,
getPhase and generateAPIPodStatus).

A kubelet observes what its runtime knows about each container's latest instance (a
`Seen`), asks `decide` what to start, executes that its own way (the simulated kubelet
only pretends; the process runtime starts processes), then builds the pod's status with
`pod_status` from what it observed after executing. Status, conditions and back-off are
therefore the same shape whichever runtime ran the pod.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kubelite.controllers import _common as c

BACKOFF_START, BACKOFF_MAX = 10, 300  # upstream's CrashLoopBackOff: 10 s doubling to 5 min
BACKOFF_RESET = 600  # a container that ran 10 min starts its back-off over


@dataclass
class Seen:
    """What the runtime reports about a container's latest instance.

    state: "running", "exited", or "waiting" (it could not be created: reason/message say why).
    restart: the instance's number (0 for the first); streak: how many short runs in a row
    ended with this one, the back-off's exponent."""

    state: str
    restart: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    exit_code: int | None = None
    reason: str = ""
    message: str = ""
    streak: int = 1
    ready: bool = True
    started: bool = True
    last: dict | None = None  # the previous instance's terminated state
    container_id: str = ""

    def terminated(self) -> dict:
        t = {"exitCode": self.exit_code if self.exit_code is not None else 0,
             "reason": self.reason or ("Completed" if not self.exit_code else "Error")}
        if self.message:
            t["message"] = self.message
        t["startedAt"] = self.started_at
        t["finishedAt"] = self.finished_at
        if self.container_id:
            t["containerID"] = self.container_id
        return t


@dataclass
class Actions:
    """What a kubelet should do for a pod this pass."""

    start: dict[str, int] = field(default_factory=dict)  # container -> instance number to start
    backoff: dict[str, int] = field(default_factory=dict)  # container -> seconds it waits (CrashLoopBackOff)
    final: set[str] = field(default_factory=set)  # exited for good


def missing_env(pod: dict, ctr: dict, get) -> tuple[str, str] | None:
    """CreateContainerConfigError when one container's envFrom or env names a missing
    ConfigMap/Secret (or key): the kubelet builds each container's environment when it
    starts that container, so an init container runs before a later one's is looked at."""
    ns = pod["metadata"]["namespace"]

    def key_exists(kind: str, name: str, key: str) -> bool:
        o = get(kind, name)
        if o is None:
            return False
        return key in (o.get("data") or {}) or key in (o.get("binaryData") or {}) or key in (o.get("stringData") or {})

    for ef in ctr.get("envFrom") or []:
        for kind, fld in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = ef.get(fld)
            if ref and not ref.get("optional") and get(kind, ref.get("name", "")) is None:
                return "CreateContainerConfigError", f'{kind.lower()} "{ref.get("name")}" not found'
    for e in ctr.get("env") or []:
        vf = e.get("valueFrom") or {}
        for kind, fld in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
            ref = vf.get(fld)
            if not ref or ref.get("optional"):
                continue
            if get(kind, ref.get("name", "")) is None:
                return "CreateContainerConfigError", f'{kind.lower()} "{ref.get("name")}" not found'
            if not key_exists(kind, ref.get("name", ""), ref.get("key", "")):
                return "CreateContainerConfigError", f"couldn't find key {ref.get('key')} in {kind}  {ns}/{ref.get('name')}"
    return None


def missing_volume(pod: dict, get) -> tuple[str, str] | None:
    """ContainerCreating when a volume's ConfigMap/Secret is missing or its claim is not
    bound: volumes are mounted for the whole pod, before any container starts."""
    for v in (pod.get("spec") or {}).get("volumes") or []:
        for kind, fld, name_key in (("ConfigMap", "configMap", "name"), ("Secret", "secret", "secretName")):
            src = v.get(fld)
            if src and not src.get("optional") and get(kind, src.get(name_key, "")) is None:
                return "ContainerCreating", f'MountVolume.SetUp failed for volume "{v.get("name")}" : {kind.lower()} "{src.get(name_key)}" not found'
        for claim in [(v.get("persistentVolumeClaim") or {}).get("claimName")]:
            if claim:
                pvc = get("PersistentVolumeClaim", claim)
                if pvc is None or (pvc.get("status") or {}).get("phase") != "Bound":
                    return "ContainerCreating", f'persistentvolumeclaim "{claim}" is not bound'
    return None


def backoff(streak: int) -> int:
    """Seconds before restarting a container after `streak` short runs in a row."""
    return min(BACKOFF_MAX, BACKOFF_START * (2 ** max(0, streak - 1)))


def ran_long(s: Seen) -> bool:
    """The instance ran long enough (10 min) to reset the back-off."""
    a, b = c.parse_stamp(s.started_at), c.parse_stamp(s.finished_at)
    return a is not None and b is not None and (b - a).total_seconds() >= BACKOFF_RESET


def restarts(policy: str, exit_code: int | None) -> bool:
    return policy == "Always" or (policy == "OnFailure" and (exit_code or 0) != 0)


def decide(pod: dict, seen: dict[str, Seen | None], now: dt.datetime) -> Actions:
    """Which containers to start now; init containers one at a time, in order, first."""
    spec = pod.get("spec") or {}
    policy = spec.get("restartPolicy") or "Always"
    out = Actions()
    for ctr in spec.get("initContainers") or []:
        s = seen.get(ctr["name"])
        if s is not None and s.state == "exited" and not s.exit_code:
            continue  # done
        # Init containers restart unless the pod's policy is Never.
        _one(out, ctr["name"], s, "Never" if policy == "Never" else "OnFailure", now)
        return out
    for ctr in spec.get("containers") or []:
        _one(out, ctr["name"], seen.get(ctr["name"]), policy, now)
    return out


def _one(out: Actions, name: str, s: Seen | None, policy: str, now: dt.datetime) -> None:
    if s is None:
        out.start[name] = 0
    elif s.state == "waiting":
        out.start[name] = s.restart  # creation failed: try again
    elif s.state == "exited":
        if not restarts(policy, s.exit_code):
            out.final.add(name)
            return
        delay = backoff(s.streak)
        if c.seconds_since(s.finished_at, now) >= delay:
            out.start[name] = s.restart + 1
        else:
            out.backoff[name] = delay


def init_done(pod: dict, seen: dict[str, Seen | None]) -> bool:
    for ctr in (pod.get("spec") or {}).get("initContainers") or []:
        s = seen.get(ctr["name"])
        if s is None or s.state != "exited" or s.exit_code:
            return False
    return True


def container_status(ctr: dict, state: dict, ready: bool, restarts_: int, last_state: dict | None = None,
                     started: bool | None = None, container_id: str = "") -> dict:
    s = {
        "name": ctr["name"], "image": ctr.get("image", ""), "imageID": f"docker.io/library/{ctr.get('image', '')}",
        "ready": ready, "restartCount": restarts_, "state": state,
        "started": bool(state.get("running")) if started is None else started,
    }
    if "running" in state or "terminated" in state:
        s["containerID"] = container_id or f"kubelite://{ctr['name']}"
    s["lastState"] = last_state or {}
    return s


def _status_of(pod: dict, ctr: dict, s: Seen | None, act: Actions, waiting_reason: str, init: bool) -> dict:
    name = ctr["name"]
    if s is None:
        return container_status(ctr, {"waiting": {"reason": waiting_reason}}, False, 0)
    last = {"terminated": s.last} if s.last else None
    if s.state == "waiting":
        w = {"reason": s.reason}
        if s.message:
            w["message"] = s.message
        return container_status(ctr, {"waiting": w}, False, s.restart, last)
    if s.state == "running":
        return container_status(ctr, {"running": {"startedAt": s.started_at}}, s.ready and not init, s.restart, last,
                                started=s.started if not init else False, container_id=s.container_id)
    term = s.terminated()
    if name in act.backoff:
        m = pod["metadata"]
        msg = (f"back-off {act.backoff[name]}s restarting failed container={name} "
               f"pod={m['name']}_{m.get('namespace')}({m.get('uid')})")
        return container_status(ctr, {"waiting": {"reason": "CrashLoopBackOff", "message": msg}}, False, s.restart + 1,
                                {"terminated": term})
    return container_status(ctr, {"terminated": term}, init and not s.exit_code, s.restart, last, started=False,
                            container_id=s.container_id)


def phase(pod: dict, statuses: list[dict], init_ok: bool, init_failed: bool) -> str:
    """Upstream's getPhase over the containers' reported states."""
    if init_failed:
        return "Failed"
    if not init_ok:
        return "Pending"
    policy = (pod.get("spec") or {}).get("restartPolicy") or "Always"
    running = waiting = stopped = succeeded = 0
    for cs in statuses:
        st = cs.get("state") or {}
        if "running" in st:
            running += 1
        elif "terminated" in st:
            stopped += 1
            if st["terminated"].get("exitCode") == 0:
                succeeded += 1
        elif (cs.get("lastState") or {}).get("terminated"):
            stopped += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        return "Running" if policy == "OnFailure" else "Failed"
    return "Pending"


def pod_status(pod: dict, previous: dict, seen: dict[str, Seen | None], act: Actions, stamp: str,
               host_ip: str, pod_ip: str | None) -> dict:
    """The pod's status from what the runtime saw after this pass's actions."""
    spec = pod.get("spec") or {}
    status = dict(previous)
    status["conditions"] = [dict(x) for x in previous.get("conditions") or []]
    containers = spec.get("containers") or []
    inits = spec.get("initContainers") or []
    status["hostIP"] = host_ip
    status["hostIPs"] = [{"ip": host_ip}] if host_ip else []
    status.setdefault("startTime", stamp)
    status["qosClass"] = qos(pod)
    c.set_condition(status, "PodScheduled", "True", "", "", stamp, probe=True)
    init_ok = init_done(pod, seen)
    init_failed = any(x["name"] in act.final for x in inits)
    if inits:
        status["initContainerStatuses"] = [_status_of(pod, x, seen.get(x["name"]), act, "PodInitializing", True) for x in inits]
    waiting = "PodInitializing" if not init_ok else "ContainerCreating"
    statuses = [_status_of(pod, x, seen.get(x["name"]), act, waiting, False) for x in containers]
    status["containerStatuses"] = statuses
    status["phase"] = phase(pod, statuses, init_ok, init_failed)
    if pod_ip and any(s is not None and s.state != "waiting" for s in seen.values()):
        status["podIP"] = pod_ip
        status["podIPs"] = [{"ip": pod_ip}]
    if init_ok:
        c.set_condition(status, "Initialized", "True", "", "", stamp, probe=True)
        for cnd in status["conditions"]:
            if cnd["type"] == "Initialized":
                cnd.pop("reason", None)
                cnd.pop("message", None)
    else:
        pending = [x["name"] for x in inits if (seen.get(x["name"]) is None or seen[x["name"]].state != "exited"
                                                 or seen[x["name"]].exit_code)]
        c.set_condition(status, "Initialized", "False", "ContainersNotInitialized",
                        f"containers with incomplete status: [{' '.join(pending)}]", stamp, probe=True)
    if status["phase"] in ("Succeeded", "Failed"):
        set_ready(status, containers, False, stamp, reason="PodCompleted" if status["phase"] == "Succeeded" else "PodFailed")
    else:
        set_ready(status, containers, bool(statuses) and all(cs.get("ready") for cs in statuses), stamp, statuses=statuses)
    order_conditions(status)
    return status


def qos(pod: dict) -> str:
    ctrs = (pod.get("spec") or {}).get("containers") or []
    reqs = [((x.get("resources") or {}).get("requests") or {}) for x in ctrs]
    lims = [((x.get("resources") or {}).get("limits") or {}) for x in ctrs]
    if not any(reqs) and not any(lims):
        return "BestEffort"
    guaranteed = all(l.get("cpu") and l.get("memory") and (r.get("cpu", l["cpu"]) == l["cpu"]) and (r.get("memory", l["memory"]) == l["memory"])
                     for r, l in zip(reqs, lims))
    return "Guaranteed" if guaranteed else "Burstable"


def set_ready(status: dict, containers: list, ready: bool, now: str, reason: str = "ContainersNotReady",
              statuses: list | None = None) -> None:
    if ready:
        c.set_condition(status, "ContainersReady", "True", "", "", now, probe=True)
        c.set_condition(status, "Ready", "True", "", "", now, probe=True)
        for cnd in status["conditions"]:
            if cnd["type"] in ("ContainersReady", "Ready"):
                cnd.pop("reason", None)
                cnd.pop("message", None)
    else:
        if statuses is not None:
            names = " ".join(cs["name"] for cs in statuses if not cs.get("ready"))
        else:
            names = " ".join(x["name"] for x in containers)
        msg = f"containers with unready status: [{names}]" if reason == "ContainersNotReady" else ""
        c.set_condition(status, "ContainersReady", "False", reason, msg, now, probe=True)
        c.set_condition(status, "Ready", "False", reason, msg, now, probe=True)


_ORDER = {"PodReadyToStartContainers": 0, "Initialized": 1, "Ready": 2, "ContainersReady": 3, "PodScheduled": 4}


def order_conditions(status: dict) -> None:
    status["conditions"] = sorted(status.get("conditions") or [], key=lambda x: _ORDER.get(x.get("type"), 9))
