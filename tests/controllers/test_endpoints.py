"""Endpoints, EndpointSlices and `kubelite resolve` follow the pods a Service selects."""
from __future__ import annotations

import json

from kubelite.controllers import endpoints
from tests.controllers.helpers import at, deployment_yaml, node_yaml, objects, one


def _svc(name, selector, **spec):
    spec.setdefault("ports", [{"name": "http", "port": 80, "targetPort": "http"}])
    return json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": {"selector": selector, **spec}}) + "\n---\n"


def _web(replicas=3, ready=True):
    d = json.loads(deployment_yaml("web", replicas))
    d["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"name": "http", "containerPort": 8080}]
    return json.dumps(d) + "\n---\n"


def test_named_target_ports_resolve_against_the_pod():
    pod = {"spec": {"containers": [{"ports": [{"name": "http", "containerPort": 8080}]}]}}
    assert endpoints.resolve_port({"port": 80, "targetPort": "http"}, pod) == 8080
    assert endpoints.resolve_port({"port": 80, "targetPort": 9090}, pod) == 9090
    assert endpoints.resolve_port({"port": 80}, pod) == 80
    assert endpoints.resolve_port({"port": 80, "targetPort": "grpc"}, pod) is None


def test_endpoints_list_exactly_the_ready_pods_ips(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + _web(3) + _svc("web", {"app": "web"}), now=at(0))
    kl(["reconcile", "--until-stable"], now=at(0))
    pod_ips = sorted(p["status"]["podIP"] for p in objects(kl, "pods"))
    ep = one(kl, "endpoints", "web")
    (subset,) = ep["subsets"]
    assert sorted(a["ip"] for a in subset["addresses"]) == pod_ips
    assert subset["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert all(a["targetRef"]["kind"] == "Pod" and a["nodeName"] == "n1" for a in subset["addresses"])
    (sl,) = objects(kl, "endpointslices")
    assert sl["metadata"]["labels"]["kubernetes.io/service-name"] == "web"
    assert sorted(e["addresses"][0] for e in sl["endpoints"]) == pod_ips
    assert kl(["resolve", "web"]).out.split() == [one(kl, "svc", "web")["spec"]["clusterIP"]]


def test_a_pod_marked_never_ready_moves_to_not_ready_addresses(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + _web(2) + _svc("web", {"app": "web"}), now=at(0))
    kl(["reconcile", "--until-stable"], now=at(0))
    victim = objects(kl, "pods")[0]["metadata"]["name"]
    kl(["annotate", "pod", victim, "sim.kubelite.io/ready=false"])
    kl(["reconcile", "--until-stable"], now=at(1))
    (subset,) = one(kl, "endpoints", "web")["subsets"]
    assert [a["targetRef"]["name"] for a in subset["notReadyAddresses"]] == [victim]
    assert victim not in [a["targetRef"]["name"] for a in subset["addresses"]]
    kl(["apply", "-f", "-"], stdin=_svc("web", {"app": "web"}, publishNotReadyAddresses=True))
    kl(["reconcile"], now=at(2))
    (subset,) = one(kl, "endpoints", "web")["subsets"]
    assert len(subset["addresses"]) == 2 and "notReadyAddresses" not in subset


def test_a_service_without_a_selector_keeps_the_endpoints_its_user_writes(kl):
    ep = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "external"},
          "subsets": [{"addresses": [{"ip": "192.0.2.10"}], "ports": [{"port": 5432}]}]}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "external"}, "spec": {"ports": [{"port": 5432}]}}
    kl(["apply", "-f", "-"], stdin=json.dumps(svc) + "\n---\n" + json.dumps(ep))
    kl(["reconcile"], now=at(0))
    assert one(kl, "endpoints", "external")["subsets"][0]["addresses"] == [{"ip": "192.0.2.10"}]


def test_resolve_answers_headless_pod_names_srv_and_nxdomain(kl):
    pod = lambda n: json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n, "labels": {"app": "db"}},
                               "spec": {"hostname": n, "subdomain": "db", "containers": [{"name": "c", "image": "x", "ports": [{"name": "pg", "containerPort": 5432}]}]}}) + "\n---\n"
    hl = _svc("db", {"app": "db"}, clusterIP="None", ports=[{"name": "pg", "port": 5432}])
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + pod("db-0") + pod("db-1") + hl, now=at(0))
    kl(["reconcile", "--until-stable"], now=at(0))
    ips = {p["metadata"]["name"]: p["status"]["podIP"] for p in objects(kl, "pods")}
    assert kl(["resolve", "db-0.db.default.svc.cluster.local"]).out.strip() == ips["db-0"]
    assert sorted(kl(["resolve", "db.default"]).out.split()) == sorted(ips.values())
    srv = kl(["resolve", "_pg._tcp.db.default.svc.cluster.local", "-o", "json"])
    answer = json.loads(srv.out)
    assert answer["type"] == "SRV" and {a["target"] for a in answer["answers"]} == {
        "db-0.db.default.svc.cluster.local.", "db-1.db.default.svc.cluster.local."}
    r = kl(["resolve", "nope.default.svc.cluster.local"])
    assert r.rc == 1 and "NXDOMAIN" in r.err and r.out == ""
