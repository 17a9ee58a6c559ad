"""The HTTPS server: aiohttp routes every request to one dispatcher, which authenticates,
parses the URL into a RequestInfo, runs the verb's handler in a worker thread, and writes
the object, a Table, a watch stream or a Status.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading
from pathlib import Path
from typing import Any

from aiohttp import web

from kubelite.api import versions
from kubelite.apiserver import APIServer
from kubelite.auth.identity import ADMIN, Identity
from kubelite.heap import no_cyclic_gc
from kubelite.errors import BadRequest, Forbidden, KubeliteError, Unauthorized
from kubelite.server import discovery, handlers, status as st
from kubelite.server.requestinfo import RequestInfo, parse
from kubelite.server.status import HTTPError

MAX_BODY = 3 * 1024 * 1024  # upstream's default limit on a request body
MAX_DEPTH = 100  # nesting beyond any real object; refused before it is decoded further
BODY_SECONDS = 30  # a body that trickles in slower than this is refused
WATCH_SECONDS = 1800  # upstream's --min-request-timeout
BOOKMARK_SECONDS = 60
PUBLIC = {"/healthz", "/livez", "/readyz", "/version"}


class Server:
    """The state a running `kubelite serve` holds: the state dir, the pool, the watch hub."""

    def __init__(self, root: Path, admin_token: str, workers: int = 8):
        self.root = Path(root)
        self.admin_token = admin_token
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kubelite-api")
        # Collections are read by one thread: each thread's store keeps a parse cache of the
        # kinds it listed, and eight copies of 10,000 pods' cache would cost hundreds of MB.
        self.list_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="kubelite-list")
        self._local = threading.local()
        # Writes: one at a time in one thread, committed in groups (commit.py); the store
        # lock orders them with other processes' writes.
        from kubelite.server.commit import GroupCommit

        self.writes = GroupCommit(self.control_plane)
        from kubelite.server.watch import Hub

        self.hub = Hub(self.control_plane)
        self.streams: set[web.StreamResponse] = set()
        self.closing = asyncio.Event()

    def control_plane(self) -> APIServer:
        """This thread's APIServer (its store keeps a parse cache between requests)."""
        api = getattr(self._local, "api", None)
        if api is None:
            api = APIServer.open(self.root, create=False)
            self._local.api = api
        api.identity = None
        api.warnings = []
        api._authorizer = None  # its RBAC lookups are cached for one request, not across them
        return api

    async def call(self, fn, *args, pool=None):
        return await asyncio.get_running_loop().run_in_executor(pool or self.pool, fn, *args)

    # -- authentication ------------------------------------------------------------
    async def who(self, request: web.Request) -> Identity:
        """The request's identity, impersonation applied. The administrator's token without
        impersonation (kubectl's everyday case) is settled on the event loop; anything that
        reads the store (ServiceAccount tokens, RBAC for impersonation) in a worker."""
        token = bearer(request)
        who = self.known_identity(token)
        if who is None:
            who = await self.call(self.identity_of, token)
        if "Impersonate-User" in request.headers or "Impersonate-Group" in request.headers:
            who = await self.call(self.impersonate, who, request)
        return who

    def known_identity(self, token: str) -> Identity | None:
        """ADMIN for the administrator's token; None when the store must be asked."""
        import hmac

        if token and hmac.compare_digest(token.encode(), self.admin_token.encode()):
            return ADMIN
        return None

    def identity_of(self, token: str) -> Identity:
        who = self.known_identity(token)
        if who is not None:
            return who
        from kubelite.auth import tokens

        if not token.startswith(tokens.PREFIX):
            raise Unauthorized()
        return tokens.authenticate(self.control_plane(), token)

    def impersonate(self, who: Identity, request: web.Request) -> Identity:
        """Impersonate-User / Impersonate-Group, each authorized with the `impersonate` verb."""
        user = request.headers.get("Impersonate-User")
        groups = request.headers.getall("Impersonate-Group", [])
        if not user:
            if groups:
                raise BadRequest("requested [" + ", ".join(f"{{Group {g}}}" for g in groups) + "] without impersonating a user")
            return who
        from kubelite.auth.rbac import Request

        api = self.control_plane()
        checks = []
        sa = Identity.of(user).service_account()
        if sa:
            checks.append(Request("impersonate", "", "serviceaccounts", "", sa[0], sa[1]))
        else:
            checks.append(Request("impersonate", "", "users", "", "", user))
        checks += [Request("impersonate", "", "groups", "", "", g) for g in groups]
        for req in checks:
            if not api.authorizer.allows(who, req):
                from kubelite.auth.authorizer import denial

                raise Forbidden(denial(who, req))
        return Identity.of(user, groups)


