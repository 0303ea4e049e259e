"""`SessionConfig`: everything a `SessionManager` is told rather than decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sessions_core.clock import millisecond_clock, system_clock
from sessions_core.errors import InvalidArgumentError
from sessions_core.keys import KeyRing, default_key_ring
from sessions_core.limits import check_lifetime

if TYPE_CHECKING:
    from sessions_core.store import SessionStore

DEFAULT_EXPIRES_IN = timedelta(hours=24)
DEFAULT_REFRESH_GRACE = timedelta(seconds=30)
# Rule 14: an absolute timeout by default, whatever sliding and refresh do.
DEFAULT_MAX_LIFETIME = timedelta(days=30)


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
    namespaced_store: SessionStore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_lifetime(self.default_expires_in, "default_expires_in")
        if self.max_lifetime is not None and self.max_lifetime <= timedelta(0):
            raise InvalidArgumentError("max_lifetime must be positive")
        if self.refresh_grace < timedelta(0):
            raise InvalidArgumentError("refresh_grace must not be negative")
        if not self.prefix or len(self.prefix) > 64:
            raise InvalidArgumentError("prefix must be 1 to 64 characters")
        object.__setattr__(self, "now", millisecond_clock(self.clock or system_clock))
        secret = self.secret_key
        keys = KeyRing.from_text(secret) if isinstance(secret, str) else secret
        object.__setattr__(self, "keys", keys or default_key_ring())
        # The prefix is set once, here: every store call then goes through this view.
        object.__setattr__(self, "namespaced_store", self.store.with_prefix(self.prefix))
