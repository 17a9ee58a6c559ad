"""Controller scenarios run the real CLI with every controller write checked against the schemas."""
from __future__ import annotations

import pytest

from tests.conftest import run_kubelite


@pytest.fixture
def kl(state):
    def call(args, *, stdin=None, now=None, env=None, via_env=False, cwd=None):
        return run_kubelite(args, state=state, stdin=stdin, now=now, env={"KUBELITE_STRICT": "1", **(env or {})},
                            via_env=via_env, cwd=cwd)

    return call

