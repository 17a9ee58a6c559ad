"""Service admission: ClusterIP and NodePort allocation, as upstream's service registry does.

Allocations are marker files created with O_EXCL, so two writers can never take the same
address, and a check is O(1) in the number of Services:

    STATE/allocations/clusterips/<ip>        holds "<namespace>/<name>"
    STATE/allocations/nodeports/<port>-<protocol>

A marker whose Service is gone (a crash between the two writes) is reclaimed on sight.
The `kubernetes` Service in `default` holds the range's first address from the start.
"""
from __future__ import annotations

import ipaddress
import os
import zlib
from pathlib import Path

from kubelite import apiserver
from kubelite.admission.config import settings
from kubelite.api import kinds
from kubelite.api.fielderrors import FieldError, invalid
from kubelite.errors import StateError

_PROBES = 4096


def _dir(api, what: str) -> Path:
    return api.store.root / "allocations" / what


def _owner(ns: str, name: str) -> str:
    return f"{ns}/{name}"


def _claim(api, what: str, key: str, owner: str) -> bool:
    """Take a marker; True if now ours. Reclaims a marker whose owner no longer holds it."""
    d = _dir(api, what)
    try:
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(d / key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            holder = (d / key).read_text().strip()
        except OSError:
            return False
        if holder == owner:
            return True
        if _holds(api, what, key, holder):
            return False
        # Stale: its Service is gone or moved on. Replace the marker atomically.
        tmp = d / f".{key}.tmp-{os.getpid()}"
        tmp.write_text(owner)
        os.replace(tmp, d / key)
        return True
    except OSError as e:
        raise StateError(f"cannot allocate {what[:-1]} {key}: {e.strerror}") from None
    with os.fdopen(fd, "w") as f:
        f.write(owner)
    return True


def _holds(api, what: str, key: str, holder: str) -> bool:
    ns, _, name = holder.partition("/")
    svc = api.store.try_get(kinds.by_kind("Service"), ns, name)
    if svc is None:
        return False
    return (what, key) in _keys(svc)


def _release(api, what: str, key: str, owner: str) -> None:
    path = _dir(api, what) / key
    try:
        if path.read_text().strip() == owner:
            path.unlink()
    except OSError:
        pass


def _cidr(api) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(settings(api)["service-cluster-ip-range"], strict=False)


def _port_range(api) -> tuple[int, int]:
    lo, _, hi = settings(api)["service-node-port-range"].partition("-")
    return int(lo), int(hi)


def _allocate_ip(api, owner: str) -> str:
    net = _cidr(api)
    size = net.num_addresses - 2  # skip the network and broadcast addresses
    # Start from a point derived from the name, so allocation is deterministic and spread.
    start = zlib.crc32(owner.encode()) % size
    for i in range(min(size, _PROBES)):
        offset = 1 + (start + i) % size
        if offset == 1:
            continue  # the first address is the kubernetes Service's
        ip = str(net.network_address + offset)
        if _claim(api, "clusterips", ip, owner):
            return ip
    raise StateError(f"failed to allocate a serviceIP: range {net} is full")


def _allocate_port(api, owner: str, protocol: str, avoid: set[str]) -> int:
    """A free node port; `avoid` holds the keys this Service already uses (its markers count as ours)."""
    lo, hi = _port_range(api)
    size = hi - lo + 1
    start = zlib.crc32((owner + protocol).encode()) % size
    for i in range(size):
        port = lo + (start + i) % size
        key = f"{port}-{protocol}"
        if key not in avoid and _claim(api, "nodeports", key, owner):
            return port
    raise StateError(f"failed to allocate a nodePort: range {lo}-{hi} is full")


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    if kind.kind != "Service":
        return None
    spec = obj.setdefault("spec", {})
    meta = obj["metadata"]
    owner = _owner(meta.get("namespace", "default"), meta["name"])
    taken: list[tuple[str, str]] = []

    def undo() -> None:
        for what, key in taken:
            _release(api, what, key, owner)

    def fail(path: str, value, detail: str):
        undo()
        return invalid("Service", meta["name"], [FieldError(path, "Invalid value", value, detail)])

    stype = spec.get("type", "ClusterIP")
    old_spec = (old or {}).get("spec") or {}
    if stype == "ExternalName":
        spec.pop("clusterIP", None)
        spec.pop("clusterIPs", None)
    else:
        ip = spec.get("clusterIP") or old_spec.get("clusterIP")
        if ip == "None":
            spec["clusterIP"] = "None"
            spec["clusterIPs"] = ["None"]
        elif ip:
            if ip != old_spec.get("clusterIP"):
                net = _cidr(api)
                if ipaddress.ip_address(ip) not in net:
                    raise fail("spec.clusterIPs", [ip], f"failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {net}")
                if not dry_run:
                    if not _claim(api, "clusterips", ip, owner):
                        raise fail("spec.clusterIPs", [ip], f"failed to allocate IP {ip}: provided IP is already allocated")
                    taken.append(("clusterips", ip))
            spec["clusterIP"] = ip
            spec["clusterIPs"] = [ip]
        elif not dry_run:
            ip = _allocate_ip(api, owner)
            taken.append(("clusterips", ip))
            spec["clusterIP"] = ip
            spec["clusterIPs"] = [ip]
        if spec.get("clusterIP") != "None":
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
    if stype in ("NodePort", "LoadBalancer"):
        lo, hi = _port_range(api)
        old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in old_spec.get("ports") or []}
        # Every key this Service holds or keeps, so a new allocation never hands out one of its own.
        avoid = {k for w, k in _keys(old or {}) | _keys(obj) if w == "nodeports"}
        used: set[str] = set()
        allocate = stype == "NodePort" or spec.get("allocateLoadBalancerNodePorts", True) is not False
        for i, p in enumerate(spec.get("ports") or []):
            proto = p.get("protocol", "TCP")
            want = p.get("nodePort") or old_ports.get((p.get("port"), proto))
            if want:
                if not lo <= want <= hi:
                    raise fail(f"spec.ports[{i}].nodePort", want, f"provided port is not in the valid range. The range of valid ports is {lo}-{hi}")
                if f"{want}-{proto}" in used:
                    undo()
                    raise invalid("Service", meta["name"], [FieldError(f"spec.ports[{i}].nodePort", "Duplicate value", want, "")])
                if not dry_run and want not in old_ports.values():
                    if not _claim(api, "nodeports", f"{want}-{proto}", owner):
                        raise fail(f"spec.ports[{i}].nodePort", want, "provided port is already allocated")
                    taken.append(("nodeports", f"{want}-{proto}"))
                p["nodePort"] = want
            elif allocate and not dry_run:
                want = _allocate_port(api, owner, proto, avoid)
                taken.append(("nodeports", f"{want}-{proto}"))
                p["nodePort"] = want
            if want:
                used.add(f"{want}-{proto}")
                avoid.add(f"{want}-{proto}")
    if stype == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local":
        # As upstream's service registry: kube-proxy answers the load balancer's health
        # checks for a Local policy on a node port of its own.
        lo, hi = _port_range(api)
        want = spec.get("healthCheckNodePort") or old_spec.get("healthCheckNodePort")
        if want:
            if not lo <= want <= hi:
                raise fail("spec.healthCheckNodePort", want, f"provided port is not in the valid range. The range of valid ports is {lo}-{hi}")
            if not dry_run and want != old_spec.get("healthCheckNodePort"):
                if f"{want}-TCP" in used or not _claim(api, "nodeports", f"{want}-TCP", owner):
                    raise fail("spec.healthCheckNodePort", want, "provided port is already allocated")
                taken.append(("nodeports", f"{want}-TCP"))
            spec["healthCheckNodePort"] = want
        elif not dry_run:
            want = _allocate_port(api, owner, "TCP", avoid)
            taken.append(("nodeports", f"{want}-TCP"))
            spec["healthCheckNodePort"] = want
    elif spec.get("healthCheckNodePort"):
        if spec["healthCheckNodePort"] != old_spec.get("healthCheckNodePort"):
            raise fail("spec.healthCheckNodePort", spec["healthCheckNodePort"],
                       "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'")
        del spec["healthCheckNodePort"]  # no longer a Local load balancer: dropped, as upstream's update strategy does
    if old is not None and not dry_run:
        _release_dropped(api, old, obj, owner)
    return undo if taken else None


