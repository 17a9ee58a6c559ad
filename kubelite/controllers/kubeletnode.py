"""The simulated kubelet's node loop: the node's Lease and status heartbeat.

Every node not annotated `sim.kubelite.io/down: "true"` gets a Lease in kube-node-lease,
renewed at most every 10 s, and a Ready condition whose heartbeat is refreshed at most
every 5 minutes (upstream's nodeStatusReportFrequency), plus addresses and nodeInfo.
With the clock fixed it writes nothing new.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os

from kubelite.api.fastcopy import clone

from kubelite.controllers import _common as c
from kubelite.runtime.process import instances

LEASE_DURATION = 40
LEASE_RENEW = 10  # seconds between lease renewals, as upstream's kubelet
STATUS_REPORT = 300  # seconds between unchanged node status reports
KUBELET_VERSION = "v1.32.0-kubelite"


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    ctx.guarded(ctx.snap.list("Node"), lambda n: _heartbeat(ctx, n))


def _heartbeat(ctx, node: dict) -> None:
    if c.is_down(node):
        return
    name = node["metadata"]["name"]
    # The Lease in kube-node-lease, renewed every LEASE_RENEW seconds.
    lease = ctx.snap.get("Lease", "kube-node-lease", name)
    if lease is None:
        ctx.create({
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": name, "namespace": "kube-node-lease", "ownerReferences": [
                {"apiVersion": "v1", "kind": "Node", "name": name, "uid": node["metadata"]["uid"]}]},
            "spec": {"holderIdentity": name, "leaseDurationSeconds": LEASE_DURATION, "renewTime": _micro(ctx.stamp)},
        })
    elif c.seconds_since((lease.get("spec") or {}).get("renewTime"), ctx.now) >= LEASE_RENEW:
        renewed = clone(lease)
        renewed["spec"]["renewTime"] = _micro(ctx.stamp)
        ctx.update(renewed)
    else:
        ctx.requeue_at(c.parse_stamp(lease["spec"]["renewTime"]) + dt.timedelta(seconds=LEASE_RENEW), f"lease of node {name}")
    if lease is None or c.seconds_since((lease.get("spec") or {}).get("renewTime"), ctx.now) >= LEASE_RENEW:
        ctx.requeue_after(LEASE_RENEW, f"lease of node {name}")
    # Node status: conditions, addresses, nodeInfo; the Ready heartbeat every STATUS_REPORT seconds.
    status = clone(node.get("status") or {})
    process = c.is_process_node(node)
    if process and not status.get("capacity"):
        status["capacity"] = machine_capacity()
    cap = status.get("capacity") or {}
    if cap and not status.get("allocatable"):
        status["allocatable"] = dict(cap)
    ready = c.condition(node, "Ready")
    stale = ready is None or ready.get("status") != "True" or c.seconds_since(ready.get("lastHeartbeatTime"), ctx.now) >= STATUS_REPORT
    for ctype, reason, msg in (
        ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ):
        cur = c.condition(node, ctype)
        if cur is None or stale:
            c.set_condition(status, ctype, "False", reason, msg, ctx.stamp, heartbeat=ctx.stamp)
    if stale:
        c.set_condition(status, "Ready", "True", "KubeletReady", "kubelet is posting ready status", ctx.stamp, heartbeat=ctx.stamp)
        ctx.requeue_after(STATUS_REPORT, f"status of node {name}")
    else:
        ctx.requeue_at(c.parse_stamp(ready.get("lastHeartbeatTime")) + dt.timedelta(seconds=STATUS_REPORT), f"status of node {name}")
    if not status.get("addresses"):
        # A process node's pods share the machine's network: they are reached on localhost.
        ip = "127.0.0.1" if process else _synthetic_ip(ctx, node)
        status["addresses"] = [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}]
    if process and not status.get("nodeInfo"):
        uname = os.uname()
        status["nodeInfo"] = {
            "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(uname.machine, uname.machine), "bootID": instances.boot_id(),
            "containerRuntimeVersion": "kubelite://process", "kernelVersion": uname.release,
            "kubeProxyVersion": KUBELET_VERSION, "kubeletVersion": KUBELET_VERSION, "machineID": _machine_id(),
            "operatingSystem": "linux", "osImage": "kubelite process runtime", "systemUUID": node["metadata"]["uid"],
        }
    if not status.get("nodeInfo"):
        status["nodeInfo"] = {
            "architecture": "amd64", "bootID": "", "containerRuntimeVersion": "kubelite://sim", "kernelVersion": "kubelite",
            "kubeProxyVersion": KUBELET_VERSION, "kubeletVersion": KUBELET_VERSION, "machineID": "", "operatingSystem": "linux",
            "osImage": "kubelite simulated node", "systemUUID": node["metadata"]["uid"],
        }
    status.setdefault("daemonEndpoints", {"kubeletEndpoint": {"Port": 10250}})
    labels = node["metadata"].get("labels") or {}
    # The well-known labels a kubelet registers its node with.
    want_labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                   "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64"}
    missing = {k: v for k, v in want_labels.items() if k not in labels}
    if status != (node.get("status") or {}) or missing:
        updated = clone(node)
        updated["status"] = status
        if missing:
            updated["metadata"]["labels"] = {**labels, **missing}
        was_ready = ready is not None and ready.get("status") == "True"
        if ctx.update(updated) is not None and not was_ready:
            ctx.event(node, "Normal", "NodeReady", f"Node {name} status is now: NodeReady", host=name)
            ctx.change(node, "Ready")


def _micro(stamp: str) -> str:
    """Leases carry MicroTime (RFC 3339 with microseconds)."""
    return stamp.replace("Z", ".000000Z") if "." not in stamp else stamp


def _synthetic_ip(ctx, node: dict) -> str:
    """A stable node address from 172.18.0.0/16, ordered by node name (like kind's)."""
    names = sorted(n["metadata"]["name"] for n in ctx.snap.list("Node"))
    return str(ipaddress.ip_address("172.18.0.2") + names.index(node["metadata"]["name"]))


def machine_capacity() -> dict:
    """A process node's default capacity: this machine's CPUs and memory, and 110 pods."""
    memory = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1])
                    break
    except (OSError, ValueError):
        pass
    cap = {"cpu": str(os.cpu_count() or 1), "pods": "110"}
    if memory:
        cap["memory"] = f"{memory}Ki"
    return cap


def _machine_id() -> str:
    try:
        with open("/etc/machine-id") as f:
            return f.read().strip()
    except OSError:
        return ""
