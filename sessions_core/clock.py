"""Time: the wall clock, how to wait on it, and the millisecond precision everything is
stored at."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sessions_core.errors import InvalidArgumentError


def system_clock() -> datetime:
    """The wall clock, timezone-aware UTC."""
    return datetime.now(UTC)


def system_wait(duration: timedelta) -> None:
    """Wait ``duration`` of real time (what `SessionConfig.wait` does by default)."""
    time.sleep(max(0.0, duration.total_seconds()))


def truncate_ms(moment: datetime) -> datetime:
    """Drop sub-millisecond precision: DynamoDB stores epoch milliseconds."""
    if moment.tzinfo is not UTC:
        if moment.tzinfo is None:
            raise InvalidArgumentError("the clock must return timezone-aware datetimes")
        moment = moment.astimezone(UTC)
    extra = moment.microsecond % 1000
    return moment.replace(microsecond=moment.microsecond - extra) if extra else moment


def _system_clock_ms() -> datetime:
    # One call instead of now() + replace(): validate reads the clock every time.
    return datetime.fromtimestamp(time.time_ns() // 1_000_000 / 1000, UTC)


def millisecond_clock(clock: Callable[[], datetime]) -> Callable[[], datetime]:
    """``clock`` truncated to milliseconds (the system clock in one cheaper call)."""
    if clock is system_clock:
        return _system_clock_ms

    def now() -> datetime:
        return truncate_ms(clock())

    return now
