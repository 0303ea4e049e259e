"""The small values the store contract trades in: marks, admissions, reads, writes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sessions_core.models import Session


@dataclass(frozen=True)
class RevocationMarker:
    """A user's "revoked before" mark, written by `destroy_all_for_user`.

    Every session of the user created before ``revoked_before`` is revoked, except
    ``keep_session_id`` (the caller's own session in "sign out everywhere else"). It
    catches sessions the user index does not show yet. ``id`` names the call that wrote
    it: the tombstones it causes carry it, so that call counts them as its own.
    """

    revoked_before: datetime
    keep_session_id: str | None = None
    id: str | None = None

    def revokes(self, session: Session) -> bool:
        """True when this marker revokes ``session``."""
        return session.created_at < self.revoked_before and session.id != self.keep_session_id


@dataclass(frozen=True)
class Admitted:
    """A session admitted under its user's limit, as the per-user item remembers it:
    enough to drop it without reading it once it is surely over."""

    created_at: datetime
    # The expiry it was created with: past it the session may have ended (or slid on:
    # only a read tells).
    expires_at: datetime
    # Its absolute timeout: past it the session has surely ended.
    absolute_expires_at: datetime | None


@dataclass(frozen=True)
class Admission:
    """The sessions a user has admitted under the per-user limit, and the version a
    conditional write must find to replace them (a new one on every write)."""

    version: str
    sessions: Mapping[str, Admitted] = field(default_factory=dict)


@dataclass(frozen=True)
class AdmissionWrite:
    """A replacement of a user's admitted sessions, and what it must find to be written:
    the version it read (None: nothing admitted yet) and no erasure of the user after
    ``not_erased_since``. The per-user item then lives at least until ``expires_at``."""

    admission: Admission
    expected: str | None
    expires_at: datetime
    not_erased_since: datetime


@dataclass(frozen=True)
class UserState:
    """One user's slot in the per-user item."""

    marker: RevocationMarker | None = None
    admission: Admission | None = None
    # When the user was erased (`SessionManager.erase_user`), if ever: nothing that
    # happened before it may come back (no late event, no activity).
    erased_at: datetime | None = None

    def admits(self, session: Session) -> bool:
        """False for a session created under the limit that is no longer admitted
        (evicted, released, or never admitted because its create did not finish)."""
        if not session.limited:
            return True
        return self.admission is not None and session.id in self.admission.sessions


NO_USER = UserState()


class Loaded(NamedTuple):
    """A session read together with its per-user item (one request).

    ``users`` holds every user's slot in that item by tag: users whose keyed hashes
    share a location share the item, and only the manager (which holds the key)
    knows which tag is the session's user's.
    """

    session: Session | None
    users: Mapping[str, UserState] = {}


@dataclass(frozen=True)
class Presented:
    """Where a token was presented from: the user agent (checked against a bound
    session's), and the address and country a use records."""

    user_agent: str | None = None
    ip_address: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Window:
    """Sign-in attempts counted in one window: since when, and how many."""

    start: datetime
    count: int


@dataclass(frozen=True)
class LoginAttempts:
    """Sign-in attempts for one user name: all addresses together (``window``) and per
    client address (``addresses``, by the address's keyed hash). ``version`` changes on
    every write: a write is conditional on the version it read."""

    window: Window
    addresses: Mapping[str, Window] = field(default_factory=dict)
    version: str = ""


class SessionIdTakenError(Exception):
    """Internal: an insert met an existing id (the manager retries with a new id)."""


# A change of the sign-in attempts of a name: the attempts as read -> as they become
# (None: no change), and what such a change leaves (the attempts, whether written).
AttemptsChange = Callable[[LoginAttempts | None], LoginAttempts | None]
AttemptsChanged = tuple[LoginAttempts | None, bool]
