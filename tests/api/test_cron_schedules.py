"""Table tests: CronJob schedule arithmetic (robfig/cron's Next, time zones, upstream's
mostRecentScheduleTime, the Job name and timestamp) and the completedIndexes intervals."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kubelite.api import cron
from kubelite.controllers import cronjob, job

UTC = dt.timezone.utc
NY, TOKYO, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo"), ZoneInfo("Europe/Berlin")


def t(text: str, tz: dt.tzinfo = UTC) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


# -- schedules ------------------------------------------------------------------------

@pytest.mark.parametrize("spec, after, expected", [
    ("*/5 * * * *", "2026-01-01 10:00:30", "2026-01-01 10:05"),
    ("*/5 * * * *", "2026-01-01 10:05", "2026-01-01 10:10"),        # strictly after
    ("*/5 * * * *", "2026-01-01 10:04:59.900", "2026-01-01 10:05"),  # sub-second rounds up
    ("@hourly", "2026-01-01 10:00", "2026-01-01 11:00"),
    ("@daily", "2026-01-01 10:00", "2026-01-02 00:00"),
    ("@weekly", "2026-01-01 10:00", "2026-01-04 00:00"),           # the next Sunday
    ("@monthly", "2026-01-31 10:00", "2026-02-01 00:00"),
    ("@yearly", "2026-01-01 00:00", "2027-01-01 00:00"),
    ("0 9-17/4 * * mon-fri", "2026-01-02 13:00", "2026-01-02 17:00"),  # a Friday
    ("0 9-17/4 * * mon-fri", "2026-01-02 17:00", "2026-01-05 09:00"),  # ... then Monday
    ("0 0 1,15 * *", "2026-01-01 00:00", "2026-01-15 00:00"),
    ("0 0 31 * *", "2026-02-01 00:00", "2026-03-31 00:00"),          # months without a 31st skipped
    ("0 0 29 2 *", "2026-01-01 00:00", "2028-02-29 00:00"),
    ("0 0 13 * 5", "2026-01-02 00:00", "2026-01-09 00:00"),          # a Friday or the 13th
    ("0 0 */1 * 1", "2026-01-02 00:00", "2026-01-05 00:00"),         # */1 is a star: Mondays only
    ("0 0 */2 * 1", "2026-01-02 00:00", "2026-01-03 00:00"),         # */2 is not: odd days or Mondays
])
def test_next_after_in_utc(spec, after, expected):
    assert cron.parse(spec).next_after(t(after), UTC) == t(expected)


def test_a_date_that_never_comes_has_no_next_time():
    assert cron.parse("0 0 30 2 *").next_after(t("2026-01-01 00:00"), UTC) is None


@pytest.mark.parametrize("spec, tz, after, expected_local", [
    ("0 9 * * *", TOKYO, "2025-12-31 23:59:59", "2026-01-01 09:00"),
    ("0 9 * * *", TOKYO, "2026-01-01 00:00", "2026-01-02 09:00"),      # 09:00 JST is 00:00 UTC
    ("0 9 * * *", BERLIN, "2026-07-01 12:00", "2026-07-02 09:00"),
    ("30 2 * * *", NY, "2026-03-07 12:00", "2026-03-09 02:30"),        # 02:30 on 8 March does not exist
    ("0 0 * * *", NY, "2026-03-07 12:00", "2026-03-08 00:00"),
])
def test_next_after_reads_the_schedule_in_the_time_zone(spec, tz, after, expected_local):
    got = cron.parse(spec).next_after(t(after), tz)
    assert got.tzinfo == UTC
    assert got.astimezone(tz).replace(tzinfo=None) == dt.datetime.fromisoformat(expected_local)


def test_a_repeated_hour_in_the_fall_runs_at_each_occurrence():
    s = cron.parse("30 1 * * *")
    first = s.next_after(t("2026-10-31 12:00"), NY)
    second = s.next_after(first, NY)
    assert (second - first) == dt.timedelta(hours=1)
    assert first.astimezone(NY).hour == second.astimezone(NY).hour == 1


@pytest.mark.parametrize("spec, earliest, now, expected, missed", [
    ("*/5 * * * *", "2026-01-01 10:00:30", "2026-01-01 10:03", None, 0),                   # nothing due yet
    ("*/5 * * * *", "2026-01-01 10:00:30", "2026-01-01 10:05", "2026-01-01 10:05", 1),     # exactly on time
    ("*/5 * * * *", "2026-01-01 10:05", "2026-01-01 10:07", None, 0),                      # already started
    ("*/5 * * * *", "2026-01-01 10:05", "2026-01-01 10:31", "2026-01-01 10:30", 5),        # the latest of five
    ("0 * * * *", "2026-01-01 00:00", "2026-01-09 00:30", "2026-01-09 00:00", 192),        # many missed
    ("0 0 1 * *", "2026-01-15 00:00", "2026-05-02 00:00", "2026-05-01 00:00", 4),          # irregular lengths
    # Irregular gaps: the time is exact, the count is upstream's estimate from the first gap (4 really).
    ("0 9,17 * * *", "2026-01-01 09:00", "2026-01-03 10:00", "2026-01-03 09:00", 3),
])
def test_most_recent_is_the_latest_due_time_and_counts_the_missed(spec, earliest, now, expected, missed):
    got, count = cron.parse(spec).most_recent(t(earliest), t(now), UTC)
    assert got == (t(expected) if expected else None)
    assert count == missed


@pytest.mark.parametrize("text, problem", [
    ("0 0 * * 7", "out of range"),
    ("*/0 * * * *", "positive"),
    ("@every 5m", "descriptor"),
    ("0 0 * *", "5 fields"),
])
def test_bad_schedules_are_refused(text, problem):
    with pytest.raises(ValueError, match=problem):
        cron.parse(text)


@pytest.mark.parametrize("name", ["", None])
def test_no_time_zone_means_utc(name):
    assert cron.zone(name) == UTC


def test_an_unknown_time_zone_is_an_error():
    with pytest.raises(ValueError, match="unknown time zone Mars/Olympus"):
        cron.zone("Mars/Olympus")


@pytest.mark.parametrize("instant, tz, text", [
    ("2026-01-02 00:05", UTC, "2026-01-02T00:05:00Z"),
    ("2026-01-02 00:05", TOKYO, "2026-01-02T09:05:00+09:00"),
    ("2026-07-02 00:05", NY, "2026-07-01T20:05:00-04:00"),
    ("2026-01-02 00:05", ZoneInfo("Europe/London"), "2026-01-02T00:05:00Z"),  # zero offset prints Z, as Go does
])
def test_scheduled_timestamps_are_rfc3339_in_the_cronjob_zone(instant, tz, text):
    assert cron.rfc3339(t(instant).astimezone(tz)) == text


@pytest.mark.parametrize("scheduled, name", [
    ("2026-01-02 15:05", "tick-29456105"),
    ("1970-01-01 00:00", "tick-0"),
    ("1970-01-01 01:00", "tick-60"),
])
def test_job_names_carry_the_scheduled_minute_since_the_epoch(scheduled, name):
    assert cronjob.job_name("tick", t(scheduled)) == name


# -- completedIndexes -------------------------------------------------------------------

@pytest.mark.parametrize("indexes, text", [
    ([], ""),
    ([0], "0"),
    ([0, 1], "0,1"),                 # two neighbours are not a range
    ([0, 1, 2, 3], "0-3"),
    ([0, 2, 3, 4, 5], "0,2-5"),
    ([5, 3, 4, 2, 0], "0,2-5"),      # order does not matter
    ([1, 1, 2], "1,2"),              # nor do repeats
    ([0, 2, 4, 6], "0,2,4,6"),
    ([7, 8, 10, 11, 12, 20], "7,8,10-12,20"),
])
def test_completed_indexes_are_written_as_intervals(indexes, text):
    assert job.compress(indexes) == text


@pytest.mark.parametrize("text, completions, intervals", [
    ("", 4, []),
    ("0-3", 4, [(0, 3)]),
    ("0,2-5", 10, [(0, 0), (2, 5)]),
    ("0,1", 4, [(0, 1)]),               # neighbours merge back into one interval
    ("1,2-3,x,5", 10, [(1, 3), (5, 5)]),  # a corrupt item is skipped
    ("0-9", 4, [(0, 3)]),               # cut at completions
    ("2,6-8", 5, [(2, 2)]),             # items past completions dropped
])
def test_completed_indexes_parse_back(text, completions, intervals):
    assert job.parse_indexes(text, completions) == intervals


@pytest.mark.parametrize("text, added, merged", [
    ("0,2-5", [1], "0-5"),
    ("0,2-5", [7], "0,2-5,7"),
    ("0,2-5", [6], "0,2-6"),
    ("", [3, 1, 2], "1-3"),
    ("3-5", [0], "0,3-5"),
])
def test_new_indexes_merge_into_the_intervals(text, added, merged):
    assert job.format_indexes(job.with_indexes(job.parse_indexes(text, 100), added)) == merged


@pytest.mark.parametrize("busy, count, completions, pending", [
    ("", 2, 4, [0, 1]),
    ("0,1", 2, 4, [2, 3]),
    ("1", 2, 4, [0, 2]),
    ("0-2", 5, 4, [3]),        # never at or past completions
    ("0,2-5", 3, 8, [1, 6, 7]),
    ("0-3", 1, 4, []),
])
def test_the_lowest_pending_indexes_come_first(busy, count, completions, pending):
    assert job.first_pending(job.parse_indexes(busy, completions), count, completions) == pending
