"""NetworkPolicy verdicts: may traffic flow from one pod to another, and which policies decide.

Upstream semantics (networking.k8s.io/v1, as the NetworkPolicy documentation states them):
- a pod is isolated for a direction only when a policy of its namespace selects it and
  names that direction in policyTypes (Ingress always when unset, Egress when rules exist);
- an isolated pod allows what the union of its policies' rules allows;
- within one peer, namespaceSelector and podSelector are ANDed; peers of a rule are ORed;
- ipBlock matches by CIDR minus `except`; ports match by number, by the destination
  pod's named container port, and by ranges up to endPort;
- traffic flows when the source's egress and the destination's ingress both allow it.

Pure: pods, policies and namespace labels are passed in.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field


@dataclass
class Direction:
    """One side of the verdict: egress from the source or ingress to the destination."""

    isolated_by: list[str] = field(default_factory=list)
    allowed_by: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.isolated_by or bool(self.allowed_by)

    def to_json(self) -> dict:
        return {"isolated": bool(self.isolated_by), "policies": self.isolated_by, "allowedBy": self.allowed_by,
                "allowed": self.allowed}


@dataclass
class Verdict:
    egress: Direction
    ingress: Direction

    @property
    def allowed(self) -> bool:
        return self.egress.allowed and self.ingress.allowed


def policy_types(policy: dict) -> list[str]:
    """spec.policyTypes, or upstream's default for it."""
    spec = policy.get("spec") or {}
    if spec.get("policyTypes"):
        return list(spec["policyTypes"])
    return ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def _labels(obj: dict) -> dict:
    return (obj.get("metadata") or {}).get("labels") or {}


def _selects(selector: dict | None, labels: dict) -> bool:
    from kubelite.api import selectors

    if selector is None:
        return False
    try:
        return selectors.from_label_selector(selector).matches(labels)
    except Exception:  # an invalid selector selects nothing
        return False


def namespace_labels(name: str, labels: dict | None) -> dict:
    """A namespace's labels, with the kubernetes.io/metadata.name label upstream always sets."""
    return {**(labels or {}), "kubernetes.io/metadata.name": name}


def pod_ips(pod: dict) -> list[str]:
    st = pod.get("status") or {}
    ips = [p.get("ip") for p in st.get("podIPs") or [] if p.get("ip")]
    return ips or ([st["podIP"]] if st.get("podIP") else [])


def peer_matches(peer: dict, policy_ns: str, other: dict, ns_labels: dict[str, dict]) -> bool:
    """One NetworkPolicyPeer against the pod at the other end."""
    if peer.get("ipBlock"):
        block = peer["ipBlock"]
        try:
            cidr = ipaddress.ip_network(block.get("cidr", ""), strict=False)
            excepts = [ipaddress.ip_network(e, strict=False) for e in block.get("except") or []]
        except ValueError:
            return False
        for ip in pod_ips(other):
            addr = ipaddress.ip_address(ip)
            if addr.version == cidr.version and addr in cidr and not any(addr.version == e.version and addr in e for e in excepts):
                return True
        return False
    ns = (other.get("metadata") or {}).get("namespace") or "default"
    if "namespaceSelector" in peer:
        if not _selects(peer["namespaceSelector"] or {}, namespace_labels(ns, ns_labels.get(ns))):
            return False
    elif ns != policy_ns:
        return False
    if "podSelector" in peer:
        return _selects(peer["podSelector"] or {}, _labels(other))
    return True


def named_port(pod: dict, name: str, protocol: str) -> int | None:
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == name and (p.get("protocol") or "TCP") == protocol:
                return int(p.get("containerPort"))
    return None


def port_matches(ports: list[dict] | None, dst: dict, port: int | str | None, protocol: str) -> bool:
    """A rule's ports against the traffic; no ports allow every port, no queried port
    asks whether any port is allowed."""
    if not ports:
        return True
    if isinstance(port, str):
        port = named_port(dst, port, protocol)
        if port is None:
            return False
    for p in ports:
        if (p.get("protocol") or "TCP") != protocol:
            continue
        want = p.get("port")
        if want is None or port is None:
            return True
        if isinstance(want, str) and not want.isdigit():
            resolved = named_port(dst, want, protocol)
            if resolved is not None and resolved == port:
                return True
            continue
        lo = int(want)
        hi = int(p.get("endPort") or lo)
        if lo <= port <= hi:
            return True
    return False


def _qualified(policy: dict) -> str:
    m = policy.get("metadata") or {}
    return f"{m.get('namespace', 'default')}/{m.get('name', '')}"


def _direction(pod: dict, other: dict, policies: list[dict], kind: str, ns_labels: dict[str, dict],
               dst: dict, port, protocol: str) -> Direction:
    d = Direction()
    ns = (pod.get("metadata") or {}).get("namespace") or "default"
    for pol in sorted(policies, key=_qualified):
        pm = pol.get("metadata") or {}
        if (pm.get("namespace") or "default") != ns or kind not in policy_types(pol):
            continue
        if not _selects((pol.get("spec") or {}).get("podSelector") or {}, _labels(pod)):
            continue
        d.isolated_by.append(_qualified(pol))
        key, peers_key = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
        for rule in (pol.get("spec") or {}).get(key) or []:
            peers = rule.get(peers_key)
            if peers and not any(peer_matches(p, ns, other, ns_labels) for p in peers):
                continue
            if port_matches(rule.get("ports"), dst, port, protocol):
                d.allowed_by.append(_qualified(pol))
                break
    return d


def check(src: dict, dst: dict, policies: list[dict], ns_labels: dict[str, dict],
          port: int | str | None = None, protocol: str = "TCP") -> Verdict:
    """The verdict for traffic from src to dst (`port`: a number, a named port, or None for any)."""
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    egress = _direction(src, dst, policies, "Egress", ns_labels, dst, port, protocol)
    ingress = _direction(dst, src, policies, "Ingress", ns_labels, dst, port, protocol)
    return Verdict(egress, ingress)
