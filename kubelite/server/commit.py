"""Group commit: the server's writes run one after another in one thread, and the writes
that queued up while one ran are committed together, with one syncfs.

Each HTTP write is a job: a function of the writer thread's APIServer that calls a
handler. The writer takes the first job waiting, opens a store batch (the store lock is
held from then to the commit), runs it, then runs every job that arrived meanwhile in
the same batch, in arrival order: each sees the writes of the jobs before it (a
resourceVersion conflict is decided as if they had come one by one). Then the batch
commits: temporary files, journal lines, one syncfs, renames. Only then is any job of
the group answered: a write is acknowledged once its data is on disk, and when the
commit fails, every job of the group gets that error (nothing of it is acknowledged).
A job that fails on its own (a conflict, a denial, an invalid object) gets its own
error, as it would without the group.
"""
from __future__ import annotations

import concurrent.futures
import threading
from collections import deque
from typing import Any, Callable

MAX_GROUP = 64  # jobs per commit: a long queue is committed in several groups


class GroupCommit:
    def __init__(self, api_factory: Callable[[], Any]):
        self._api_factory = api_factory  # the calling thread's APIServer, its per-request state reset
        self._jobs: deque = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="kubelite-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[Any], Any]) -> concurrent.futures.Future:
        """Queue job(api); the future holds its result once the group it ran in is committed."""
        fut: concurrent.futures.Future = concurrent.futures.Future()
        with self._ready:
            if self._closed:
                raise RuntimeError("the server is stopping")
            self._jobs.append((job, fut))
            self._ready.notify()
        return fut

    def close(self) -> None:
        """Run what is queued, then stop the writer thread."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        self._thread.join()

    def _take(self, wait: bool):
        with self._ready:
            while wait and not self._jobs and not self._closed:
                self._ready.wait()
            return self._jobs.popleft() if self._jobs else None

    def _run(self) -> None:
        while True:
            first = self._take(wait=True)
            if first is None:
                return  # closed, and nothing is left
            self._group(first)

    def _group(self, first) -> None:
        done: list[tuple[concurrent.futures.Future, bool, Any]] = []  # (future, ok, result or error)
        try:
            api = self._api_factory()
            with api.store.batch():
                job = first
                while job is not None:
                    fn, fut = job
                    if fut.set_running_or_notify_cancel():
                        try:
                            done.append((fut, True, fn(self._api_factory())))  # fresh per-request state, same store
                        except Exception as e:  # this job's own failure; the others go on
                            done.append((fut, False, e))
                    job = self._take(wait=False) if len(done) < MAX_GROUP else None
        except BaseException as e:  # the commit (or the lock) failed: no job of the group is acknowledged
            for fut, ok, value in done:
                fut.set_exception(e if ok else value)
            if not done and not first[1].done():
                first[1].set_exception(e)
            if not isinstance(e, Exception):
                raise
            return
        for fut, ok, value in done:
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)
