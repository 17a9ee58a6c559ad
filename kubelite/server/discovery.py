"""Discovery documents: /version, /api, /apis, /apis/G/V, and aggregated discovery (apidiscovery.k8s.io/v2)."""
from __future__ import annotations

import platform
from collections import OrderedDict

from kubelite.api import kinds
from kubelite.api.kinds import Kind
from kubelite.server.handlers import subresources
from kubelite.server.requestinfo import VIRTUAL

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SUB_VERBS = {"status": ["get", "patch", "update"], "scale": ["get", "patch", "update"], "binding": ["create"],
             "eviction": ["create"], "log": ["get"], "token": ["create"]}
SUB_KINDS = {"scale": ("autoscaling", "v1", "Scale"), "binding": ("", "v1", "Binding"),
             "eviction": ("policy", "v1", "Eviction"), "token": ("authentication.k8s.io", "v1", "TokenRequest")}
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

# The Kubernetes release whose API kubelite serves.
KUBE_VERSION = ("1", "32")


def version() -> dict:
    from kubelite import __version__

    return {"major": KUBE_VERSION[0], "minor": KUBE_VERSION[1],
            "gitVersion": f"v{KUBE_VERSION[0]}.{KUBE_VERSION[1]}.0-kubelite.{__version__}", "gitCommit": "",
            "gitTreeState": "clean", "buildDate": "", "goVersion": f"python{platform.python_version()}",
            "compiler": "cpython", "platform": f"{platform.system().lower()}/{_arch()}"}


def _arch() -> str:
    m = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(m, m)


def all_kinds() -> list[Kind]:
    return list(kinds.all_kinds())


def groups() -> "OrderedDict[str, OrderedDict[str, list[Kind]]]":
    """group -> version -> kinds, in upstream's order: the legacy group, then groups by name."""
    from kubelite.api import versions

    out: OrderedDict = OrderedDict()
    # with the other served versions of stored kinds (autoscaling/v1), as upstream lists them
    for k in sorted(all_kinds() + versions.other_kinds(), key=lambda k: (k.group != "", k.group, k.version, k.plural)):
        out.setdefault(k.group, OrderedDict()).setdefault(k.version, []).append(k)
    for (group, _plural) in VIRTUAL:
        out.setdefault(group, OrderedDict()).setdefault("v1", [])
    return out


def _virtual(group: str) -> list[tuple[str, str, bool]]:
    return sorted((plural, kind, ns) for (g, plural), (kind, ns) in VIRTUAL.items() if g == group)


def api_versions() -> dict:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}]}


def api_group_list() -> dict:
    gs = []
    for group, versions in groups().items():
        if not group:
            continue
        vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in _ordered_versions(versions)]
        gs.append({"name": group, "versions": vs, "preferredVersion": vs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": gs}


def _ordered_versions(versions) -> list[str]:
    """GA first, then beta, then alpha, newest first within each (upstream's priority)."""
    import re

    def rank(v: str):
        m = re.match(r"v(\d+)(?:(alpha|beta)(\d+))?$", v)
        if not m:
            return (3, 0, 0, v)
        stage = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
        return (stage, -int(m.group(1)), -int(m.group(3) or 0), v)

    return sorted(versions, key=rank)


def api_group(group: str) -> dict | None:
    versions = groups().get(group)
    if not versions or not group:
        return None
    vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in _ordered_versions(versions)]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": vs, "preferredVersion": vs[0]}


def resource_list(group: str, version: str) -> dict | None:
    versions = groups().get(group)
    if versions is None or version not in versions:
        return None
    res = []
    for k in versions[version]:
        r = {"name": k.plural, "singularName": k.singular, "namespaced": k.namespaced, "kind": k.kind, "verbs": VERBS}
        if k.short_names:
            r["shortNames"] = list(k.short_names)
        if k.categories:
            r["categories"] = list(k.categories)
        res.append(r)
        for sub in subresources(k):
            g, v, sk = SUB_KINDS.get(sub, (k.group, k.version, k.kind))
            sr = {"name": f"{k.plural}/{sub}", "singularName": "", "namespaced": k.namespaced, "kind": sk, "verbs": SUB_VERBS[sub]}
            if sub in SUB_KINDS and (g, v) != (k.group, k.version):
                sr["group"], sr["version"] = g, v
            res.append(sr)
    if version == "v1":
        for plural, kind, ns in _virtual(group):
            res.append({"name": plural, "singularName": kind.lower(), "namespaced": ns, "kind": kind, "verbs": ["create"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": res}


def aggregated(legacy: bool) -> dict:
    """The apidiscovery.k8s.io/v2 APIGroupDiscoveryList of /api (legacy) or /apis."""
    items = []
    for group, versions in groups().items():
        if bool(group) == legacy:
            continue
        vs = []
        for v in _ordered_versions(versions):
            resources = []
            for k in versions[v]:
                r = {"resource": k.plural, "responseKind": {"group": k.group, "version": k.version, "kind": k.kind},
                     "scope": "Namespaced" if k.namespaced else "Cluster", "singularResource": k.singular, "verbs": VERBS}
                if k.short_names:
                    r["shortNames"] = list(k.short_names)
                if k.categories:
                    r["categories"] = list(k.categories)
                subs = []
                for sub in subresources(k):
                    g, sv, sk = SUB_KINDS.get(sub, (k.group, k.version, k.kind))
                    subs.append({"subresource": sub, "responseKind": {"group": g, "version": sv, "kind": sk}, "verbs": SUB_VERBS[sub]})
                if subs:
                    r["subresources"] = subs
                resources.append(r)
            if v == "v1":
                for plural, kind, ns in _virtual(group):
                    resources.append({"resource": plural, "responseKind": {"group": group, "version": "v1", "kind": kind},
                                      "scope": "Namespaced" if ns else "Cluster", "singularResource": kind.lower(), "verbs": ["create"]})
            vs.append({"version": v, "resources": resources, "freshness": "Current"})
        items.append({"metadata": {"name": group, "creationTimestamp": None}, "versions": vs})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items}
