"""Service admission: ClusterIPs and NodePorts are unique, persisted, honoured when asked, and released."""
from __future__ import annotations

import ipaddress
import json

from tests.controllers.helpers import objects, one


def _svc(name, **spec):
    spec.setdefault("ports", [{"port": 80}])
    return json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}) + "\n---\n"


def test_the_kubernetes_service_holds_the_first_address_from_the_start(kl):
    k = one(kl, "svc", "kubernetes")
    assert k["spec"]["clusterIP"] == "10.96.0.1"


def test_every_service_gets_a_unique_cluster_ip_in_the_range(kl):
    kl(["apply", "-f", "-"], stdin="".join(_svc(f"s{i}") for i in range(20)))
    ips = [s["spec"]["clusterIP"] for s in objects(kl, "svc")]
    assert len(ips) == len(set(ips)) == 21
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("10.96.0.0/12") for ip in ips)


def test_a_requested_cluster_ip_is_honoured_and_a_taken_or_out_of_range_one_is_refused(kl, state):
    assert kl(["apply", "-f", "-"], stdin=_svc("mine", clusterIP="10.100.0.50")).rc == 0
    assert one(kl, "svc", "mine")["spec"]["clusterIP"] == "10.100.0.50"
    before = sorted(p.name for p in (state / "allocations" / "clusterips").iterdir())
    r = kl(["apply", "-f", "-"], stdin=_svc("thief", clusterIP="10.100.0.50"))
    assert r.rc == 1 and "provided IP is already allocated" in r.err
    r = kl(["apply", "-f", "-"], stdin=_svc("far", clusterIP="192.168.1.1"))
    assert r.rc == 1 and "is not in the valid range" in r.err
    assert sorted(p.name for p in (state / "allocations" / "clusterips").iterdir()) == before


def test_the_cluster_ip_is_immutable_and_survives_reapply(kl):
    kl(["apply", "-f", "-"], stdin=_svc("web"))
    ip = one(kl, "svc", "web")["spec"]["clusterIP"]
    r = kl(["apply", "-f", "-"], stdin=_svc("web"))
    assert r.out.strip() == "service/web unchanged"
    assert one(kl, "svc", "web")["spec"]["clusterIP"] == ip


def test_deleting_a_service_releases_its_address_for_reuse(kl, state):
    kl(["apply", "-f", "-"], stdin=_svc("temp", clusterIP="10.100.0.7"))
    kl(["delete", "svc", "temp"])
    assert not (state / "allocations" / "clusterips" / "10.100.0.7").exists()
    assert kl(["apply", "-f", "-"], stdin=_svc("again", clusterIP="10.100.0.7")).rc == 0


def test_headless_and_external_name_services_get_no_address(kl):
    kl(["apply", "-f", "-"], stdin=_svc("hl", clusterIP="None") + _svc("ext", type="ExternalName", externalName="db.example.com", ports=[]))
    assert one(kl, "svc", "hl")["spec"]["clusterIP"] == "None"
    assert "clusterIP" not in one(kl, "svc", "ext")["spec"]
    out = kl(["get", "svc", "ext"]).out
    assert "db.example.com" in out


def test_node_ports_are_allocated_uniquely_and_requested_ones_clash_clearly(kl):
    kl(["apply", "-f", "-"], stdin=_svc("a", type="NodePort") + _svc("b", type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    a, b = one(kl, "svc", "a"), one(kl, "svc", "b")
    assert 30000 <= a["spec"]["ports"][0]["nodePort"] <= 32767
    assert b["spec"]["ports"][0]["nodePort"] == 30080
    r = kl(["apply", "-f", "-"], stdin=_svc("c", type="NodePort", ports=[{"port": 80, "nodePort": 30080}]))
    assert r.rc == 1 and "provided port is already allocated" in r.err
    r = kl(["apply", "-f", "-"], stdin=_svc("d", type="NodePort", ports=[{"port": 80, "nodePort": 80}]))
    assert r.rc == 1 and "30000-32767" in r.err
    assert "80:30080/TCP" in kl(["get", "svc", "b"]).out


def test_load_balancer_external_ip_shows_pending(kl):
    kl(["apply", "-f", "-"], stdin=_svc("lb", type="LoadBalancer"))
    assert "<pending>" in kl(["get", "svc", "lb"]).out


def test_each_port_of_a_service_gets_a_node_port_of_its_own(kl):
    kl(["apply", "-f", "-"], stdin=_svc("two", type="NodePort", ports=[{"name": "http", "port": 80}, {"name": "https", "port": 443}]))
    ports = [p["nodePort"] for p in one(kl, "svc", "two")["spec"]["ports"]]
    assert len(set(ports)) == 2
    assert kl(["apply", "-f", "-"], stdin=_svc("two", type="NodePort", ports=[{"name": "http", "port": 80}, {"name": "https", "port": 443}])).out.strip() == "service/two unchanged"
    r = kl(["apply", "-f", "-"], stdin=_svc("dup", type="NodePort", ports=[{"name": "a", "port": 80, "nodePort": 30500},
                                                                           {"name": "b", "port": 81, "nodePort": 30500}]))
    assert r.rc == 1 and "spec.ports[1].nodePort: Duplicate value: 30500" in r.err


def test_a_local_load_balancer_gets_a_health_check_node_port_released_with_it(kl, state):
    kl(["apply", "-f", "-"], stdin=_svc("lb", type="LoadBalancer", externalTrafficPolicy="Local",
                                        ports=[{"name": "http", "port": 80}, {"name": "https", "port": 443}]))
    spec = one(kl, "svc", "lb")["spec"]
    assert spec["allocateLoadBalancerNodePorts"] is True
    held = {p["nodePort"] for p in spec["ports"]} | {spec["healthCheckNodePort"]}
    assert len(held) == 3
    markers = lambda: {int(p.name.split("-")[0]) for p in (state / "allocations" / "nodeports").iterdir()}  # noqa: E731
    assert held <= markers()
    assert kl(["apply", "-f", "-"], stdin=_svc("lb", type="LoadBalancer", externalTrafficPolicy="Cluster",
                                               ports=[{"name": "http", "port": 80}, {"name": "https", "port": 443}])).rc == 0
    assert "healthCheckNodePort" not in one(kl, "svc", "lb")["spec"]  # no longer needed: dropped and released
    assert spec["healthCheckNodePort"] not in markers()
    kl(["delete", "svc", "lb"])
    assert not held & markers()


def test_a_load_balancer_without_node_ports_gets_none(kl):
    kl(["apply", "-f", "-"], stdin=_svc("bare", type="LoadBalancer", allocateLoadBalancerNodePorts=False))
    assert "nodePort" not in one(kl, "svc", "bare")["spec"]["ports"][0]


def test_a_health_check_port_is_refused_where_no_local_load_balancer_needs_it(kl):
    r = kl(["apply", "-f", "-"], stdin=_svc("np", type="NodePort", healthCheckNodePort=30999))
    assert r.rc == 1
    assert ("spec.healthCheckNodePort: Invalid value: 30999: may only be set when `type` is 'LoadBalancer' "
            "and `externalTrafficPolicy` is 'Local'") in r.err