def bearer(request: web.Request) -> str:
    """The request's bearer token; Unauthorized without one."""
    auth = request.headers.get("Authorization", "")
    if not auth.lower().startswith("bearer "):
        raise Unauthorized()
    return auth[7:].strip()


def _json(data: Any, code: int = 200, headers: dict | None = None, ctype: str = "application/json") -> web.Response:
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    h = dict(headers or {})
    h["Content-Type"] = ctype
    return web.Response(body=body, status=code, headers=h)


def _status(s: dict) -> web.Response:
    return _json(s, s.get("code", 500))


def _depth_ok(obj: Any) -> bool:
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if d > MAX_DEPTH:
            return False
        if isinstance(o, dict):
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, list):
            stack.extend((v, d + 1) for v in o)
    return True


async def _body(request: web.Request, ctype: str) -> Any:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise HTTPError("RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY}")
    try:
        raw = await asyncio.wait_for(request.content.read(MAX_BODY + 1), BODY_SECONDS)
    except asyncio.TimeoutError:
        raise HTTPError("Timeout", "request body was not received in time") from None
    if len(raw) > MAX_BODY:
        raise HTTPError("RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY}")
    if not raw.strip():
        return None
    if ctype == PROTOBUF:  # client-go's typed clients (kubectl create sa/token, auth can-i) send only this
        from kubelite.server import protobuf

        # off the event loop: a hostile 3 MB body of tiny fields takes seconds to read in Python
        return _shallow(await asyncio.get_running_loop().run_in_executor(None, protobuf.decode, raw, MAX_DEPTH))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body of the request is not valid UTF-8") from None
    if ctype == "application/apply-patch+yaml" or ctype.endswith("yaml"):
        from kubelite.api import yamlio

        try:
            docs = yamlio.load_documents(text, "request body")
        except KubeliteError as e:
            raise BadRequest(e.message) from None
        if len(docs) > 1:
            raise BadRequest("the request body holds more than one YAML document")
        data = docs[0].data if docs else None
    else:
        try:
            data = json.loads(text)
        except RecursionError:
            raise BadRequest("the object is nested too deeply") from None
        except ValueError as e:
            raise BadRequest(f"the body of the request could not be decoded: {e}") from None
    return _shallow(data)


def _shallow(data: Any) -> Any:
    """data, unless it nests deeper than any real object (JSON inside a protobuf RawExtension too)."""
    if not _depth_ok(data):
        raise BadRequest(f"the object is nested too deeply (more than {MAX_DEPTH} levels)")
    return data


PROTOBUF = "application/vnd.kubernetes.protobuf"
ACCEPTED_WRITE = ("application/json", "application/yaml", PROTOBUF, "*/*", "")


