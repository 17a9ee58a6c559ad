"""One small function per verb: decode the request, call APIServer, return an object or a Status.

These run in worker threads (the store is synchronous files and locks); app.py owns the
event loop and the wire. No handler knows a kind's rules: APIServer does.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from kubelite.api import scale as sc
from kubelite.api import selectors, versions
from kubelite.api.fastcopy import clone
from kubelite.api.kinds import Kind
from kubelite.apiserver import APIServer
from kubelite.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound
from kubelite.server import status as st
from kubelite.server.requestinfo import RequestInfo
from kubelite.server.status import HTTPError

# Kinds served with a status subresource (PUT/PATCH of the main resource keep status,
# /status changes only status), after upstream's registry strategies.
NO_STATUS = {"ConfigMap", "Secret", "ServiceAccount", "Endpoints", "Event", "Role", "ClusterRole", "RoleBinding",
             "ClusterRoleBinding", "StorageClass", "Lease", "EndpointSlice", "ControllerRevision", "PodTemplate",
             "LimitRange", "PriorityClass", "IngressClass", "RuntimeClass", "CSIDriver", "NetworkPolicy",
             "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "CustomResourceDefinition"}


def _crd_subresources(kind: Kind) -> dict:
    from kubelite.api import kinds

    crd = kinds.definition(kind) or {}
    for v in (crd.get("spec") or {}).get("versions") or []:
        if v.get("name") == kind.version:
            return v.get("subresources") or {}
    return {}


def has_status(kind: Kind) -> bool:
    if getattr(kind, "custom", False):  # a custom kind has a status subresource only if its CRD says so
        return "status" in _crd_subresources(kind)
    if kind.kind == "CustomResourceDefinition":
        return True
    return kind.kind not in NO_STATUS and kind.has_spec


def subresources(kind: Kind) -> list[str]:
    subs = ["status"] if has_status(kind) else []
    if sc.paths(kind) is not None:  # built-in workloads, and custom kinds whose CRD declares one
        subs.append("scale")
    if kind.kind == "Pod":
        subs += ["binding", "eviction", "log"]
    if kind.kind == "ServiceAccount":
        subs.append("token")
    return subs


@dataclass
class Call:
    """One decoded request."""

    api: APIServer
    info: RequestInfo
    query: dict[str, str]
    body: Any = None
    content_type: str = ""
    warnings: list[str] = field(default_factory=list)
    manager: str = ""  # the field manager: ?fieldManager=, else the client's user agent

    def record(self, old: dict | None, new: dict, sub: str = "") -> None:
        from kubelite.server import ssa

        ssa.record_update(old, new, self.manager, self.api.clock.stamp(), self.info.kind.api_version, sub)

    @property
    def dry_run(self) -> bool:
        return self.query.get("dryRun") == "All"


# -- reads ---------------------------------------------------------------------------
def get(c: Call) -> dict:
    info = c.info
    obj = c.api.get(info.kind, info.namespace, info.name)
    if info.subresource == "scale":
        return to_scale(info.kind, obj)
    return obj


def list_(c: Call) -> dict:
    info, q = c.info, c.query
    kind = info.kind
    objs = c.api.list(kind, info.namespace)
    objs = filter_objects(kind, objs, q.get("labelSelector"), q.get("fieldSelector"))
    rv = str(c.api.store.current_rv())
    meta: dict[str, Any] = {"resourceVersion": rv}
    limit = _int(q.get("limit"), "limit") or 0
    start = q.get("continue")
    if start:
        try:
            tok = json.loads(base64.urlsafe_b64decode(start.encode() + b"==").decode())
            after = tuple(tok["start"])
        except (ValueError, KeyError, TypeError):
            raise BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") from None
        objs = [o for o in objs if _key(o) > after]
    if limit and len(objs) > limit:
        objs, rest = objs[:limit], len(objs) - limit
        tok = json.dumps({"v": "meta.k8s.io/v1", "rv": int(rv), "start": list(_key(objs[-1]))})
        meta["continue"] = base64.urlsafe_b64encode(tok.encode()).decode().rstrip("=")
        meta["remainingItemCount"] = rest
    return {"kind": f"{kind.kind}List", "apiVersion": kind.api_version, "metadata": meta, "items": objs}


def _key(o: dict) -> tuple[str, str]:
    m = o.get("metadata") or {}
    return (m.get("namespace") or "", m.get("name") or "")


def filter_objects(kind: Kind, objs: list[dict], label_sel: str | None, field_sel: str | None) -> list[dict]:
    if not label_sel and not field_sel:
        return objs
    ls = selectors.parse(label_sel)
    fs = parse_field_selector(kind, field_sel)
    return [o for o in objs if ls.matches((o.get("metadata") or {}).get("labels")) and fs.matches(o)]


def parse_field_selector(kind: Kind, text: str | None):
    try:
        return selectors.parse_fields(text, kind.kind)
    except Exception as e:  # UsageError from the parser: a bad request here
        from kubelite.errors import KubeliteError

        if isinstance(e, KubeliteError):
            raise BadRequest(e.message) from None
        raise


def _int(v: str | None, name: str) -> int | None:
    if v in (None, ""):
        return None
    try:
        return int(v)
    except ValueError:
        raise BadRequest(f'invalid value for {name}: "{v}"') from None


# -- writes --------------------------------------------------------------------------
def check_gvk(kind: Kind, obj: dict) -> None:
    """A body's apiVersion and kind must be the URL's, as upstream's decoder insists."""
    if obj.get("apiVersion") != kind.api_version:
        raise BadRequest(f'the API version in the data ({obj.get("apiVersion")}) does not match the expected API version ({kind.api_version})')
    if obj.get("kind") != kind.kind:
        raise BadRequest(f'the kind in the data ({obj.get("kind")}) does not match the expected kind ({kind.kind})')


