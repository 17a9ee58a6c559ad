"""DefaultIngressClass admission, as upstream's plugin: an Ingress created without a class
(no spec.ingressClassName, no kubernetes.io/ingress.class annotation) gets the default
IngressClass, the newest one annotated ingressclass.kubernetes.io/is-default-class: "true".
"""
from __future__ import annotations

from kubelite import apiserver
from kubelite.api import kinds


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    from kubelite.policy import ingress

    if kind.kind != "Ingress" or old is not None:
        return None
    spec = obj.setdefault("spec", {})
    if spec.get("ingressClassName") or ingress.LEGACY_CLASS_ANNOTATION in ((obj.get("metadata") or {}).get("annotations") or {}):
        return None
    ck = kinds.for_object("networking.k8s.io/v1", "IngressClass")
    if ck is None:
        return None
    default = ingress.default_class(api.store.list(ck))
    if default:
        spec["ingressClassName"] = default
    return None


apiserver.ADMISSION.append(admit)
