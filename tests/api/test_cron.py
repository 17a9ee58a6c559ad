"""CronJob schedules as robfig/cron's standard parser (vendored by Kubernetes) reads them."""
from __future__ import annotations

import datetime as dt

import pytest

from kubelite.api.cron import parse

UTC = dt.timezone.utc
R60, R24 = frozenset(range(60)), frozenset(range(24))
DAYS, MONTHS, WEEK = frozenset(range(1, 32)), frozenset(range(1, 13)), frozenset(range(7))


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("spec, minutes, hours, days, months, weekdays", [
    ("* * * * *", R60, R24, DAYS, MONTHS, WEEK),
    ("*/15 * * * *", {0, 15, 30, 45}, R24, DAYS, MONTHS, WEEK),
    ("5/15 * * * *", {5, 20, 35, 50}, R24, DAYS, MONTHS, WEEK),
    ("0 9-17 * * 1-5", {0}, set(range(9, 18)), DAYS, MONTHS, {1, 2, 3, 4, 5}),
    ("0 0 1,15 * *", {0}, {0}, {1, 15}, MONTHS, WEEK),
    ("0-10/5 0 * * *", {0, 5, 10}, {0}, DAYS, MONTHS, WEEK),
    ("0 0 * jan,JUL *", {0}, {0}, DAYS, {1, 7}, WEEK),
    ("0 0 * * sun,Sat", {0}, {0}, DAYS, MONTHS, {0, 6}),
    ("0 0 * * mon-fri", {0}, {0}, DAYS, MONTHS, {1, 2, 3, 4, 5}),
    ("0 0 ? * *", {0}, {0}, DAYS, MONTHS, WEEK),
    ("59 23 31 12 6", {59}, {23}, {31}, {12}, {6}),
    ("  0 0 * * *  ", {0}, {0}, DAYS, MONTHS, WEEK),
])
def test_five_field_schedules_parse_into_sets(spec, minutes, hours, days, months, weekdays):
    s = parse(spec)
    assert (s.minutes, s.hours, s.days, s.months, s.weekdays) == (minutes, hours, days, months, weekdays)


@pytest.mark.parametrize("macro, same_as", [
    ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"), ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"), ("@HOURLY", "0 * * * *"),
])
def test_descriptors_mean_their_five_field_schedules(macro, same_as):
    assert parse(macro) == parse(same_as)


@pytest.mark.parametrize("spec", [
    "", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 13 *",
    "* * * * 7", "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "1,,2 * * * *", "* * * foo *",
    "@reboot", "@every", "TZ=UTC 0 * * * *",
])
def test_invalid_schedules_are_refused(spec):
    with pytest.raises(ValueError):
        parse(spec)


def test_when_both_day_fields_are_restricted_either_may_match():
    s = parse("0 0 13 * 5")  # the 13th, or any Friday
    assert s.matches(t("2026-02-13 00:00"))  # a Friday the 13th
    assert s.matches(t("2026-03-13 00:00"))  # a Friday too... and the 13th
    assert s.matches(t("2026-01-13 00:00"))  # a Tuesday the 13th
    assert s.matches(t("2026-01-02 00:00"))  # a Friday
    assert not s.matches(t("2026-01-03 00:00"))


def test_when_one_day_field_is_a_star_both_must_match():
    s = parse("0 0 * * 1")
    assert s.matches(t("2026-01-05 00:00"))  # Monday
    assert not s.matches(t("2026-01-06 00:00"))


@pytest.mark.parametrize("spec, after, expected", [
    ("*/15 * * * *", "2026-01-01 10:07", "2026-01-01 10:15"),
    ("*/15 * * * *", "2026-01-01 10:15", "2026-01-01 10:30"),
    ("0 * * * *", "2026-01-01 10:59:59", "2026-01-01 11:00"),
    ("0 0 * * *", "2026-12-31 23:59", "2027-01-01 00:00"),
    ("30 2 * * 1", "2026-01-01 00:00", "2026-01-05 02:30"),
    ("0 0 29 2 *", "2026-01-01 00:00", "2028-02-29 00:00"),
    ("0 0 1 */3 *", "2026-02-10 00:00", "2026-04-01 00:00"),
])
def test_next_after_finds_the_first_scheduled_minute_strictly_later(spec, after, expected):
    assert parse(spec).next_after(t(after)) == t(expected)


def test_an_impossible_date_has_no_next_time():
    assert parse("0 0 31 2 *").next_after(t("2026-01-01 00:00")) is None
