"""Time: the wall clock, how to wait on it, and the millisecond precision everything is
stored at."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sessions_core.errors import InvalidArgumentError


class StoreClock(Protocol):
    """The store's clock as seen from here: what every time the manager writes
    follows (`dynamodb.server_time`)."""

    def offset(self) -> timedelta:
        """What to add to this machine's clock to get the store's."""

    def check(self) -> None:
        """Before a revocation: refuse a clock too far from the store's (raises
        `ClockSkewError`)."""


class SameClock:
    """A store that is this process (memory): no other clock."""

    def offset(self) -> timedelta:
        """Zero."""
        return timedelta(0)

    def check(self) -> None:
        """Nothing to check."""


SAME_CLOCK = SameClock()


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


def millisecond_clock(
    clock: Callable[[], datetime], store: StoreClock = SAME_CLOCK
) -> Callable[[], datetime]:
    """``clock`` moved to ``store``'s time and truncated to milliseconds (the system
    clock in one cheaper call). The offset is whole milliseconds."""
    base = _system_clock_ms if clock is system_clock else clock
    if store is SAME_CLOCK:
        return base if clock is system_clock else lambda: truncate_ms(clock())

    def now() -> datetime:
        return truncate_ms(base() + store.offset())

    return now
