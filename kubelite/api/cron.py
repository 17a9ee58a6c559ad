"""Cron schedules as upstream's CronJob controller reads them (robfig/cron's standard parser).

Five fields (minute hour day-of-month month day-of-week) with `*`, ranges,
lists, steps and names, plus @hourly/@daily/@midnight/@weekly/@monthly/@yearly/@annually.
When both day fields are restricted, a day matches if either does (cron's rule).
Schedules are read in a time zone (a CronJob's spec.timeZone; UTC when unset), and
`Schedule.most_recent` is upstream's mostRecentScheduleTime.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}
_MONTHS = {n: i for i, n in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DAYS = {n: i for i, n in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}), ("month", 1, 12, _MONTHS), ("day of week", 0, 6, _DAYS))


_UTC = dt.timezone.utc


def _add(t: dt.datetime, loc: dt.tzinfo | None, **delta: float) -> dt.datetime:
    """t plus a duration in absolute time (Go's Time.Add), shown in loc."""
    if loc is None or t.tzinfo is None:
        return t + dt.timedelta(**delta)
    return (t.astimezone(_UTC) + dt.timedelta(**delta)).astimezone(loc)


def _date(loc: dt.tzinfo | None, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
    """Go's time.Date: out-of-range fields carry over, and a wall time that does not exist
    in loc (a spring-forward gap) comes out shifted by the gap."""
    y += (mo - 1) // 12
    mo = (mo - 1) % 12 + 1
    wall = dt.datetime(y, mo, 1) + dt.timedelta(days=d - 1, hours=h, minutes=mi, seconds=s)
    if loc is None:
        return wall
    return wall.replace(tzinfo=loc).astimezone(_UTC).astimezone(loc)


def zone(name: str | None) -> dt.tzinfo:
    """A CronJob's spec.timeZone (an IANA name); unset means UTC, the controller's zone here.
    Raises ValueError for an unknown zone."""
    if not name:
        return _UTC
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except Exception:
        raise ValueError(f"unknown time zone {name}") from None


def rfc3339(t: dt.datetime) -> str:
    """Go's time.RFC3339 layout: `Z` for a zero offset, else `+hh:mm`."""
    t = t.replace(microsecond=0)
    off = t.utcoffset()
    if off is None or off == dt.timedelta(0):
        return t.replace(tzinfo=None).isoformat() + "Z"
    return t.isoformat()


@dataclass(frozen=True)
class Schedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    dom_star: bool
    dow_star: bool

    def matches(self, t: dt.datetime) -> bool:
        if t.minute not in self.minutes or t.hour not in self.hours or t.month not in self.months:
            return False
        dom = t.day in self.days
        dow = (t.isoweekday() % 7) in self.weekdays
        if self.dom_star or self.dow_star:
            return dom and dow
        return dom or dow

    def next_after(self, t: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime | None:
        """The first scheduled time strictly after t, or None if there is none within five years.

        A port of robfig/cron's SpecSchedule.Next, which upstream's CronJob controller uses:
        the fields are matched against wall-clock time in `tz` (the CronJob's timeZone; by
        default t's own zone, or plain wall-clock time for a naive t), while hours, minutes
        and seconds advance in absolute time. So a time in a spring-forward gap never runs
        and a time in a fall-back overlap runs at each occurrence, as with robfig/cron.
        The result is in t's zone.
        """
        orig = t.tzinfo
        loc = tz if tz is not None else orig
        if tz is not None:
            t = t.astimezone(tz)
        t = _add(t.replace(microsecond=0), loc, seconds=1)
        added = False
        year_limit = t.year + 5
        while True:  # robfig's WRAP
            if t.year > year_limit:
                return None
            wrapped = False
            while t.month not in self.months:
                if not added:
                    added = True
                    t = _date(loc, t.year, t.month, 1)
                t = _date(loc, t.year, t.month + 1, t.day, t.hour, t.minute, t.second)
                if t.month == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not self._day_ok(t):
                if not added:
                    added = True
                    t = _date(loc, t.year, t.month, t.day)
                t = _date(loc, t.year, t.month, t.day + 1, t.hour, t.minute, t.second)
                # Midnight may not exist on a DST day: snap back to it.
                if t.hour != 0:
                    t = _add(t, loc, hours=24 - t.hour) if t.hour > 12 else _add(t, loc, hours=-t.hour)
                if t.day == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while t.hour not in self.hours:
                if not added:
                    added = True
                    t = t.replace(minute=0, second=0)
                t = _add(t, loc, hours=1)
                if t.hour == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while t.minute not in self.minutes:
                if not added:
                    added = True
                    t = t.replace(second=0)
                t = _add(t, loc, minutes=1)
                if t.minute == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while t.second != 0:  # the standard parser's seconds field is always 0
                if not added:
                    added = True
                t = _add(t, loc, seconds=1)
                if t.second == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            return t.astimezone(orig) if (orig is not None and tz is not None) else t

    def most_recent(self, earliest: dt.datetime, now: dt.datetime, tz: dt.tzinfo | None = None) -> tuple[dt.datetime | None, int]:
        """(the latest scheduled time in (earliest, now], how many fell due), as upstream's
        mostRecentScheduleTime: None when nothing is due yet. The count is upstream's
        estimate from the first interval; past 100 it is "too many missed start times"."""
        t1 = self.next_after(earliest, tz)
        if t1 is None or now < t1:
            return None, 0
        t2 = self.next_after(t1, tz)
        if t2 is None or now < t2:
            return t1, 1
        between = round((t2 - t1).total_seconds())
        if between < 1:
            return None, 0
        missed = int((now - t1).total_seconds()) // between + 1
        # Walk from t1 when that is cheap (exact for irregular schedules); otherwise jump
        # close to now first, as upstream does, so a clock decades off costs nothing.
        start = t1 if missed <= 1000 else t1 + dt.timedelta(seconds=(missed - 2) * between)
        latest = t1 if start is t1 else None
        t = self.next_after(start, tz)
        while t is not None and t <= now:
            latest = t
            t = self.next_after(t, tz)
        return latest, missed

    def _day_ok(self, t: dt.datetime) -> bool:
        dom = t.day in self.days
        dow = (t.isoweekday() % 7) in self.weekdays
        if self.dom_star or self.dow_star:
            return dom and dow
        return dom or dow


def _value(tok: str, lo: int, hi: int, names: dict[str, int], what: str) -> int:
    low = tok.lower()
    if low in names:
        return names[low]
    try:
        v = int(tok)
    except ValueError:
        raise ValueError(f"failed to parse int from {tok}: invalid {what}") from None
    if not lo <= v <= hi:
        raise ValueError(f"{what} value {v} out of range ({lo}-{hi})")
    return v


def _field(text: str, lo: int, hi: int, names: dict[str, int], what: str) -> tuple[frozenset[int], bool]:
    """The values a field allows, and robfig's "star bit": whether some list item is `*` or
    `?` with no step above 1 (it decides how the two day fields combine)."""
    out: set[int] = set()
    star = False
    for part in text.split(","):
        if not part:
            raise ValueError(f"empty {what} list item")
        step = 1
        stepped = "/" in part
        if stepped:
            part, step_s = part.split("/", 1)
            try:
                step = int(step_s)
            except ValueError:
                raise ValueError(f"failed to parse int from {step_s}: invalid step") from None
            if step <= 0:
                raise ValueError(f"step of {what} must be positive")
        if part in ("*", "?"):
            a, b = lo, hi
            star = star or step <= 1
        elif "-" in part:
            x, y = part.split("-", 1)
            a, b = _value(x, lo, hi, names, what), _value(y, lo, hi, names, what)
            if a > b:
                raise ValueError(f"beginning of range ({a}) beyond end of range ({b}): {part}")
        else:
            a = _value(part, lo, hi, names, what)
            b = hi if stepped else a
        out.update(range(a, b + 1, step))
    return frozenset(out), star


def parse(text: str) -> Schedule:
    spec = text.strip()
    spec = _MACROS.get(spec.lower(), spec)
    if spec.startswith("@"):
        raise ValueError(f"unrecognized descriptor: {spec}")
    parts = spec.split()
    if len(parts) != 5:
        raise ValueError(f"expected exactly 5 fields, found {len(parts)}: {text}")
    fields = [_field(p, lo, hi, names, what) for p, (what, lo, hi, names) in zip(parts, _FIELDS)]
    return Schedule(*(f[0] for f in fields), dom_star=fields[2][1], dow_star=fields[4][1])
