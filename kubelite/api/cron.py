"""Cron schedules as upstream's CronJob controller reads them (robfig/cron's standard parser).

Five fields (minute hour day-of-month month day-of-week) with `*`, ranges,
lists, steps and names, plus @hourly/@daily/@midnight/@weekly/@monthly/@yearly/@annually.
When both day fields are restricted, a day matches if either does (cron's rule).
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

    def next_after(self, t: dt.datetime) -> dt.datetime | None:
        """The first scheduled minute strictly after t (None if none within 5 years)."""
        t = t.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        limit = t + dt.timedelta(days=366 * 5)
        while t < limit:
            if t.month not in self.months:
                # Jump to the first day of the next month.
                t = (t.replace(day=1, hour=0, minute=0) + dt.timedelta(days=32)).replace(day=1)
                continue
            if not self._day_ok(t):
                t = (t + dt.timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if t.hour not in self.hours:
                t = (t + dt.timedelta(hours=1)).replace(minute=0)
                continue
            if t.minute not in self.minutes:
                t += dt.timedelta(minutes=1)
                continue
            return t
        return None

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


def _field(text: str, lo: int, hi: int, names: dict[str, int], what: str) -> frozenset[int]:
    out: set[int] = set()
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
        elif "-" in part:
            x, y = part.split("-", 1)
            a, b = _value(x, lo, hi, names, what), _value(y, lo, hi, names, what)
            if a > b:
                raise ValueError(f"beginning of range ({a}) beyond end of range ({b}): {part}")
        else:
            a = _value(part, lo, hi, names, what)
            b = hi if stepped else a
        out.update(range(a, b + 1, step))
    return frozenset(out)


def parse(text: str) -> Schedule:
    spec = text.strip()
    spec = _MACROS.get(spec.lower(), spec)
    if spec.startswith("@"):
        raise ValueError(f"unrecognized descriptor: {spec}")
    parts = spec.split()
    if len(parts) != 5:
        raise ValueError(f"expected exactly 5 fields, found {len(parts)}: {text}")
    sets = [_field(p, lo, hi, names, what) for p, (what, lo, hi, names) in zip(parts, _FIELDS)]
    return Schedule(*sets, dom_star=parts[2] in ("*", "?"), dow_star=parts[4] in ("*", "?"))
