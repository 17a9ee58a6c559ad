"""Crash safety: SIGKILL `reconcile --until-stable`, `apply`, `delete` and `serve` (while
clients write through it) at random moments on a store of 2,000 pods, and check after every
kill that nothing was damaged. The scenarios and their checks are in campaign.py, which
bench/crash.py runs at the benchmark's sizes.

The kill moment is a seeded random sleep of 0.05-1.5 s after the process starts; the seed is
printed (pytest -s shows it) and can be pinned with KUBELITE_CRASH_SEED.
"""
from __future__ import annotations

import pytest

from tests.reliability import helpers as h
from tests.reliability.campaign import Crash, kill_apply, kill_delete, kill_reconcile, kill_serve

KILLS = {"reconcile": h.soak(28, 200), "apply": h.soak(12, 150), "delete": h.soak(10, 150), "serve": h.soak(3, 30)}  # 53 in CI
CONVERGE_EVERY = 1 if h.SOAK else 6


@pytest.fixture(scope="session")
def crash_template(tmp_path_factory):
    """One converged store of 2,000 pods per worker, built once and cloned for each scenario
    (session-scoped: a parallel run interleaves these tests with others)."""
    root = tmp_path_factory.mktemp("crash")
    state, cache = root / "template", root / "cache"
    h.build_store(state, cache)
    h.seed_parsed(state, cache)  # (if kubelite's cache format changed, scan just parses every file)
    s = h.scan(state)
    pods = h.of_kind(s, "pods")
    assert len(pods) >= 2000
    assert h.converged_problems(s) == []
    before = h.fingerprint(state)
    yield state, cache
    # The clones share the template's object files as hard links: had any command written an
    # object file in place instead of replacing it, the template would show it.
    assert h.fingerprint(state) == before


@pytest.mark.parametrize("part", [1, 2])
def test_sigkill_reconcile(crash_template, tmp_path, part):
    """Two halves, so a parallel run can spread them; each clones the store anew."""
    c = Crash.cloned(crash_template, tmp_path, f"reconcile-{part}")
    kill_reconcile(c, KILLS["reconcile"] // 2, CONVERGE_EVERY)
    c.finish(KILLS["reconcile"] // 2, schema=part == 1)


def test_sigkill_apply(crash_template, tmp_path):
    c = Crash.cloned(crash_template, tmp_path, "apply")
    kill_apply(c, KILLS["apply"], CONVERGE_EVERY, tmp_path / "payload.yaml")
    c.finish(KILLS["apply"])


def test_sigkill_delete(crash_template, tmp_path):
    c = Crash.cloned(crash_template, tmp_path, "delete")
    kill_delete(c, KILLS["delete"], CONVERGE_EVERY, tmp_path / "payload.yaml")
    c.finish(KILLS["delete"])


def test_sigkill_serve_while_clients_write_loses_no_acknowledged_write(crash_template, tmp_path):
    """serve with its controllers on, killed while two clients write; a new serve converges.
    Every serve it starts is stopped in kill_serve's finally blocks, pass or fail."""
    c = Crash.cloned(crash_template, tmp_path, "serve", window={"serve": 3.0})
    kill_serve(c, KILLS["serve"], interval="0.5s")
    c.finish(KILLS["serve"])
