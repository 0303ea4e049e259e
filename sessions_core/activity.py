"""Activity: every change of a session as one event, derived from the change itself.

`translate` turns (the session before, the session after) into at most one
`ActivityEvent`. DynamoDB's stream feeds it on AWS (``handlers/events.py``); the
in-memory store feeds it synchronously on each write. Sliding and activity writes are
not events; a token, a hash or a key never is part of one. ``at`` is when the change
happened (for ``session.expired``, the session's own expiry), so a stream record
delivered twice yields the same event, with the same ``id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from sessions_core.models import MODEL_CONFIG, Device, RevokedReason, Session, UtcDatetime

EventType = Literal[
    "session.created",
    "session.refreshed",
    "session.reauthenticated",
    "session.revoked",
    "session.expired",
]


class ActivityEvent(BaseModel):
    """One change of one session, as the user's security log and EventBridge see it."""

    model_config = MODEL_CONFIG

    type: EventType
    session_id: str
    user_id: str
    at: UtcDatetime
    reason: RevokedReason | None = None
    device: Device | None = None
    ip_address: str | None = None
    country: str | None = None
    # When the session itself was created: an erasure drops every later change of the
    # sessions it erased, whenever it reaches the events function.
    session_created_at: UtcDatetime | None = Field(default=None, exclude=True)

    @property
    def id(self) -> str:
        """The same for every delivery of the same change (dedupe key)."""
        return f"{self.session_id}:{self.type}:{int(self.at.timestamp() * 1000)}"


def translate(
    old: Session | None, new: Session | None, *, removed_at: datetime | None = None
) -> ActivityEvent | None:
    """The event a change of a session item means, or None (sliding, activity, a
    tombstone's removal, the removal of a live session by erasure).

    ``removed_at`` is when a removal happened (the stream record's time): a session
    removed at or after its expiry, without having been revoked, expired.
    """
    if new is None:
        if old is None or old.revoked_at is not None:
            return None
        if removed_at is not None and removed_at < old.expires_at:
            return None  # removed while still live: erasure, not expiry
        return _event("session.expired", old, old.expires_at)
    if old is None:
        return _event("session.created", new, new.created_at)
    if old.revoked_at is None and new.revoked_at is not None:
        return _event("session.revoked", new, new.revoked_at, reason=new.revoked_reason)
    if old.token_hash != new.token_hash and new.rotated_at is not None:
        return _event("session.refreshed", new, new.rotated_at)
    if old.authenticated_at != new.authenticated_at and new.authenticated_at is not None:
        return _event("session.reauthenticated", new, new.authenticated_at)
    return None


def _event(
    kind: EventType, session: Session, at: datetime, reason: RevokedReason | None = None
) -> ActivityEvent:
    return ActivityEvent.model_construct(
        type=kind,
        session_id=session.id,
        user_id=session.user_id,
        at=at,
        reason=reason,
        device=session.device,
        ip_address=session.ip_address,
        country=session.country,
        session_created_at=session.created_at,
    )
