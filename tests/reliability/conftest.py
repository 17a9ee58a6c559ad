"""Scheduling for parallel runs (pytest -n N): the long reliability tests (the kill campaigns and
the concurrent load, 20-60 s each) are spread over the workers instead of queueing behind each
other on one.

pytest-xdist's default scheduler first hands each worker a chunk of consecutive tests (a
quarter of its share), then the rest on demand. So on workers (where the worker count is known)
the long tests are placed at the start of the workers' first chunks, longest first, each on the
worker with the least long work so far; every other test keeps its order and goes on demand.
Without xdist nothing moves.
"""
from __future__ import annotations

import itertools

# Rough seconds on 2 cores, for balancing only.
HEAVY = {
    "tests/reliability/test_crash.py::test_sigkill_delete": 26,
    "tests/reliability/test_crash.py::test_sigkill_reconcile": 36,
    "tests/reliability/test_crash.py::test_sigkill_apply": 32,
    "tests/reliability/test_crash.py::test_sigkill_serve_while_clients_write_loses_no_acknowledged_write": 30,
    "tests/reliability/test_concurrency.py::test_concurrent_writers_and_two_reconcile_loops": 17,
}


def _weight(item) -> int | None:
    return HEAVY.get(item.nodeid.split("[", 1)[0])


def pytest_collection_modifyitems(session, config, items):
    workers = int(getattr(config, "workerinput", {}).get("workercount", 0) or 0)
    heavy = [i for i in items if _weight(i) is not None]
    if workers < 2 or not heavy or len(heavy) == len(items):
        return
    ids = {id(i) for i in heavy}
    light = [i for i in items if id(i) not in ids]
    chunk = max(len(items) // workers // 4, 2)  # as xdist's LoadScheduling.schedule
    plan: list[list] = [[] for _ in range(workers)]
    load = [0] * workers
    for item in sorted(heavy, key=lambda i: -_weight(i)):
        w = min(range(workers), key=lambda k: (load[k], len(plan[k])))
        if len(plan[w]) >= chunk:
            w = min(range(workers), key=lambda k: len(plan[k]))
        plan[w].append(item)
        load[w] += _weight(item)
    if max(len(p) for p in plan) > chunk:
        return  # more long tests than fit: leave the order alone
    out, rest = [], iter(light)
    for p in plan:
        out += p
        out += list(itertools.islice(rest, chunk - len(p)))
    out += list(rest)
    if len(out) == len(items):
        items[:] = out
