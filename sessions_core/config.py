"""`SessionConfig`: everything a `SessionManager` is told rather than decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, get_args

from sessions_core.clock import millisecond_clock, system_clock, system_wait
from sessions_core.errors import InvalidArgumentError
from sessions_core.keys import KeyRing, default_key_ring
from sessions_core.limits import check_lifetime

if TYPE_CHECKING:
    from sessions_core.store import SessionStore
    from sessions_core.token_service import AccessTokens

DEFAULT_PREFIX = "session:"
# Partitions of the table's expiry index (see `dynamodb.layout.Layout`).
DEFAULT_EXPIRY_SHARDS = 8
DEFAULT_EXPIRES_IN = timedelta(hours=24)
DEFAULT_REFRESH_GRACE = timedelta(seconds=30)
# Rule 14: an absolute timeout by default, whatever sliding and refresh do.
DEFAULT_MAX_LIFETIME = timedelta(days=30)
DEFAULT_ACTIVITY_RESOLUTION = timedelta(minutes=10)
DEFAULT_ACTIVITY_RETENTION = timedelta(days=90)
DEFAULT_REAUTHENTICATION_MAX_AGE = timedelta(minutes=15)
# One BatchGetItem reads every admitted session when the limit is reached.
MAX_SESSIONS_LIMIT = 100

LimitPolicy = Literal["evict_oldest", "deny"]


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
        clock: the only source of time (tests inject a fixed one), moved to the
            store's time when that is a second or more away (`dynamodb.server_time`).
        wait: how to let time pass (waiting for the user index to catch up in an
            erasure, backing off under contention); with an injected clock, what
            moves it. Default: sleep.
        secret_key: the per-deployment key (rule 12): a `KeyRing`, or its text. It
            keys token successors and the user-derived part of session ids; keep it
            outside the table. Absent: the local key file (`keys.local_key_ring`).
        refresh_grace: how long a rotated-out token still validates and re-refreshes
            to the same successor (two tabs refreshing at once).
        read_only: validate never writes: no sliding extension, and a replayed token
            is refused without revoking the session (for a read-only authorizer; the
            next API call does the write).
        observer: called with an event name (``reuse_detected``, ``sliding_extended``,
            ``session_evicted``) when the manager does something a caller may want to
            count; never given a token.
        activity_resolution: how often validate writes ``last_active_at`` (and where
            the session was used from): at most once per this (10 minutes), folded into
            a sliding extension's write. None: never.
        max_sessions_per_user: the per-user limit (None: none; at most 100). It holds
            under concurrent logins; sessions created without it are not counted.
        on_session_limit: at the limit, ``evict_oldest`` revokes the least recently
            active session (reason ``session_limit``); ``deny`` refuses the create
            (`SessionLimitError`).
        activity_retention: how long a user's activity is kept and listed (90 days).
        reauthentication_max_age: how recently the user must have proved who they are
            for a sensitive action (`SessionManager.recently_authenticated`): 15
            minutes; None turns the check off.
        access_tokens: issuing and verifying access tokens (`token_service`): their
            policy (issuer, audiences), key set and signers. None: not configured.

    Raises:
        InvalidArgumentError: a duration out of range or an empty prefix.
    """

    store: SessionStore
    default_expires_in: timedelta = DEFAULT_EXPIRES_IN
    prefix: str = DEFAULT_PREFIX
    bind_to_user_agent: bool = False
    max_lifetime: timedelta | None = DEFAULT_MAX_LIFETIME
    clock: Callable[[], datetime] | None = None
    wait: Callable[[timedelta], None] = system_wait
    secret_key: KeyRing | str | None = field(default=None, repr=False)
    refresh_grace: timedelta = DEFAULT_REFRESH_GRACE
    read_only: bool = False
    observer: Callable[[str], None] | None = None
    activity_resolution: timedelta | None = DEFAULT_ACTIVITY_RESOLUTION
    max_sessions_per_user: int | None = None
    on_session_limit: LimitPolicy = "evict_oldest"
    activity_retention: timedelta = DEFAULT_ACTIVITY_RETENTION
    reauthentication_max_age: timedelta | None = DEFAULT_REAUTHENTICATION_MAX_AGE
    access_tokens: AccessTokens | None = field(default=None, repr=False)
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
        if self.activity_resolution is not None and self.activity_resolution < timedelta(0):
            raise InvalidArgumentError("activity_resolution must not be negative")
        limit = self.max_sessions_per_user
        if limit is not None and (type(limit) is not int or not 1 <= limit <= MAX_SESSIONS_LIMIT):
            raise InvalidArgumentError(
                f"max_sessions_per_user must be an integer from 1 to {MAX_SESSIONS_LIMIT}"
            )
        if self.on_session_limit not in get_args(LimitPolicy):
            raise InvalidArgumentError("on_session_limit must be evict_oldest or deny")
        secret = self.secret_key
        keys = (
            KeyRing.from_text(secret, source="SessionConfig.secret_key")
            if isinstance(secret, str)
            else secret
        )
        object.__setattr__(self, "keys", keys or default_key_ring())
        # The prefix is set once, here: every store call then goes through this view.
        object.__setattr__(self, "namespaced_store", self.store.with_prefix(self.prefix))
        # Every time the manager writes is the store's: a revoker whose clock is off
        # would otherwise file revocations and marks at the wrong moment.
        server = self.namespaced_store.server_clock
        object.__setattr__(self, "now", millisecond_clock(self.clock or system_clock, server))

    def notify(self, event: str) -> None:
        """Tell the observer, if any, what just happened (an event name, never a token)."""
        if self.observer is not None:
            self.observer(event)