def _check_body_kind(c: Call, obj: Any) -> dict:
    kind = c.info.kind
    if not isinstance(obj, dict):
        raise BadRequest("the object provided is not a JSON object")
    obj.setdefault("apiVersion", kind.api_version)
    obj.setdefault("kind", kind.kind)
    check_gvk(kind, obj)
    meta = obj.get("metadata")
    if isinstance(meta, dict) and kind.namespaced:
        ns = meta.get("namespace")
        if ns and c.info.namespace and ns != c.info.namespace:
            raise BadRequest("the namespace of the provided object does not match the namespace sent on the request")
        if c.info.namespace:
            meta["namespace"] = c.info.namespace
    return obj


def field_validation(c: Call) -> str:
    """The request's fieldValidation: Strict, Warn (the default) or Ignore (APIServer.unknown_fields)."""
    mode = c.query.get("fieldValidation") or "Warn"
    if mode not in ("Strict", "Warn", "Ignore"):
        raise BadRequest(f'fieldValidation parameter unsupported: "{mode}". Must be one of: Ignore, Warn, Strict')
    return mode


def prepare(c: Call, obj: dict) -> tuple[Kind, dict]:
    """The body checked by APIServer.prepare in one schema pass, unknown fields as the
    request's fieldValidation says: what a write stores and records managed fields of."""
    return c.api.prepare(obj, c.info.namespace, field_validation=field_validation(c))


def create(c: Call) -> tuple[int, dict]:
    info = c.info
    if info.subresource:
        return subresource_create(c)
    kind, obj = prepare(c, _check_body_kind(c, c.body))
    c.record(None, obj)
    res = c.api.create(obj, namespace=info.namespace, dry_run=c.dry_run, prepared=kind)
    return 201, res.obj


def update(c: Call) -> tuple[int, dict]:
    info, api = c.info, c.api
    obj = _check_body_kind(c, c.body) if info.subresource != "scale" else c.body
    if info.subresource == "scale":
        return 200, write_scale(c, obj)
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    if meta.get("name") and meta["name"] != info.name:
        raise BadRequest(f"the name of the object ({meta['name']}) does not match the name on the URL ({info.name})")
    meta = obj.setdefault("metadata", {})
    meta["name"] = info.name
    kind, obj = prepare(c, obj)
    with api.store.locked():
        old = api.get(info.kind, info.namespace, info.name)
        new = apply_strategy(info, old, obj)
        c.record(old, new, info.subresource)
        res = api.update(new, dry_run=c.dry_run, check_rv=True, subresource=info.subresource, prepared=kind)
    return 200, res.obj


