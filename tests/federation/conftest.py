"""Fixtures: a federation of real state directories, a host and members c1, c2, c3.

State directories are copied from one pristine directory made once per session (copying
is much faster than bootstrapping each); nodes and KubeFedClusters are written in
process, everything under test runs through the real `kubelite` command.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import T0
from tests.federation.helpers import MEMBERS, Federation


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    from kubelite.apiserver import APIServer
    from kubelite.clock import Clock, parse_time

    d = tmp_path_factory.mktemp("pristine") / "state"
    APIServer.open(d, Clock(parse_time(T0)))
    return d


@pytest.fixture
def fed(tmp_path, pristine) -> Federation:
    """Host plus c1, c2 (labels tier=gold) and c3 (tier=silver), each member with one node."""
    f = Federation(tmp_path, pristine)
    for i, name in enumerate(MEMBERS, start=1):
        f.add_member(name, i, labels={"name": name, "tier": "gold" if name != "c3" else "silver"})
    return f
