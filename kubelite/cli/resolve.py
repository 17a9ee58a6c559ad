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
@click.option("--ingress-class", default=None, help="For http:// URLs: the IngressClass whose Ingresses answer (default: the default class).")
@global_options
def resolve(name, output, ingress_class):
    """Answer what cluster DNS would for NAME: a Service's ClusterIP, a headless Service's
    ready pod IPs, a StatefulSet pod's IP, or an SRV record. For an http:// or https:// URL,
    answer which Ingress, rule, Service and ready endpoints would serve the request.

    \b
    Examples:
      kubelite resolve web.shop.svc.cluster.local
      kubelite resolve web -n shop
      kubelite resolve db-0.db.shop.svc.cluster.local
      kubelite resolve _http._tcp.web.shop.svc.cluster.local
      kubelite resolve http://shop.example.com/api/orders
    """
    c = obj()
    if name.startswith(("http://", "https://")):
        answer = route(c.api, name, ingress_class)
        if output == "json":
            click.echo(json.dumps(answer, indent=2, sort_keys=True))
            return
        click.echo(f"ingress: {answer['ingress']}" + (f" (class {answer['ingressClass']})" if answer.get("ingressClass") else ""))
        rule = answer["rule"]
        click.echo("rule: default backend" if rule is None else f"rule: {rule.get('host') or '*'} {rule['path']} ({rule['pathType']})")
        if answer.get("service"):
            click.echo(f"service: {answer['service']}:{answer['port']}")
            click.echo("endpoints: " + (" ".join(answer["endpoints"]) or "<none>"))
        else:
            click.echo(f"resource: {answer['resource']}")
        return
    answer = _federated(c, name) or lookup(c.api, name, c.namespace)
    if output == "json":
        click.echo(json.dumps(answer, indent=2, sort_keys=True))
        return
    for a in answer["answers"]:
        if answer["type"] == "SRV":
            click.echo(f"{a['priority']} {a['weight']} {a['port']} {a['target']}")
        else:
            click.echo(a)


def route(api, url: str, ingress_class: str | None = None) -> dict:
    """Which Ingress rule, Service and ready endpoints serve an HTTP request (kubelite.policy.ingress)."""
    from urllib.parse import urlsplit

    from kubelite.policy import ingress as ig

    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path or "/"
    ik, ck = kinds.for_object("networking.k8s.io/v1", "Ingress"), kinds.for_object("networking.k8s.io/v1", "IngressClass")
    ingresses = api.list(ik) if ik is not None else []
    default = ig.default_class(api.list(ck)) if ck is not None else None
    chosen = ingress_class or default
    hit = ig.match(ingresses, host, path, chosen, default)
    if hit is None:
        raise NXDomain(url)
    m = hit.ingress["metadata"]
    answer: dict = {"url": url, "type": "HTTP", "ingress": f"{m['namespace']}/{m['name']}",
                    "ingressClass": ig.class_of(hit.ingress, default),
                    "rule": None if hit.path is None else {"host": hit.host, "path": hit.path.get("path") or "/",
                                                           "pathType": hit.path.get("pathType") or "ImplementationSpecific"}}
    svc_ref = hit.backend.get("service")
    if not svc_ref:
        res = hit.backend.get("resource") or {}
        answer["resource"] = f"{res.get('apiGroup') or ''}/{res.get('kind', '')} {res.get('name', '')}".lstrip("/")
        return answer
    port = (svc_ref.get("port") or {}).get("number") or (svc_ref.get("port") or {}).get("name")
    answer.update(service=f"{m['namespace']}/{svc_ref.get('name')}", port=port, endpoints=_endpoints(api, m["namespace"], svc_ref.get("name", ""), port))
    return answer


def _endpoints(api, ns: str, name: str, port) -> list[str]:
    """Ready addresses of the Service port a backend names, as ip:targetPort."""
    svc = api.try_get(kinds.by_kind("Service"), ns, name)
    if svc is None:
        return []
    sp = next((p for p in (svc.get("spec") or {}).get("ports") or [] if p.get("port") == port or (p.get("name") and p.get("name") == port)), None)
    if sp is None:
        return []
    ep = api.try_get(kinds.by_kind("Endpoints"), ns, name) or {}
    out = []
    for subset in ep.get("subsets") or []:
        ports = subset.get("ports") or []
        target = next((p.get("port") for p in ports if (p.get("name") or "") == (sp.get("name") or "")), None)
        if target is None and len(ports) == 1:
            target = ports[0].get("port")
        if target is None:
            continue
        out += [f"{a['ip']}:{target}" for a in subset.get("addresses") or []]
    return sorted(out)


def _federated(c, name: str) -> dict | None:
    try:
        from kubelite.federation import dns
    except ModuleNotFoundError:
        return None
    return dns.lookup(c.api, name)
