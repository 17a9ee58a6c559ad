"""Node lifecycle, as upstream's node lifecycle controller and taint manager (plus node IPAM).

- Assigns spec.podCIDR from the cluster CIDR (cluster-cidr in kube-system/kubelite-config,
  10.244.0.0/16 by default), a /24 per node, when missing. When the range is used up (256
  nodes by default) a node gets none and a CIDRNotAvailable event, as from upstream's range
  allocator, and its pods cannot start.
- After 40 s without a heartbeat (Lease renewTime or the Ready condition's heartbeat),
  Ready becomes Unknown, the node's pods are marked not ready, and the
  node.kubernetes.io/unreachable taints (NoSchedule, NoExecute) are added.
- NoExecute taints evict pods that do not tolerate them, at once or after the
  toleration's tolerationSeconds (300 s by default, upstream's DefaultTolerationSeconds).
- When heartbeats return, the unreachable taints are removed.
"""
from __future__ import annotations

import datetime as dt
import ipaddress

from kubelite.api.fastcopy import clone
from kubelite.clock import parse_time
from kubelite.controllers import _common as c

GRACE = 40  # node-monitor-grace-period
CLUSTER_CIDR = ipaddress.ip_network("10.244.0.0/16")
UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


def _since(stamp, now) -> float:
    try:
        return (now - parse_time(stamp)).total_seconds()
    except (TypeError, ValueError):
        return float("inf")


def last_heartbeat(snap, node: dict) -> str | None:
    lease = snap.get("Lease", "kube-node-lease", node["metadata"]["name"])
    stamps = []
    if lease is not None and (lease.get("spec") or {}).get("renewTime"):
        stamps.append(lease["spec"]["renewTime"])
    ready = c.condition(node, "Ready")
    if ready and ready.get("lastHeartbeatTime"):
        stamps.append(ready["lastHeartbeatTime"])
    if not stamps:
        return (node.get("metadata") or {}).get("creationTimestamp")
    return max(stamps, key=lambda s: parse_time(s))


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    nodes = ctx.snap.list("Node")
    _assign_cidrs(ctx, nodes)
    for n in nodes:
        ctx.guarded([ctx.snap.get("Node", "", n["metadata"]["name"]) or n], lambda node: _monitor(ctx, node))


