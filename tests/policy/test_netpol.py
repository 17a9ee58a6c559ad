"""NetworkPolicy verdicts, table-tested against the examples of the Kubernetes
NetworkPolicy documentation (concepts/services-networking/network-policies)."""
from __future__ import annotations

import pytest

from kubelite.policy import netpol as n


def pod(name, ns="default", labels=None, ip="10.244.0.5", ports=()):
    return {"metadata": {"name": name, "namespace": ns, "labels": labels or {}},
            "spec": {"containers": [{"name": "c", "ports": [{"name": pn, "containerPort": pp} for pn, pp in ports]}]},
            "status": {"podIP": ip}}


def policy(name, spec, ns="default"):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}


# The documentation's test-network-policy.
DOC = policy("test-network-policy", {
    "podSelector": {"matchLabels": {"role": "db"}},
    "policyTypes": ["Ingress", "Egress"],
    "ingress": [{"from": [{"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                          {"namespaceSelector": {"matchLabels": {"project": "myproject"}}},
                          {"podSelector": {"matchLabels": {"role": "frontend"}}}],
                 "ports": [{"protocol": "TCP", "port": 6379}]}],
    "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"protocol": "TCP", "port": 5978}]}],
})
NS = {"default": {}, "myproject": {"project": "myproject"}, "other": {}}
DB = pod("db", labels={"role": "db"}, ip="10.244.0.9")

DOC_CASES = [
    ("a frontend pod of the namespace reaches redis", pod("fe", labels={"role": "frontend"}), DB, 6379, True),
    ("but not on another port", pod("fe", labels={"role": "frontend"}), DB, 80, False),
    ("any pod of a myproject namespace reaches it", pod("x", ns="myproject"), DB, 6379, True),
    ("a pod of another namespace does not", pod("x", ns="other", labels={"role": "frontend"}), DB, 6379, False),
    ("an address of the block does", pod("ext", ns="other", ip="172.17.0.4"), DB, 6379, True),
    ("an excepted address does not", pod("ext", ns="other", ip="172.17.1.4"), DB, 6379, False),
    ("db's egress reaches the 10.0.0.0/24 block on 5978", DB, pod("t", ns="other", ip="10.0.0.7"), 5978, True),
    ("db's egress elsewhere is denied", DB, pod("t", ns="other", ip="10.0.1.7"), 5978, False),
    ("pods the policy does not select are not isolated", pod("a"), pod("b"), 1234, True),
]


@pytest.mark.parametrize("case,src,dst,port,want", DOC_CASES, ids=[c[0] for c in DOC_CASES])
def test_the_documented_example_policy(case, src, dst, port, want):
    assert n.check(src, dst, [DOC], NS, port).allowed is want


def test_default_deny_ingress_isolates_every_pod_of_the_namespace():
    deny = policy("default-deny-ingress", {"podSelector": {}, "policyTypes": ["Ingress"]})
    v = n.check(pod("a"), pod("b"), [deny], NS, 80)
    assert not v.allowed
    assert v.ingress.isolated_by == ["default/default-deny-ingress"] and v.ingress.allowed_by == []
    assert v.egress.allowed  # egress is not isolated by an Ingress-only policy


def test_allow_all_ingress_wins_over_default_deny():
    deny = policy("default-deny-ingress", {"podSelector": {}, "policyTypes": ["Ingress"]})
    allow = policy("allow-all-ingress", {"podSelector": {}, "ingress": [{}], "policyTypes": ["Ingress"]})
    v = n.check(pod("a"), pod("b"), [deny, allow], NS, 80)
    assert v.allowed and v.ingress.allowed_by == ["default/allow-all-ingress"]


def test_default_deny_egress_stops_traffic_at_the_source():
    deny = policy("default-deny-egress", {"podSelector": {}, "policyTypes": ["Egress"]})
    v = n.check(pod("a"), pod("b", ns="other"), [deny], NS, 80)
    assert not v.allowed and not v.egress.allowed and v.ingress.allowed


def test_namespace_and_pod_selector_in_one_peer_are_anded():
    both = policy("and", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"user": "alice"}}, "podSelector": {"matchLabels": {"role": "client"}}}]}]})
    either = policy("or", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"user": "alice"}}}, {"podSelector": {"matchLabels": {"role": "client"}}}]}]})
    ns = {"default": {}, "alice": {"user": "alice"}}
    alice_other = pod("x", ns="alice", labels={"role": "server"})
    local_client = pod("y", labels={"role": "client"})
    assert not n.check(alice_other, pod("t"), [both], ns, 80).allowed
    assert not n.check(local_client, pod("t"), [both], ns, 80).allowed
    assert n.check(pod("z", ns="alice", labels={"role": "client"}), pod("t"), [both], ns, 80).allowed
    assert n.check(alice_other, pod("t"), [either], ns, 80).allowed
    assert n.check(local_client, pod("t"), [either], ns, 80).allowed


def test_the_namespace_name_label_selects_a_namespace():
    p = policy("p", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "other"}}}]}]})
    assert n.check(pod("a", ns="other"), pod("b"), [p], NS, 80).allowed
    assert not n.check(pod("a", ns="myproject"), pod("b"), [p], NS, 80).allowed


def test_end_port_opens_a_range():
    # The documentation's multi-port-egress example.
    p = policy("multi-port-egress", {"podSelector": {"matchLabels": {"role": "db"}}, "policyTypes": ["Egress"],
                                     "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                                                 "ports": [{"protocol": "TCP", "port": 32000, "endPort": 32768}]}]})
    dst = pod("t", ip="10.0.0.3")
    assert n.check(DB, dst, [p], NS, 32500).allowed
    assert not n.check(DB, dst, [p], NS, 32769).allowed
    assert not n.check(DB, dst, [p], NS, 32500, "UDP").allowed


def test_named_ports_resolve_against_the_destination_pod():
    p = policy("web", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"ports": [{"port": "http"}]}]})
    dst = pod("web", ports=[("http", 8080)])
    assert n.check(pod("a"), dst, [p], NS, 8080).allowed
    assert n.check(pod("a"), dst, [p], NS, "http").allowed
    assert not n.check(pod("a"), dst, [p], NS, 9090).allowed


def test_policy_types_default_to_ingress_and_egress_when_egress_rules_exist():
    assert n.policy_types(policy("p", {"podSelector": {}})) == ["Ingress"]
    assert n.policy_types(policy("p", {"podSelector": {}, "egress": [{}]})) == ["Ingress", "Egress"]
