"""What a conditional write of a session item checks and sets, decided once.

Every write to an existing session (a rotation, a use, a revocation, a step-up) is a
`SessionChange`: guards that must hold on the stored item, and the fields it sets.
The rules build them here; each store only applies them (the in-memory store by
evaluating the guards on its copy, the DynamoDB store by compiling them into one
conditional UpdateItem), so the two cannot disagree on what a write means.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sessions_core.models import RevokedReason, Session
from sessions_core.records import Presented


class Guard(NamedTuple):
    """One condition on the stored session.

    ``kind`` is ``exists``, ``not_revoked``, ``equals`` (``field`` holds ``value``;
    a None value: the field is unset) or ``expires_after`` (``expires_at`` is later
    than ``value``).
    """

    kind: str
    field: str = ""
    value: Any = None


EXISTS = Guard("exists")
NOT_REVOKED = Guard("not_revoked")


def equals(name: str, value: Any) -> Guard:
    """The stored ``name`` is still ``value`` (None: still unset)."""
    return Guard("equals", name, value)


def expires_after(moment: datetime) -> Guard:
    """The session has not expired by ``moment``."""
    return Guard("expires_after", "expires_at", moment)


@dataclass(frozen=True)
class SessionChange:
    """A conditional change of one session: every guard must hold, then ``sets``
    (Session field name -> value) is written. What the caller needs back: the item as
    written (``new``), and, when a guard fails, the item as it stands (``current``)."""

    guards: tuple[Guard, ...]
    sets: Mapping[str, Any] = field(default_factory=dict)
    new: bool = False
    current: bool = False


class Applied(NamedTuple):
    """The outcome of a change: whether it was written, and the session as written
    (when asked for) or as it stood when a guard failed (None: there is none)."""

    applied: bool
    current: Session | None


def holds(guard: Guard, session: Session | None) -> bool:
    """Whether ``guard`` holds on ``session`` (None: no item)."""
    if session is None:
        return False
    if guard.kind == "not_revoked":
        return session.revoked_at is None
    if guard.kind == "equals":
        return bool(getattr(session, guard.field) == guard.value)
    if guard.kind == "expires_after":
        return bool(session.expires_at > guard.value)
    return True  # exists


def applied_to(session: Session, change: SessionChange) -> Session:
    """``session`` as ``change`` leaves it."""
    return session.model_copy(update=dict(change.sets))


def seen_from(presented: Presented) -> dict[str, Any]:
    """What a use of a session records about where it came from: what is known."""
    found: dict[str, Any] = {}
    if presented.ip_address:
        found["ip_address"] = presented.ip_address
    if presented.country:
        found["country"] = presented.country
    return found


def revocation(
    at: datetime, reason: RevokedReason, *, live_at: datetime | None = None, by: str | None = None
) -> SessionChange:
    """The tombstone: the session exists and is not revoked yet (a later revocation
    never overwrites the first one's reason) and, given ``live_at``, has not expired by
    then. ``by`` names the marker that caused it, if one did."""
    guards = (EXISTS, NOT_REVOKED) + ((expires_after(live_at),) if live_at else ())
    sets: dict[str, Any] = {"revoked_at": at, "revoked_reason": reason}
    if by is not None:
        sets["revoked_by"] = by
    return SessionChange(guards, sets, new=True)


def reauthentication(at: datetime, aal: int | None) -> SessionChange:
    """The user proved who they are at ``at`` (at ``aal``, given): the session exists,
    is not revoked and has not expired by then."""
    sets: dict[str, Any] = {"authenticated_at": at}
    if aal is not None:
        sets["aal"] = aal
    return SessionChange((EXISTS, NOT_REVOKED, expires_after(at)), sets, new=True, current=True)


def rotation(current: Session, successor: Session, seen: Mapping[str, Any]) -> SessionChange:
    """``current`` rotated into ``successor`` (`rules.rotated`): guarded by the token
    hash it replaces (concurrent refreshes of one token rotate once) and "not revoked".
    The item as it stands comes back when the guard fails (another refresh won)."""
    sets = {
        "token_hash": successor.token_hash,
        "generation": successor.generation,
        "rotated_at": successor.rotated_at,
        "last_active_at": successor.last_active_at,
        "expires_at": successor.expires_at,
        **seen,
    }
    if successor.retired != current.retired:
        sets["retired"] = successor.retired
    return SessionChange(
        (equals("token_hash", current.token_hash), NOT_REVOKED), sets, current=True
    )


def use(
    current: Session, at: datetime, seen: Mapping[str, Any], expires_at: datetime | None
) -> SessionChange:
    """A use of ``current`` written down at ``at`` (and, with ``expires_at``, its
    sliding extension): guarded by what was read, so concurrent uses write once."""
    guards = [EXISTS, NOT_REVOKED, equals("last_active_at", current.last_active_at)]
    sets: dict[str, Any] = {"last_active_at": at, **seen}
    if expires_at is not None:
        guards.append(equals("expires_at", current.expires_at))
        sets["expires_at"] = expires_at
    return SessionChange(tuple(guards), sets)