def apply_strategy(info: RequestInfo, old: dict, new: dict) -> dict:
    """Upstream's update strategies: the main resource keeps status, /status keeps the rest."""
    if info.subresource == "status":
        out = clone(old)
        if "status" in new:
            out["status"] = new["status"]
        else:
            out.pop("status", None)
        rv = (new.get("metadata") or {}).get("resourceVersion")
        if rv:
            out["metadata"]["resourceVersion"] = rv
        return out
    if has_status(info.kind) and info.kind.kind not in ("Namespace",):
        new = dict(new)
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    return new


PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")


def patch(c: Call) -> tuple[int, dict]:
    from kubelite.api import merge
    from kubelite.server import patches

    info, api = c.info, c.api
    ctype = c.content_type
    if ctype == "application/apply-patch+yaml":
        from kubelite.server import ssa

        return ssa.apply(c)
    with api.store.locked():
        try:
            old = api.get(info.kind, info.namespace, info.name)
        except NotFound:
            raise
        # a client of another served version (autoscaling/v1) patches the object as it reads it
        base = to_scale(info.kind, old) if info.subresource == "scale" else versions.from_storage(old, info.group_version)
        try:
            if ctype == "application/json-patch+json":
                new = merge.json_patch(clone(base), c.body)
            elif ctype == "application/merge-patch+json":
                new = merge.merge_patch(clone(base), c.body)
            else:
                new = patches.strategic(clone(base), c.body)
        except (merge.PatchError, patches.PatchError) as e:
            raise BadRequest(str(e)) from None
        if not isinstance(new, dict):
            raise BadRequest("the patch did not produce an object")
        if info.subresource == "scale":
            return 200, write_scale(c, new, old=old, verb="patch")
        new = versions.to_storage(new)
        new.setdefault("metadata", {})
        if (new["metadata"] or {}).get("name") != info.name:
            raise BadRequest(f"the name of the object ({new['metadata'].get('name')}) does not match the name on the URL ({info.name})")
        kind, new = prepare(c, new)
        prev_rv = (c.body.get("metadata") or {}).get("resourceVersion") if isinstance(c.body, dict) else None
        if not prev_rv:
            new["metadata"]["resourceVersion"] = old["metadata"].get("resourceVersion")
        new = apply_strategy(info, old, new)
        c.record(old, new, info.subresource)
        res = api.update(new, dry_run=c.dry_run, check_rv=True, verb="patch", subresource=info.subresource, prepared=kind)
    return 200, res.obj


def delete(c: Call) -> tuple[int, dict]:
    info, api = c.info, c.api
    opts = c.body if isinstance(c.body, dict) else {}
    prop = c.query.get("propagationPolicy") or opts.get("propagationPolicy")
    if opts.get("orphanDependents") is True and not prop:
        prop = "Orphan"
    pre = opts.get("preconditions") or {}
    prop_map = {None: "background", "Background": "background", "Foreground": "foreground", "Orphan": "orphan"}
    if prop not in prop_map:
        raise BadRequest(f'propagationPolicy: Unsupported value: "{prop}": supported values: "Foreground", "Background", "Orphan"')
    dry = c.dry_run or opts.get("dryRun") == ["All"]
    res = api.delete(info.kind, info.namespace, info.name, propagation=prop_map[prop], dry_run=dry,
                     uid=pre.get("uid"), rv=pre.get("resourceVersion"))
    if res.obj.get("metadata", {}).get("deletionTimestamp") and api.store.exists(info.kind, info.namespace, info.name):
        return 200, res.obj
    k = info.kind
    details = {"name": info.name, "kind": k.plural, "uid": res.obj.get("metadata", {}).get("uid", "")}
    if k.group:
        details["group"] = k.group
    if k.kind == "Pod":
        return 200, res.obj  # the typed clients expect the Pod back
    return 200, st.success(details)


