"""Starting and stopping the server: TLS, the kubeconfig, the controllers' loop, signals."""
from __future__ import annotations

import asyncio
import gc
import signal
import ssl
import sys
import threading
import time
from pathlib import Path

SHUTDOWN_SECONDS = 10


WAKE_CHECK_SECONDS = 0.1


class ReconcileLoop:
    """The controllers, under the same reconcile lock as a cron `reconcile`: at once when any
    writer (this server, the CLI, a cron pass) commits a change, else every `interval`.

    Between passes the loop reads the change journal's tail every 0.1 s (a few KB, no object
    file), so a write is acted on within a tenth of a second instead of up to `interval`,
    and an idle server still costs next to nothing. Timers and hand edits are the
    `interval` pass's: its quiet check (runtime/quiet.py) and its look for edited files see them.

    The loop's `Followed` keeps the last pass's snapshot as an informer cache, so a pass
    after a few changes reads those objects again, not the store (runtime/focus.py). Any
    failure starts the loop afresh, without it."""

    def __init__(self, root: Path, interval: float):
        self.root, self.interval = root, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kubelite-reconcile", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the loop to stop and wait for a pass in flight to finish its writes."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        from kubelite.apiserver import APIServer
        from kubelite.errors import Busy, KubeliteError
        from kubelite.runtime import runner

        from kubelite.runtime.focus import Followed

        api = None
        followed = Followed(freeze=True)
        while not self._stop.is_set():
            try:
                if api is None:
                    api = APIServer.open(self.root, create=False)
                # skip_if_quiet: a pass that would find nothing to do is one cheap check, so an
                # idle server costs next to nothing (see runtime/quiet.py). followed: a pass
                # after a few changes visits what they touch (runtime/focus.py).
                runner.Runner(api, None, None, lambda p: print(p.line(), file=sys.stderr, flush=True),
                              skip_if_quiet=True, followed=followed).run()
            except Busy:
                pass  # a cron or CLI reconcile is running: it does this pass's work (its writes are journaled)
            except KubeliteError as e:
                print(f"error: reconcile: {e.message}", file=sys.stderr, flush=True)
                api, followed = None, Followed(freeze=True)
            except Exception as e:  # one failure never stops the server; the next pass retries
                print(f"error: reconcile: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
                api, followed = None, Followed(freeze=True)
            self._wait(api)

    def _wait(self, api) -> None:
        """Sleep until the interval is over, the store has a change committed after the
        pass, or the loop is stopped."""
        try:
            seen = api.store.current_rv() if api is not None else None
        except Exception:
            seen = None
        deadline = time.monotonic() + self.interval
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self._stop.wait(min(WAKE_CHECK_SECONDS, left)):
                return
            if seen is not None:
                try:
                    if api.store.current_rv() != seen:
                        return
                except Exception:
                    return  # the journal is unreadable for a moment: the pass will tell


def serve_forever(root: Path, address: str, port: int, kubeconfig: Path, interval: float | None) -> int:
    return asyncio.run(_main(root, address, port, kubeconfig, interval))


async def _main(root: Path, address: str, port: int, kubeconfig: Path, interval: float | None) -> int:
    from aiohttp import web

    from kubelite.server import pki
    from kubelite.server.app import Server, make_app

    pkidir = root / "pki"
    crt, key, ca_pem = pki.serving_cert(pkidir, [address])
    token = pki.admin_token(pkidir)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(crt), str(key))
    server = Server(root, token)
    app = make_app(server)
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    site = web.TCPSite(runner, address, port, ssl_context=ctx, backlog=256)
    try:
        await site.start()
    except OSError as e:
        await runner.cleanup()
        print(f"error: cannot listen on {address}:{port}: {e.strerror}", file=sys.stderr)
        return 1
    sock = site._server.sockets[0]  # the port actually bound (--port 0)
    bound = sock.getsockname()[1]
    host = f"[{address}]" if ":" in address else address
    url = f"https://{host}:{bound}"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):  # before the line: a signal right after it stops us cleanly
        loop.add_signal_handler(sig, stop.set)
    server.hub.start()
    loop_thread = ReconcileLoop(root, interval) if interval else None
    if loop_thread:
        loop_thread.start()
    pki.write_kubeconfig(kubeconfig, pki.kubeconfig(url, ca_pem, token))
    # What start-up built (modules, aiohttp, TLS, the hub's first look) lives as long as the
    # server: out of the cyclic collector's way, so its full collections, which stop every
    # thread, scan only what requests make.
    gc.collect()
    gc.freeze()
    print(f"kubelite serving {url}; kubeconfig: {kubeconfig}", flush=True)
    await stop.wait()
    # In-flight requests finish (runner.cleanup waits for them), watches end, the port is freed.
    server.closing.set()
    await site.stop()
    if loop_thread:
        await loop.run_in_executor(None, loop_thread.stop)
    server.hub.stop()
    await runner.cleanup()
    server.writes.close()
    server.pool.shutdown(wait=True)
    server.list_pool.shutdown(wait=True)
    return 0