def make_app(server: Server) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY + 1024)
    app["server"] = server

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok", content_type="text/plain")

    async def dispatch(request: web.Request) -> web.StreamResponse:
        path = request.path
        kind = None
        try:
            if path in ("/healthz", "/livez", "/readyz") or path.startswith(("/healthz/", "/livez/", "/readyz/")):
                return await health(request)
            if path == "/version":
                return _json(discovery.version())
            who = await server.who(request)
            accept = request.headers.get("Accept", "")
            if request.method == "GET":
                doc = _discovery(path, accept)
                if doc is not None:
                    return doc
                if path.startswith("/openapi/"):
                    from kubelite.server import openapi

                    got = await server.call(openapi.response, path, accept)
                    if got is None:
                        raise HTTPError("NotFound", "the server could not find the requested resource")
                    body, ctype, etag = got
                    h = {"ETag": etag, "Vary": "Accept"}
                    if etag in request.headers.get("If-None-Match", ""):  # kubectl's HTTP cache revalidates
                        return web.Response(status=304, headers=h)
                    return web.Response(body=body, headers={**h, "Content-Type": ctype})
            info = parse(path)
            kind = info.kind
            return await _resource(request, server, who, info, accept)
        except HTTPError as e:
            return _status(st.from_error(e))
        except KubeliteError as e:
            return _status(st.from_error(e, kind))
        except asyncio.CancelledError:
            raise
        except Exception as e:  # a bug: a Status, never a dropped connection
            import traceback

            traceback.print_exc()
            return _status(st.from_error(e))

    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app


def _discovery(path: str, accept: str) -> web.Response | None:
    agg = "as=APIGroupDiscoveryList" in accept and "v=v2" in accept
    if path in ("/api", "/api/"):
        if agg:
            return _json(discovery.aggregated(legacy=True), ctype=discovery.AGGREGATED)
        return _json(discovery.api_versions())
    if path in ("/apis", "/apis/"):
        if agg:
            return _json(discovery.aggregated(legacy=False), ctype=discovery.AGGREGATED)
        return _json(discovery.api_group_list())
    parts = [p for p in path.split("/") if p]
    if parts == ["api", "v1"]:
        return _json(discovery.resource_list("", "v1"))
    if len(parts) == 2 and parts[0] == "apis":
        g = discovery.api_group(parts[1])
        if g is None:
            raise HTTPError("NotFound", "the server could not find the requested resource")
        return _json(g)
    if len(parts) == 3 and parts[0] == "apis":
        rl = discovery.resource_list(parts[1], parts[2])
        if rl is None:
            raise HTTPError("NotFound", "the server could not find the requested resource")
        return _json(rl)
    return None


