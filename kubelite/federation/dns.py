"""Cross-cluster DNS: ServiceDNSRecords and what `kubelite resolve` answers for them.

For each FederatedService the host keeps a ServiceDNSRecord of the same namespace and
name (spec.domainRef "kubefed" unless a user wrote their own record). Its status lists,
per member cluster, the ready endpoint addresses of that cluster's Service of the same
name (KubeFed's ClusterDNS shape, addresses under loadBalancer.ingress); a cluster whose
copy has no ready endpoint is left out, unless allowServiceWithoutEndpoints.

The name served is KubeFed's global record:

    NAME.NAMESPACE.FEDERATION.svc.<cluster domain>     (FEDERATION = spec.domainRef)

which answers with every listed address: DNS load balancing between clusters.
"""
from __future__ import annotations

from kubelite.api import kinds
from kubelite.errors import Forbidden, KubeliteError


class NXDomain(KubeliteError):
    """No such name (as kubelite.cli.resolve's: printed as nslookup does)."""

    reason = "NXDOMAIN"

    def __init__(self, name: str):
        super().__init__(f"** server can't find {name}: NXDOMAIN")

ZONE_KEYS = ("zones", "region")


def ready_addresses(endpoints: dict | None) -> list[str]:
    ips = {a.get("ip") for s in (endpoints or {}).get("subsets") or [] for a in s.get("addresses") or [] if a.get("ip")}
    return sorted(ips, key=_ip_key)


def _ip_key(ip: str):
    try:
        return (0, tuple(int(p) for p in ip.split(".")))
    except ValueError:
        return (1, ip)


def cluster_entry(cluster: str, addresses: list[str], zones: list[str], region: str) -> dict:
    entry: dict = {"cluster": cluster, "loadBalancer": {"ingress": [{"ip": ip} for ip in addresses]} if addresses else {}}
    if zones:
        entry["zones"] = list(zones)
    if region:
        entry["region"] = region
    return entry


def record_status(domain: str, entries: list[dict]) -> dict:
    status: dict = {"domain": domain}
    if entries:
        status["dns"] = sorted(entries, key=lambda e: e["cluster"])
    return status


def _domain(api) -> str:
    from kubelite.admission.config import settings

    return settings(api)["cluster-domain"]


def lookup(api, name: str) -> dict | None:
    """The answer for a federation name, None for a name that is not one.

    A name is a federation name when it reads NAME.NS.FED.svc[.<domain>] and a
    ServiceDNSRecord NS/NAME with spec.domainRef FED exists; with no cluster listed it
    is NXDOMAIN."""
    q = name.rstrip(".").lower()
    labels = q.split(".")
    suffix = ["svc"] + _domain(api).lower().split(".")
    if labels[-len(suffix):] == suffix:
        labels = labels[:-len(suffix)]
    elif labels[-1:] == ["svc"]:
        labels = labels[:-1]
    else:
        return None
    if len(labels) != 3 or not all(labels):
        return None
    svc, ns, federation = labels
    try:
        rec = api.try_get(kinds.by_kind("ServiceDNSRecord"), ns, svc)
    except Forbidden:
        return None
    if rec is None or ((rec.get("spec") or {}).get("domainRef") or "").lower() != federation:
        return None
    per_cluster: dict[str, list[str]] = {}
    for entry in (rec.get("status") or {}).get("dns") or []:
        ips = [i.get("ip") for i in (entry.get("loadBalancer") or {}).get("ingress") or [] if i.get("ip")]
        if ips:
            per_cluster[entry.get("cluster", "")] = ips
    answers = sorted({ip for ips in per_cluster.values() for ip in ips}, key=_ip_key)
    if not answers:
        raise NXDomain(name)
    return {"name": name, "type": "A", "answers": answers, "clusters": per_cluster}
