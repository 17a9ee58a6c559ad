"""The one place every part of kubelite reads the time.

`KUBELITE_NOW` (RFC 3339) pins it for every command, so scenarios and tests
are deterministic.
"""
from __future__ import annotations

import re

import datetime as dt
import os

from kubelite.errors import UsageError

UTC = dt.timezone.utc


class Clock:
    def __init__(self, fixed: dt.datetime | None = None):
        self.fixed = fixed

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Clock":
        env = os.environ if env is None else env
        raw = env.get("KUBELITE_NOW")
        if raw:
            try:
                return cls(parse_time(raw))
            except ValueError:
                raise UsageError(f"KUBELITE_NOW={raw!r} is not an RFC 3339 time such as 2026-01-02T15:04:05Z") from None
        return cls()

    def now(self) -> dt.datetime:
        if self.fixed is not None:
            return self.fixed
        return dt.datetime.now(UTC).replace(microsecond=0)

    def stamp(self) -> str:
        return format_time(self.now())


def parse_time(text: str) -> dt.datetime:
    """Parse RFC 3339 (`2026-01-02T15:04:05Z`, with optional fraction or offset)."""
    t = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def format_time(t: dt.datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def seconds_since(stamp: str | None, now: dt.datetime) -> float | None:
    if not stamp:
        return None
    try:
        return (now - parse_time(stamp)).total_seconds()
    except ValueError:
        return None


def parse_duration(text: str | None) -> float | None:
    """Go's time.ParseDuration as kubectl's flags take it (`30s`, `1m30s`, `2h`, `500ms`,
    `1.5h`), with a bare number read as seconds; None for anything else."""
    text = (text or "").strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if not re.fullmatch(r"(?:\d+(?:\.\d+)?(?:ms|h|m|s))+", text):
        return None
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text))


def human_duration(seconds: float) -> str:
    """kubectl's HumanDuration: `70s`, `3m10s`, `2d1h`, `5y`."""
    s = int(seconds)
    if s < 0:
        s = 0
    if s < 60 * 2:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rem = s % 60
        return f"{minutes}m{rem}s" if rem else f"{minutes}m"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rem = minutes % 60
        return f"{hours}h{rem}m" if rem else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rem = hours % 24
        return f"{hours // 24}d{rem}h" if rem else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = hours // 24
        rem = days % 365
        return f"{days // 365}y{rem}d" if rem else f"{days // 365}y"
    return f"{hours // 24 // 365}y"
