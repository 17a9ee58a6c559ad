"""`kubelite resolve NAME`: what cluster DNS would answer, from Services and Endpoints."""
from __future__ import annotations

import json

import click

from kubelite.api import kinds
from kubelite.cli.context import global_options, obj
from kubelite.errors import KubeliteError


class NXDomain(KubeliteError):
    reason = "NXDOMAIN"

    def __init__(self, name: str):
        super().__init__(f"** server can't find {name}: NXDOMAIN")


def _domain(api) -> str:
    from kubelite.admission.config import settings

    return settings(api)["cluster-domain"]


def lookup(api, name: str, namespace: str) -> dict:
    """Answer a DNS question the way CoreDNS's kubernetes plugin would."""
    domain = _domain(api)
    q = name.rstrip(".").lower()
    labels = q.split(".")
    suffix = ["svc"] + domain.split(".")
    if labels[-len(suffix):] == suffix:
        labels = labels[:-len(suffix)]
    elif labels[-1:] == ["svc"]:
        labels = labels[:-1]
    fqdn_of = lambda *parts: ".".join(parts + ("svc", domain)) + "."
    sk, ek = kinds.by_kind("Service"), kinds.by_kind("Endpoints")
    srv = None
    if len(labels) >= 2 and labels[0].startswith("_") and labels[1].startswith("_"):
        srv = (labels[0][1:], labels[1][1:].upper())
        labels = labels[2:]
    if len(labels) == 1:
        labels = [labels[0], namespace]
    if len(labels) == 3:
        host, svc_name, ns = labels
    elif len(labels) == 2:
        host, (svc_name, ns) = None, labels
    else:
        raise NXDomain(name)
    svc = api.try_get(sk, ns, svc_name)
    if svc is None:
        raise NXDomain(name)
    spec = svc.get("spec") or {}
    fqdn = fqdn_of(svc_name, ns)
    ep = api.try_get(ek, ns, svc_name) or {}
    ready = [(a, s) for s in ep.get("subsets") or [] for a in s.get("addresses") or []]
    if srv is not None:
        port_name, proto = srv
        answers = []
        for p in spec.get("ports") or []:
            if p.get("name") == port_name and p.get("protocol", "TCP") == proto:
                if spec.get("clusterIP") == "None":
                    for a, s in ready:
                        target = fqdn_of(a.get("hostname") or a["ip"].replace(".", "-"), svc_name, ns)
                        port = next((x["port"] for x in s.get("ports") or [] if x.get("name") == port_name), p.get("port"))
                        answers.append({"priority": 0, "weight": 100, "port": port, "target": target})
                else:
                    answers.append({"priority": 0, "weight": 100, "port": p.get("port"), "target": fqdn})
        if not answers:
            raise NXDomain(name)
        return {"name": name, "type": "SRV", "answers": answers}
    if host is not None:
        for a, _ in ready:
            if a.get("hostname") == host or a["ip"].replace(".", "-") == host:
                return {"name": name, "type": "A", "answers": [a["ip"]]}
        raise NXDomain(name)
    if spec.get("type") == "ExternalName":
        return {"name": name, "type": "CNAME", "answers": [spec.get("externalName", "").rstrip(".") + "."]}
    if spec.get("clusterIP") == "None":
        ips = sorted({a["ip"] for a, _ in ready})
        if not ips:
            raise NXDomain(name)
        return {"name": name, "type": "A", "answers": ips}
    return {"name": name, "type": "A", "answers": [spec.get("clusterIP")]}


@click.command()
@click.argument("name")
@click.option("-o", "--output", type=click.Choice(["json"]), default=None, help="json: the answer for scripts.")
@global_options
def resolve(name, output):
    """Answer what cluster DNS would for NAME: a Service's ClusterIP, a headless Service's
    ready pod IPs, a StatefulSet pod's IP, or an SRV record.

    \b
    Examples:
      kubelite resolve web.shop.svc.cluster.local
      kubelite resolve web -n shop
      kubelite resolve db-0.db.shop.svc.cluster.local
      kubelite resolve _http._tcp.web.shop.svc.cluster.local
    """
    c = obj()
    answer = _federated(c, name) or lookup(c.api, name, c.namespace)
    if output == "json":
        click.echo(json.dumps(answer, indent=2, sort_keys=True))
        return
    for a in answer["answers"]:
        if answer["type"] == "SRV":
            click.echo(f"{a['priority']} {a['weight']} {a['port']} {a['target']}")
        else:
            click.echo(a)


def _federated(c, name: str) -> dict | None:
    try:
        from kubelite.federation import dns
    except ModuleNotFoundError:
        return None
    return dns.lookup(c.api, name)