def delete_collection(c: Call) -> tuple[int, dict]:
    info, api = c.info, c.api
    api.authorize("deletecollection", info.kind, info.namespace)
    objs = filter_objects(info.kind, api.list(info.kind, info.namespace), c.query.get("labelSelector"), c.query.get("fieldSelector"))
    who, api.identity = api.identity, None  # authorized as a collection above
    try:
        for o in objs:
            m = o["metadata"]
            try:
                api.delete(info.kind, m.get("namespace"), m["name"], dry_run=c.dry_run)
            except NotFound:
                pass
    finally:
        api.identity = who
    return 200, {"kind": f"{info.kind.kind}List", "apiVersion": info.kind.api_version,
                 "metadata": {"resourceVersion": str(api.store.current_rv())}, "items": objs}


# -- subresources ------------------------------------------------------------------------
def to_scale(kind: Kind, obj: dict) -> dict:
    if sc.paths(kind) is None:
        raise NotFound(kind.resource, obj["metadata"]["name"])
    return sc.of(kind, obj)


def write_scale(c: Call, scale: Any, old: dict | None = None, verb: str = "update") -> dict:
    info, api = c.info, c.api
    if not isinstance(scale, dict) or not isinstance(scale.get("spec"), dict):
        raise BadRequest("the body is not an autoscaling/v1 Scale")
    replicas = scale["spec"].get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        from kubelite.api.fielderrors import FieldError, invalid

        raise invalid("Scale", info.name, [FieldError("spec.replicas", "Invalid value", replicas, "must be greater than or equal to 0")])
    with api.store.locked():
        old = old or api.get(info.kind, info.namespace, info.name)
        want_rv = (scale.get("metadata") or {}).get("resourceVersion")
        if want_rv and want_rv != old["metadata"].get("resourceVersion"):
            raise Conflict(info.kind.resource, info.name)
        new = sc.with_replicas(info.kind, old, replicas)
        c.record(old, new, "scale")
        res = api.update(new, dry_run=c.dry_run, verb=verb, subresource="scale")
    return to_scale(info.kind, res.obj)


def subresource_create(c: Call) -> tuple[int, dict]:
    info, api = c.info, c.api
    sub, body = info.subresource, c.body if isinstance(c.body, dict) else {}
    if info.kind.kind == "Pod" and sub == "eviction":
        api.evict(info.namespace, info.name, dry_run=c.dry_run)
        return 201, st.success()
    if info.kind.kind == "Pod" and sub == "binding":
        target = (body.get("target") or {}).get("name")
        if not target:
            raise Invalid("Binding: target.name: Required value")
        api.authorize("create", info.kind, info.namespace, info.name, "binding")
        with api.store.locked():
            pod = api.store.get(info.kind, info.namespace, info.name)
            node = (pod.get("spec") or {}).get("nodeName")
            if node:
                raise Conflict(info.kind.resource, info.name, f"pod {info.name} is already assigned to node \"{node}\"")
            pod = clone(pod)
            pod["spec"]["nodeName"] = target
            who, api.identity = api.identity, None
            try:
                api.update(pod, dry_run=c.dry_run)
            finally:
                api.identity = who
        return 201, st.success()
    if info.kind.kind == "ServiceAccount" and sub == "token":
        from kubelite.auth import tokens

        api.authorize("create", info.kind, info.namespace, info.name, "token")
        seconds = (body.get("spec") or {}).get("expirationSeconds") or 3600
        if not isinstance(seconds, int) or seconds < 600:
            raise Invalid(f'TokenRequest.authentication.k8s.io "{info.name}" is invalid: spec.expirationSeconds: Invalid value: {seconds}: may not specify a duration less than 10 minutes')
        token = tokens.issue(api, info.namespace, info.name, seconds)
        import datetime as dt

        from kubelite.clock import format_time

        exp = format_time(api.clock.now() + dt.timedelta(seconds=seconds))
        return 201, {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
                     "metadata": {"name": info.name, "namespace": info.namespace, "creationTimestamp": None},
                     "spec": {"audiences": (body.get("spec") or {}).get("audiences") or ["https://kubernetes.default.svc"],
                              "expirationSeconds": seconds, "boundObjectRef": None},
                     "status": {"token": token, "expirationTimestamp": exp}}
    raise HTTPError("MethodNotAllowed", "the server does not allow this method on the requested resource")


