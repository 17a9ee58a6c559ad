"""The one clock: KUBELITE_NOW pins it; ages print as kubectl's HumanDuration."""
from __future__ import annotations

import datetime as dt

import pytest

from kubelite.clock import Clock, format_time, human_duration, parse_time, seconds_since
from kubelite.errors import UsageError


@pytest.mark.parametrize("seconds, text", [
    (0, "0s"), (-5, "0s"), (70, "70s"), (119, "119s"), (120, "2m"), (190, "3m10s"), (599, "9m59s"), (600, "10m"),
    (3 * 3600 - 1, "179m"), (3 * 3600, "3h"), (3 * 3600 + 60 * 5, "3h5m"), (10 * 3600, "10h"), (47 * 3600, "47h"),
    (2 * 86400 + 3600, "2d1h"), (2 * 86400, "2d"), (8 * 86400, "8d"), (400 * 86400, "400d"),
    (3 * 365 * 86400, "3y"), (3 * 365 * 86400 + 10 * 86400, "3y10d"), (9 * 365 * 86400, "9y"),
])
def test_durations_print_as_kubectl_prints_them(seconds, text):
    assert human_duration(seconds) == text


def test_kubelite_now_pins_the_clock():
    c = Clock.from_env({"KUBELITE_NOW": "2026-01-02T15:04:05Z"})
    assert c.stamp() == "2026-01-02T15:04:05Z"
    assert c.now() == c.now()


def test_a_bad_kubelite_now_is_a_usage_error():
    with pytest.raises(UsageError):
        Clock.from_env({"KUBELITE_NOW": "soon"})


def test_without_kubelite_now_the_clock_is_the_real_utc_time_in_whole_seconds():
    now = Clock.from_env({}).now()
    assert now.tzinfo is not None and now.microsecond == 0
    assert abs((dt.datetime.now(dt.timezone.utc) - now).total_seconds()) < 5


def test_rfc3339_times_parse_with_fractions_and_offsets_and_format_in_utc():
    assert format_time(parse_time("2026-01-02T17:04:05.123+02:00")) == "2026-01-02T15:04:05Z"
    assert format_time(parse_time("2026-01-02T15:04:05")) == "2026-01-02T15:04:05Z"
    assert seconds_since("2026-01-02T15:00:00Z", parse_time("2026-01-02T15:01:10Z")) == 70
    assert seconds_since(None, parse_time("2026-01-02T15:01:10Z")) is None
    assert seconds_since("garbage", parse_time("2026-01-02T15:01:10Z")) is None


def test_durations_parse_like_go_and_a_bare_number_is_seconds():
    from kubelite.clock import parse_duration

    assert parse_duration("30s") == 30
    assert parse_duration("1m30s") == 90
    assert parse_duration("2h") == 7200
    assert parse_duration("500ms") == 0.5
    assert parse_duration("1.5h") == 5400
    assert parse_duration("45") == 45
    for bad in ("soon", "", "5x", "s", "1m 30s", "-1s"):
        assert parse_duration(bad) is None, bad