async def _resource(request: web.Request, server: Server, who: Identity, info: RequestInfo, accept: str) -> web.StreamResponse:
    method = request.method
    q = dict(request.query)
    ctype = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    body = None
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        if method == "PATCH":
            if ctype not in handlers.PATCH_TYPES:
                raise HTTPError("UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                                + ", ".join(handlers.PATCH_TYPES))
        elif ctype not in ACCEPTED_WRITE:
            raise HTTPError("UnsupportedMediaType", 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ' + PROTOBUF)
        body = await _body(request, ctype)
    if info.kind is None:  # a review
        if method != "POST":
            raise HTTPError("MethodNotAllowed", "the server does not allow this method on the requested resource")

        def run_review():
            c = handlers.Call(server.control_plane(), info, q, body, ctype)
            return handlers.review(c, who, server.identity_of)

        code, out = await server.call(run_review)
        return _json(out, code)
    # Another served version of a stored kind (autoscaling/v1 HPAs): the handlers see the
    # stored version; bodies convert on the way in and objects on the way out.
    other = info.kind is not None and info.group_version != info.kind.api_version and info.subresource in ("", "status")
    if other and method in ("POST", "PUT") and isinstance(body, dict):
        body.setdefault("apiVersion", info.group_version)
        body.setdefault("kind", info.kind.kind)
        if body["apiVersion"] == info.group_version:
            body = versions.to_storage(body)
    if method == "GET" and (q.get("watch") in ("1", "true") or (info.subresource == "" and q.get("watch") == "True")):
        from kubelite.server import streams

        return await streams.watch(request, server, who, info, q, accept)
    if method == "GET" and info.subresource == "log":
        from kubelite.server import streams

        return await streams.log(request, server, who, info, q)

    listing = method == "GET" and not info.name
    table = method == "GET" and bool(accept) and _wants_table(accept) and not info.subresource
    include = q.get("includeObject") or "PartialObjectMetadata"
    version = info.group_version if other else None

    def run():
        api = server.control_plane()
        api.identity = who
        c = handlers.Call(api, info, q, body, ctype, manager=_manager(request))
        if method == "GET":
            if info.name:
                return _encode(200, handlers.get(c), c.warnings, version, table and info.kind, api, include)
            if info.subresource:
                raise HTTPError("NotFound", "the server could not find the requested resource")
            with no_cyclic_gc():  # a LIST's objects are acyclic: refcounts free them
                return _encode(200, handlers.list_(c), c.warnings, version, table and info.kind, api, include)
        raise HTTPError("MethodNotAllowed", "the server does not allow this method on the requested resource")

    def write(api: APIServer):
        """A write, run by the writer thread in a group commit (commit.py)."""
        api.identity = who
        c = handlers.Call(api, info, q, body, ctype, manager=_manager(request))
        if method == "POST":
            if info.name and not info.subresource:
                raise HTTPError("MethodNotAllowed", "the server does not allow this method on the requested resource")
            code, out = handlers.create(c)
        elif method == "PUT":
            code, out = handlers.update(c)
        elif method == "PATCH":
            code, out = handlers.patch(c)
        elif info.name:
            code, out = handlers.delete(c)
        else:
            code, out = handlers.delete_collection(c)
        return _encode(code, out, c.warnings + api.warnings, version)

    if method in ("POST", "PUT", "PATCH", "DELETE"):
        code, data, headers, ct = await asyncio.wrap_future(server.writes.submit(write))
    else:
        code, data, headers, ct = await server.call(run, pool=server.list_pool if listing else None)
    return web.Response(body=data, status=code, headers=dict(headers or {}, **{"Content-Type": ct}))


def _encode(code: int, out: dict, warnings: list[str], version: str | None, table_kind=None, api=None,
            include: str = "PartialObjectMetadata") -> tuple[int, bytes, dict | None, str]:
    """A response's status, body, headers and media type, made in the worker thread: a
    Table of 10,000 rows or a LIST's JSON is CPU work that must not hold up the event loop.
    `version`: another served version to convert the object to (autoscaling/v1 HPAs)."""
    headers = {"Warning": ", ".join(f'299 - "{w}"' for w in warnings)} if warnings else None
    if table_kind:
        from kubelite.server import tables

        objs = out["items"] if "items" in out else [out]
        rv = (out.get("metadata") or {}).get("resourceVersion", "")
        t = tables.table(table_kind, objs, api.clock.now(), rv, include)
        if "continue" in (out.get("metadata") or {}):
            t["metadata"]["continue"] = out["metadata"]["continue"]
        return code, _dumps(t), headers, "application/json;as=Table;v=v1;g=meta.k8s.io"
    if version and isinstance(out, dict):
        out = versions.from_storage(out, version)
    return code, _dumps(out), headers, "application/json"


def _dumps(data: Any) -> bytes:
    """JSON, a long list of items encoded a few hundred at a time: one json.dumps call holds
    the GIL from start to end, so the other threads get their turns between the pieces."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or len(items) <= _PIECE:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    head = json.dumps({k: v for k, v in data.items() if k != "items"}, separators=(",", ":"), ensure_ascii=False)
    parts = [head[:-1].encode(), b',"items":[' if len(head) > 2 else b'"items":[']
    for i in range(0, len(items), _PIECE):
        if i:
            parts.append(b",")
        parts.append(json.dumps(items[i:i + _PIECE], separators=(",", ":"), ensure_ascii=False)[1:-1].encode())
    parts.append(b"]}")
    return b"".join(parts)  # pieces as bytes: no text copy of the whole document besides them


_PIECE = 200


def _manager(request: web.Request) -> str:
    """Upstream's default field manager: ?fieldManager=, else the user agent up to its first '/'."""
    m = request.query.get("fieldManager")
    if m:
        return m[:128]
    return (request.headers.get("User-Agent") or "unknown").split("/")[0][:128]


def _wants_table(accept: str) -> bool:
    first = accept.split(",")[0]
    return "as=Table" in first and "g=meta.k8s.io" in first