# -- reviews (request-only kinds) ----------------------------------------------------------
def review(c: Call, identity, authenticate) -> tuple[int, dict]:
    from kubelite.auth.identity import Identity
    from kubelite.auth.rbac import Request

    body = c.body if isinstance(c.body, dict) else {}
    plural = c.info.plural
    spec = body.get("spec") or {}
    out = {"kind": body.get("kind"), "apiVersion": body.get("apiVersion"), "metadata": {"creationTimestamp": None}, "spec": spec}
    authz = c.api.authorizer

    def allowed(who, attrs: dict, non_resource: dict | None) -> dict:
        if who.is_master:
            return {"allowed": True, "reason": ""}
        if non_resource is not None:
            from kubelite.auth import rbac

            path, verb = non_resource.get("path", ""), non_resource.get("verb", "")
            ok = any(rbac._has(r.get("verbs"), verb) and any(u == path or u == "*" or (u.endswith("*") and path.startswith(u[:-1]))
                                                             for u in r.get("nonResourceURLs") or [])
                     for r in authz.rules(who, ""))
            return {"allowed": ok}
        req = Request(attrs.get("verb", ""), attrs.get("group", ""), attrs.get("resource", ""), attrs.get("subresource", ""),
                      attrs.get("namespace", ""), attrs.get("name", ""))
        return {"allowed": authz.allows(who, req)}

    if plural == "selfsubjectaccessreviews":
        out["status"] = allowed(identity, spec.get("resourceAttributes") or {}, spec.get("nonResourceAttributes"))
    elif plural in ("subjectaccessreviews", "localsubjectaccessreviews"):
        _authorize_virtual(c, identity, "create")
        who = Identity.of(spec.get("user", ""), spec.get("groups") or [])
        out["status"] = allowed(who, spec.get("resourceAttributes") or {}, spec.get("nonResourceAttributes"))
    elif plural == "selfsubjectrulesreviews":
        ns = spec.get("namespace") or ""
        rules = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}] if identity.is_master else authz.rules(identity, ns)
        res_rules = [{k: r[k] for k in ("verbs", "apiGroups", "resources", "resourceNames") if r.get(k)}
                     for r in rules if r.get("resources")]
        nonres = [{"verbs": r["verbs"], "nonResourceURLs": r["nonResourceURLs"]} for r in rules if r.get("nonResourceURLs")]
        if identity.is_master:
            nonres.append({"verbs": ["*"], "nonResourceURLs": ["*"]})
        out["status"] = {"resourceRules": res_rules, "nonResourceRules": nonres, "incomplete": False}
    elif plural == "selfsubjectreviews":
        out = {"kind": "SelfSubjectReview", "apiVersion": body.get("apiVersion") or "authentication.k8s.io/v1",
               "metadata": {"creationTimestamp": None},
               "status": {"userInfo": {"username": identity.user, "groups": list(identity.groups)}}}
    elif plural == "tokenreviews":
        _authorize_virtual(c, identity, "create")
        try:
            who = authenticate(spec.get("token") or "")
            out["status"] = {"authenticated": True, "user": {"username": who.user, "groups": list(who.groups)},
                             "audiences": spec.get("audiences") or ["https://kubernetes.default.svc"]}
        except Exception:
            out["status"] = {"authenticated": False, "user": {}, "error": "invalid bearer token"}
    return 201, out


def _authorize_virtual(c: Call, identity, verb: str) -> None:
    from kubelite.auth.rbac import Request

    if identity.is_master:
        return
    req = Request(verb, c.info.group, c.info.plural, "", c.info.namespace or "", "")
    if not c.api.authorizer.allows(identity, req):
        from kubelite.auth.authorizer import denial

        raise Forbidden(denial(identity, req))
