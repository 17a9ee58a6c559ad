"""Ingress route matching: which Ingress, rule and backend serve http://HOST/PATH.

Upstream's documented semantics (concepts/services-networking/ingress):
- a rule's host matches exactly, or as a wildcard `*.example.com` matching one DNS label;
  a rule without host matches every host. Exact hosts are preferred over wildcards,
  wildcards over rules without a host;
- `Exact` paths match the whole path, case-sensitively; `Prefix` paths match element by
  element split on `/`, ignoring a trailing slash (`/aaa/bb` does not match `/aaa/bbb`);
- the longest matching path wins; at equal length `Exact` wins over `Prefix`;
- `ImplementationSpecific` is left to the controller. kubelite treats it as ingress-nginx
  does without regular expressions: a plain string prefix, ranked with the others by length;
- a request no rule matches goes to the Ingress's spec.defaultBackend, if any;
- an Ingress without a class belongs to the default IngressClass (the one annotated
  `ingressclass.kubernetes.io/is-default-class: "true"`).

Pure: ingresses and classes are passed in.
"""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def default_class(classes: list[dict]) -> str | None:
    """The default IngressClass's name: of those annotated default, the newest (as the
    DefaultIngressClass admission plugin picks), ties by name."""
    marked = [c for c in classes if ((c.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CLASS_ANNOTATION) == "true"]
    if not marked:
        return None
    return max(marked, key=lambda c: ((c.get("metadata") or {}).get("creationTimestamp") or "", c["metadata"]["name"]))["metadata"]["name"]


def class_of(ingress: dict, default: str | None) -> str | None:
    spec = ingress.get("spec") or {}
    ann = (ingress.get("metadata") or {}).get("annotations") or {}
    return spec.get("ingressClassName") or ann.get(LEGACY_CLASS_ANNOTATION) or default


def host_rank(rule_host: str | None, host: str) -> int | None:
    """How well a rule's host matches: 2 exact, 1 wildcard, 0 any host; None when it does not."""
    host = host.lower().rstrip(".")
    if not rule_host:
        return 0
    rule_host = rule_host.lower()
    if rule_host.startswith("*."):
        suffix = rule_host[1:]
        head = host[: -len(suffix)] if host.endswith(suffix) else ""
        return 1 if head and "." not in head else None
    return 2 if rule_host == host else None


def _elements(path: str) -> list[str]:
    return [e for e in path.split("/") if e]


def path_matches(path_type: str, rule_path: str, path: str) -> bool:
    if path_type == "Exact":
        return rule_path == path
    if path_type == "Prefix":
        want = _elements(rule_path)
        return _elements(path)[: len(want)] == want
    return path.startswith(rule_path or "/")


@dataclass
class Route:
    ingress: dict
    host: str | None  # the matching rule's host (None: a rule without host, or the default backend)
    path: dict | None  # the matching HTTPIngressPath; None for the default backend
    backend: dict


def match(ingresses: list[dict], host: str, path: str, ingress_class: str | None,
          default: str | None = None) -> Route | None:
    """The route serving the request among Ingresses of the class (None: every Ingress);
    Ingresses without a class belong to `default`, the default IngressClass."""
    path = path or "/"
    best, best_key = None, None
    for ing in sorted(ingresses, key=lambda i: ((i.get("metadata") or {}).get("namespace", ""), i["metadata"]["name"])):
        if ingress_class is not None and class_of(ing, default) != ingress_class:
            continue
        for rule in (ing.get("spec") or {}).get("rules") or []:
            rank = host_rank(rule.get("host"), host)
            if rank is None:
                continue
            for p in ((rule.get("http") or {}).get("paths")) or []:
                ptype, ppath = p.get("pathType") or "ImplementationSpecific", p.get("path") or "/"
                if not path_matches(ptype, ppath, path):
                    continue
                length = len(_elements(ppath)) if ptype == "Prefix" else len(ppath.rstrip("/").split("/")) - 1
                key = (rank, length, ptype == "Exact", len(ppath))
                if best_key is None or key > best_key:
                    best, best_key = Route(ing, rule.get("host"), p, p.get("backend") or {}), key
    if best is not None:
        return best
    for ing in sorted(ingresses, key=lambda i: ((i.get("metadata") or {}).get("namespace", ""), i["metadata"]["name"])):
        if ingress_class is not None and class_of(ing, default) != ingress_class:
            continue
        backend = (ing.get("spec") or {}).get("defaultBackend")
        if backend:
            return Route(ing, None, None, backend)
    return None