def cluster_cidr(ctx) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The pod network from kube-system/kubelite-config (cluster-cidr), 10.244.0.0/16 by default."""
    cm = ctx.snap.get("ConfigMap", "kube-system", "kubelite-config") or {}
    try:
        return ipaddress.ip_network((cm.get("data") or {}).get("cluster-cidr") or str(CLUSTER_CIDR), strict=False)
    except ValueError:
        return CLUSTER_CIDR


def _assign_cidrs(ctx, nodes: list[dict]) -> None:
    if all((n.get("spec") or {}).get("podCIDR") for n in nodes):
        return
    used = {(n.get("spec") or {}).get("podCIDR") for n in nodes}
    net = cluster_cidr(ctx)
    subnets = net.subnets(new_prefix=max(24, net.prefixlen))
    for n in sorted(nodes, key=lambda n: n["metadata"]["name"]):
        if (n.get("spec") or {}).get("podCIDR"):
            continue
        for net in subnets:
            if str(net) not in used:
                used.add(str(net))
                updated = clone(n)
                updated.setdefault("spec", {})["podCIDR"] = str(net)
                updated["spec"]["podCIDRs"] = [str(net)]
                if ctx.update(updated) is not None:
                    ctx.change(n, f"assigned podCIDR {net}")
                break
        else:  # the cluster CIDR is used up: upstream's range allocator says so on the Node, once
            c.event_once(ctx, n, "Normal", "CIDRNotAvailable", f"Node {n['metadata']['name']} status is now: CIDRNotAvailable",
                         component="cidrAllocator")


def _set_taints(node: dict, want: list[dict]) -> list[dict]:
    taints = [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("key") not in (UNREACHABLE, NOT_READY)]
    return taints + want


def _monitor(ctx, node: dict) -> None:
    name = node["metadata"]["name"]
    beat = last_heartbeat(ctx.snap, node)
    silent = _since(beat, ctx.now) > GRACE
    if not silent:  # silent once more than GRACE seconds have passed: the next whole second after
        ctx.requeue_at(parse_time(beat) + dt.timedelta(seconds=GRACE + 1), f"heartbeat grace period of node {name}")
    ready = c.condition(node, "Ready")
    updated = clone(node)
    status = updated.setdefault("status", {})
    lifecycle_taints = [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("key") in (UNREACHABLE, NOT_READY)]
    if silent:
        if ready is None:
            c.set_condition(status, "Ready", "Unknown", "NodeStatusNeverUpdated", "Kubelet never posted node status.", ctx.stamp, heartbeat=beat)
        elif ready.get("status") != "Unknown":
            for cnd in status.get("conditions") or []:
                if cnd.get("status") != "Unknown":
                    cnd["status"] = "Unknown"
                    cnd["reason"] = "NodeStatusUnknown"
                    cnd["message"] = "Kubelet stopped posting node status."
                    cnd["lastTransitionTime"] = ctx.stamp
        want = [t for t in lifecycle_taints if t.get("key") == UNREACHABLE]
        have = {t.get("effect") for t in want}
        for effect in ("NoSchedule", "NoExecute"):
            if effect not in have:
                t = {"key": UNREACHABLE, "effect": effect}
                if effect == "NoExecute":
                    t["timeAdded"] = ctx.stamp
                want.append(t)
        updated.setdefault("spec", {})["taints"] = _set_taints(node, want)
    elif ready is not None and ready.get("status") == "False":
        want = [t for t in lifecycle_taints if t.get("key") == NOT_READY] or [
            {"key": NOT_READY, "effect": "NoSchedule"}, {"key": NOT_READY, "effect": "NoExecute", "timeAdded": ctx.stamp}]
        updated.setdefault("spec", {})["taints"] = _set_taints(node, want)
    elif lifecycle_taints and not silent:
        updated["spec"]["taints"] = _set_taints(node, [])
        if not updated["spec"]["taints"]:
            del updated["spec"]["taints"]
    if updated != node:
        became_unknown = silent and (ready or {}).get("status") != "Unknown"
        stored = ctx.update(updated)
        if stored is None:
            return
        node = stored
        if became_unknown:
            ctx.event(node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady", component="node-controller")
            ctx.change(node, "NotReady (Kubelet stopped posting node status)")
            _mark_pods_not_ready(ctx, name)
        elif not (updated.get("spec") or {}).get("taints") or not any(t.get("key") == UNREACHABLE for t in updated["spec"].get("taints", [])):
            if lifecycle_taints:
                ctx.change(node, "removed unreachable taints")
    _evict(ctx, node)


def _mark_pods_not_ready(ctx, node_name: str) -> None:
    for pod in ctx.snap.pods_on(node_name):
        if not c.is_active(pod):
            continue
        cond = c.condition(pod, "Ready")
        if cond is None or cond.get("status") == "False":
            continue
        updated = clone(pod)
        c.set_condition(updated["status"], "Ready", "False", "NodeNotReady", "", ctx.stamp, probe=True)
        for cs in updated["status"].get("containerStatuses") or []:
            cs["ready"] = False
        ctx.update(updated)


def _evict(ctx, node: dict) -> None:
    """The taint manager: delete pods that do not tolerate a NoExecute taint (in time)."""
    taints = [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("effect") == "NoExecute"]
    if not taints:
        return
    for pod in ctx.snap.pods_on(node["metadata"]["name"]):
        if c.is_terminating(pod):
            continue
        tolerations = (pod.get("spec") or {}).get("tolerations") or []
        evict = False
        for t in taints:
            matching = [x for x in tolerations if c.tolerates([x], t)]
            if not matching:
                evict = True
                break
            secs = [x.get("tolerationSeconds") for x in matching]
            if any(s is None for s in secs):
                continue
            if _since(t.get("timeAdded"), ctx.now) >= min(secs):
                evict = True
                break
            ctx.requeue_at(parse_time(t["timeAdded"]) + dt.timedelta(seconds=min(secs)), f"tolerationSeconds of pod {pod['metadata']['name']}")
        if evict and ctx.delete(pod):
            ctx.event(pod, "Normal", "TaintManagerEviction", f"Marking for deletion Pod {pod['metadata']['namespace']}/{pod['metadata']['name']}", component="taint-eviction-controller")
            ctx.change(pod, f"evicted from {node['metadata']['name']} (NoExecute taint)")
