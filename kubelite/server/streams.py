"""Long responses: watch streams (chunked JSON events) and pods/log."""
from __future__ import annotations

import asyncio
import json
import time

from aiohttp import web

from kubelite.api import selectors
from kubelite.auth.identity import Identity
from kubelite.server import handlers
from kubelite.server.requestinfo import RequestInfo
from kubelite.server.watch import Watcher

_END = object()


async def watch(request: web.Request, server, who: Identity, info: RequestInfo, q: dict, accept: str) -> web.StreamResponse:
    from kubelite.server.app import BOOKMARK_SECONDS, WATCH_SECONDS, _wants_table

    kind = info.kind

    def authorize():
        api = server.control_plane()
        api.identity = who
        api.authorize("watch", kind, info.namespace, info.name)
        return (selectors.parse(q.get("labelSelector")), handlers.parse_field_selector(kind, q.get("fieldSelector")))

    label_sel, field_sel = await server.call(authorize)
    name = info.name
    fs_name = field_sel.value_of("metadata.name")
    if fs_name:
        name = fs_name
    w = Watcher(kind, info.namespace, name, label_sel, field_sel, asyncio.get_running_loop())
    send_initial = q.get("sendInitialEvents") == "true"
    await server.call(server.hub.add, w, q.get("resourceVersion"), send_initial)
    table = _wants_table(accept)
    resp = web.StreamResponse(status=200)
    resp.content_type = "application/json"
    if table:
        resp.headers["Content-Type"] = "application/json;as=Table;v=v1;g=meta.k8s.io"
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    server.streams.add(resp)
    timeout = float(q.get("timeoutSeconds") or WATCH_SECONDS)
    deadline = time.monotonic() + timeout
    bookmarks = q.get("allowWatchBookmarks") == "true"
    last_rv = str(server.hub.current_rv())
    clock = server.control_plane().clock

    async def emit(etype: str, obj: dict) -> None:
        if info.group_version != kind.api_version and etype != "BOOKMARK":  # another served version (kubelite.api.versions)
            from kubelite.api import versions

            obj = versions.from_storage(obj, info.group_version)
        if table and etype != "BOOKMARK":
            from kubelite.server import tables

            obj = tables.table(kind, [obj], clock.now(), (obj.get("metadata") or {}).get("resourceVersion", ""),
                               q.get("includeObject") or "PartialObjectMetadata")
        await resp.write(json.dumps({"type": etype, "object": obj}, separators=(",", ":")).encode() + b"\n")

    def bookmark(rv: str, end: bool = False) -> dict:
        meta: dict = {"resourceVersion": rv}
        if end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        return {"kind": kind.kind, "apiVersion": info.group_version, "metadata": meta}

    try:
        if send_initial:
            # the initial ADDED events are queued already; mark their end once they are out
            while not w.queue.empty():
                etype, obj = w.queue.get_nowait()
                await emit(etype, obj)
                last_rv = (obj.get("metadata") or {}).get("resourceVersion", last_rv)
            await emit("BOOKMARK", bookmark(str(server.hub.current_rv()), end=True))
        next_bookmark = time.monotonic() + BOOKMARK_SECONDS
        closing = asyncio.ensure_future(server.closing.wait())
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                wait = min(left, max(0.05, next_bookmark - time.monotonic())) if bookmarks else left
                getter = asyncio.ensure_future(w.queue.get())
                done, _ = await asyncio.wait({getter, closing}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    if closing in done:
                        break
                    if bookmarks and time.monotonic() >= next_bookmark:
                        await emit("BOOKMARK", bookmark(str(max(int(last_rv or 0), server.hub.current_rv()))))
                        next_bookmark = time.monotonic() + BOOKMARK_SECONDS
                    continue
                etype, obj = getter.result()
                await emit(etype, obj)
                last_rv = (obj.get("metadata") or {}).get("resourceVersion", last_rv)
        finally:
            closing.cancel()
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        server.hub.remove(w)
        server.streams.discard(resp)
    try:
        await resp.write_eof()
    except (ConnectionResetError, RuntimeError):
        pass
    return resp


async def log(request: web.Request, server, who: Identity, info: RequestInfo, q: dict) -> web.StreamResponse:
    """pods/log: the files the process runtime writes (kubelite.runtime.logs), read or followed;
    the library refuses a simulated pod's log with the kubelet's BadRequest."""
    from kubelite.errors import BadRequest

    def open_pod():
        api = server.control_plane()
        api.identity = who
        api.authorize("get", info.kind, info.namespace, info.name, "log")
        pod = api.get(info.kind, info.namespace, info.name)
        spec = pod.get("spec") or {}
        names = [c.get("name") for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])]
        container = q.get("container") or ""
        if not container:
            containers = [c.get("name") for c in spec.get("containers") or []]
            if len(containers) != 1:
                raise BadRequest(f"a container name must be specified for pod {info.name}, choose one of: [{' '.join(containers)}]")
            container = containers[0]
        elif container not in names:
            raise BadRequest(f"container {container} is not valid for pod {info.name}")
        return api, pod, container

    api, pod, container = await server.call(open_pod)
    from kubelite.runtime import logs
    opts = dict(previous=q.get("previous") == "true", timestamps=q.get("timestamps") == "true",
                tail=int(q["tailLines"]) if q.get("tailLines", "").lstrip("-").isdigit() else None,
                since=float(q["sinceSeconds"]) if q.get("sinceSeconds", "").isdigit() else None,
                since_time=_time(q.get("sinceTime")),
                now=api.clock.now())
    root = api.store.root
    if q.get("follow") != "true":
        data = await server.call(lambda: b"".join(logs.read_log(root, pod, container, **opts)))
        return web.Response(body=data, content_type="text/plain")
    resp = web.StreamResponse(status=200)
    resp.content_type = "text/plain"
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue = asyncio.Queue()
    stop = {"now": False}

    def pump():
        try:
            for chunk in logs.follow_log(root, pod, container, stop=lambda: stop["now"] or server.closing.is_set(), **opts):
                loop.call_soon_threadsafe(chunks.put_nowait, chunk)
        finally:
            loop.call_soon_threadsafe(chunks.put_nowait, _END)

    import threading

    # a thread of its own: a follow lasts as long as the container, and must not hold a request worker
    fut = loop.create_future()
    def run():
        try:
            pump()
        finally:
            loop.call_soon_threadsafe(lambda: fut.done() or fut.set_result(None))

    threading.Thread(target=run, daemon=True).start()
    try:
        while True:
            chunk = await chunks.get()
            if chunk is _END:
                break
            await resp.write(chunk)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        stop["now"] = True
        await asyncio.wait([fut], timeout=5)
    try:
        await resp.write_eof()
    except (ConnectionResetError, RuntimeError):
        pass
    return resp


def _time(text: str | None):
    if not text:
        return None
    from kubelite.clock import parse_time
    from kubelite.errors import BadRequest

    try:
        return parse_time(text)
    except ValueError:
        raise BadRequest(f'invalid sinceTime "{text}": must be RFC 3339') from None
