"""`SessionConfig`: everything a `SessionManager` is told rather than decides."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sessions_core.errors import InvalidArgumentError
from sessions_core.keys import KeyRing, default_key_ring

if TYPE_CHECKING:
    from sessions_core.store import SessionStore

# DynamoDB-friendly ceiling on one session's window; a revocation marker lives this
# long, so nothing created before it can outlive it.
MAX_EXPIRES_IN = timedelta(days=400)
DEFAULT_EXPIRES_IN = timedelta(hours=24)
DEFAULT_REFRESH_GRACE = timedelta(seconds=30)
# Rule 14: an absolute timeout by default, whatever sliding and refresh do.
DEFAULT_MAX_LIFETIME = timedelta(days=30)


def system_clock() -> datetime:
    """The wall clock, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class SessionConfig:
    """Configuration of a `SessionManager`.

    Attributes:
        store: where sessions live (`InMemorySessionStore` or `DynamoDBSessionStore`).
        default_expires_in: lifetime when `create` is not given one (24 h).
        prefix: namespace of the stored keys, so several apps can share one table.
        bind_to_user_agent: bind each session to the agent that created it.
        max_lifetime: absolute timeout after creation (30 days); refresh and sliding
            never pass it. ``None`` turns it off, explicitly.
        clock: the only source of time (tests inject a fixed one).
        secret_key: the per-deployment key (rule 12): a `KeyRing`, or its text. It
            keys token successors and the user-derived part of session ids; keep it
            outside the table. Absent: the local key file (`keys.local_key_ring`).
        refresh_grace: how long a rotated-out token still validates and re-refreshes
            to the same successor (two tabs refreshing at once).
        read_only: validate never writes: no sliding extension, and a replayed token
            is refused without revoking the session (for a read-only authorizer; the
            next API call does the write).
        observer: called with an event name (``reuse_detected``, ``sliding_extended``)
            when the manager does something a caller may want to count; never given a
            token.

    Raises:
        InvalidArgumentError: a duration out of range or an empty prefix.
    """

    store: SessionStore
    default_expires_in: timedelta = DEFAULT_EXPIRES_IN
    prefix: str = "session:"
    bind_to_user_agent: bool = False
    max_lifetime: timedelta | None = DEFAULT_MAX_LIFETIME
    clock: Callable[[], datetime] | None = None
    secret_key: KeyRing | str | None = field(default=None, repr=False)
    refresh_grace: timedelta = DEFAULT_REFRESH_GRACE
    read_only: bool = False
    observer: Callable[[str], None] | None = None
    now: Callable[[], datetime] = field(init=False, repr=False)
    keys: KeyRing = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_lifetime(self.default_expires_in, "default_expires_in")
        if self.max_lifetime is not None and self.max_lifetime <= timedelta(0):
            raise InvalidArgumentError("max_lifetime must be positive")
        if self.refresh_grace < timedelta(0):
            raise InvalidArgumentError("refresh_grace must not be negative")
        if not self.prefix or len(self.prefix) > 64:
            raise InvalidArgumentError("prefix must be 1 to 64 characters")
        object.__setattr__(self, "now", _millisecond_clock(self.clock or system_clock))
        secret = self.secret_key
        keys = KeyRing.from_text(secret) if isinstance(secret, str) else secret
        object.__setattr__(self, "keys", keys or default_key_ring())


def check_lifetime(value: timedelta, name: str = "expires_in") -> None:
    """Refuse a lifetime that is not positive or exceeds `MAX_EXPIRES_IN`.

    Raises:
        InvalidArgumentError: when out of range.
    """
    if not isinstance(value, timedelta):
        raise InvalidArgumentError(f"{name} must be a datetime.timedelta")
    if value <= timedelta(0) or value > MAX_EXPIRES_IN:
        raise InvalidArgumentError(f"{name} must be more than 0 and at most 400 days")


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


def _millisecond_clock(clock: Callable[[], datetime]) -> Callable[[], datetime]:
    if clock is system_clock:
        return _system_clock_ms

    def now() -> datetime:
        return truncate_ms(clock())

    return now
