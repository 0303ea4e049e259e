"""Revoking one session: the tombstone, written through any store."""

from __future__ import annotations

from datetime import datetime

from sessions_core.changes import revocation
from sessions_core.models import RevokedReason, Session
from sessions_core.store import SessionStore


def revoke(
    store: SessionStore,
    session_id: str,
    *,
    at: datetime,
    reason: RevokedReason,
    live_at: datetime | None = None,
    by: str | None = None,
) -> Session | None:
    """Give the session its tombstone (`changes.revocation`); the session as revoked
    when this call revoked it, else None (already revoked, gone, or expired by
    ``live_at``).

    Raises:
        StoreUnavailableError: the store did not answer.
    """
    result = store.update(session_id, revocation(at, reason, live_at=live_at, by=by))
    return result.current if result.applied else None