def _keys(svc: dict) -> set[tuple[str, str]]:
    spec = svc.get("spec") or {}
    out = {("clusterips", ip) for ip in spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else []) if ip and ip != "None"}
    out |= {("nodeports", f"{p['nodePort']}-{p.get('protocol', 'TCP')}") for p in spec.get("ports") or [] if p.get("nodePort")}
    if spec.get("healthCheckNodePort"):
        out.add(("nodeports", f"{spec['healthCheckNodePort']}-TCP"))
    return out


def _release_dropped(api, old: dict, new: dict, owner: str) -> None:
    for what, key in _keys(old) - _keys(new):
        _release(api, what, key, owner)


def released(api, kind, obj: dict) -> None:
    if kind.kind != "Service":
        return
    meta = obj["metadata"]
    for what, key in _keys(obj):
        _release(api, what, key, _owner(meta.get("namespace", "default"), meta["name"]))


def _bootstrap(api) -> None:
    net = _cidr(api)
    ip = str(net.network_address + 1)
    _claim(api, "clusterips", ip, "default/kubernetes")
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubernetes", "namespace": "default",
                "labels": {"component": "apiserver", "provider": "kubernetes"}},
                "spec": {"clusterIP": ip, "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}})


apiserver.ADMISSION.append(admit)
apiserver.AFTER_DELETE.append(released)
apiserver.BOOTSTRAP.append(_bootstrap)
