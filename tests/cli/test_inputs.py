"""Flags every verb shares the parsing of: durations read as kubectl reads them."""
from __future__ import annotations

import pytest

from tests.conftest import one_line


@pytest.mark.parametrize("args, flag", [
    (["wait", "--for=condition=Available", "deploy/web", "--timeout=soon"], "--timeout"),
    (["drain", "node-1", "--timeout=soon"], "--timeout"),
    (["rollout", "status", "deploy/web", "--timeout=soon"], "--timeout"),
    (["serve", "--reconcile-interval=soon"], "--reconcile-interval"),
])
def test_a_bad_duration_is_refused_with_kubectls_flag_message(kl, args, flag):
    rc, out, err = kl(args)
    assert (rc, out) == (1, "")
    assert one_line(err) == f'error: invalid argument "soon" for "{flag}" flag: time: invalid duration "soon"'

