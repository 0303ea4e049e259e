"""The conditional writes a use of a session makes: a rotation (refresh) and a touch
(activity and sliding). Each is one UpdateItem guarded by what was read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sessions_core.dynamodb.errors import ConditionFailedError
from sessions_core.dynamodb.items import (
    EXPIRY_NAMES,
    EXPIRY_SET,
    Layout,
    item_to_session,
    num,
    retired_bytes,
    session_to_item,
    to_ms,
)
from sessions_core.dynamodb.table import Expression, Table
from sessions_core.models import RevokedReason, Session
from sessions_core.records import RotateResult, Rotation, SessionIdTakenError, Touch


def insert(table: Table, layout: Layout, session: Session) -> None:
    """PutItem guarded by ``attribute_not_exists(id)``; a retry that meets its own
    earlier write counts as success."""
    try:
        table.put(
            session_to_item(layout, session),
            Expression(condition="attribute_not_exists(id)"),
            old_on_failure=True,
        )
    except ConditionFailedError as error:
        existing = error.item or {}
        if existing.get("tokenHash", {}).get("S") == session.token_hash:
            # Our own write landed but its answer was lost (timeout, throttled
            # response) and botocore retried: the session is stored exactly once.
            return
        raise SessionIdTakenError(session.id) from error


def rotate(table: Table, layout: Layout, session_id: str, rotation: Rotation) -> RotateResult:
    """UpdateItem guarded by the expected token hash; on failure the item as it stands
    comes from ``ALL_OLD`` or, where a server omits it, a fresh read."""
    key = layout.session_key(session_id)
    # Only sessions from before stamped tokens have (or ever get) retired digests.
    retired = {":retired": {"B": retired_bytes(rotation.retired)}} if rotation.retired else {}
    change = Expression(
        update="SET tokenHash = :hash, generation = :gen, rotatedAt = :at, lastActiveAt = :at, "
        + ("retired = :retired, " if retired else "")
        + _origin_set(rotation.ip_address, rotation.country)
        + EXPIRY_SET,
        condition="tokenHash = :expected AND attribute_not_exists(revokedAt)",
        names=EXPIRY_NAMES,
        values={
            ":expected": {"S": rotation.expected_token_hash},
            ":hash": {"S": rotation.token_hash},
            ":gen": num(rotation.generation),
            **retired,
            ":at": num(to_ms(rotation.rotated_at)),
            **_origin_values(rotation.ip_address, rotation.country),
            **layout.expiry_values(key, rotation.expires_at),
        },
    )
    try:
        table.update(key, change, old_on_failure=True)
    except ConditionFailedError as error:
        if error.item:
            return RotateResult(False, item_to_session(layout, error.item))
        return RotateResult(False, _read(table, layout, session_id))
    return RotateResult(True, None)


def touch_session(table: Table, layout: Layout, session_id: str, touch: Touch) -> bool:
    """One UpdateItem: activity (and where from), plus the sliding extension when due;
    guarded by the ``lastActiveAt`` (and expiry) it read. True when written."""
    key = layout.session_key(session_id)
    update = "SET lastActiveAt = :at, " + _origin_set(touch.ip_address, touch.country)
    condition = "attribute_exists(id) AND attribute_not_exists(revokedAt) AND "
    values: dict[str, Any] = {
        ":at": num(to_ms(touch.at)),
        **_origin_values(touch.ip_address, touch.country),
    }
    if touch.last_active_at is None:
        condition += "attribute_not_exists(lastActiveAt)"
    else:
        condition += "lastActiveAt = :last"
        values[":last"] = num(to_ms(touch.last_active_at))
    names = None
    if touch.expires_at is not None and touch.expected_expiry is not None:
        update += EXPIRY_SET
        condition += " AND expiresAt = :expected"
        values[":expected"] = num(to_ms(touch.expected_expiry))
        values.update(layout.expiry_values(key, touch.expires_at))
        names = EXPIRY_NAMES
    try:
        table.update(
            key,
            Expression(update=update.rstrip(", "), condition=condition, names=names, values=values),
        )
    except ConditionFailedError:
        return False
    return True


def _read(table: Table, layout: Layout, session_id: str) -> Session | None:
    item = table.get(layout.session_key(session_id))
    return item_to_session(layout, item) if item else None


def _origin_set(ip_address: str | None, country: str | None) -> str:
    """The ``SET`` fragment for where a session was just used from (what is known)."""
    return ("ipAddress = :ip, " if ip_address else "") + ("country = :country, " if country else "")


def _origin_values(ip_address: str | None, country: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if ip_address:
        values[":ip"] = {"S": ip_address}
    if country:
        values[":country"] = {"S": country}
    return values


def reauthenticate(
    table: Table, layout: Layout, session_id: str, at: datetime, aal: int | None
) -> RotateResult:
    """UpdateItem of ``authenticatedAt`` (and ``aal``) guarded by "exists, not revoked,
    not expired"; the item as written, or as it stood when the guard failed."""
    key = layout.session_key(session_id)
    values: dict[str, Any] = {":at": num(to_ms(at))}
    update = "SET authenticatedAt = :at"
    if aal is not None:
        update += ", aal = :aal"
        values[":aal"] = num(aal)
    change = Expression(
        update=update,
        condition="attribute_exists(id) AND attribute_not_exists(revokedAt) AND expiresAt > :at",
        values=values,
    )
    try:
        written = table.update(key, change, returning="ALL_NEW", old_on_failure=True)
    except ConditionFailedError as error:
        if error.item:
            return RotateResult(False, item_to_session(layout, error.item))
        return RotateResult(False, _read(table, layout, session_id))
    return RotateResult(True, item_to_session(layout, written))


def revoke(
    table: Table,
    layout: Layout,
    session_id: str,
    *,
    at: datetime,
    reason: RevokedReason,
    live_at: datetime | None,
    by: str | None,
) -> Session | None:
    """Tombstone guarded by existence and "not revoked yet" (and "still live"); the
    session as revoked (``ALL_NEW``) when this call revoked it."""
    condition = "attribute_exists(id) AND attribute_not_exists(revokedAt)"
    values: dict[str, Any] = {":at": num(to_ms(at)), ":why": {"S": reason}}
    update = "SET revokedAt = :at, revokedReason = :why"
    if live_at is not None:
        condition += " AND expiresAt > :live"
        values[":live"] = num(to_ms(live_at))
    if by is not None:
        update += ", revokedBy = :by"
        values[":by"] = {"S": by}
    try:
        item = table.update(
            layout.session_key(session_id),
            Expression(update=update, condition=condition, values=values),
            returning="ALL_NEW",
        )
    except ConditionFailedError:
        return None
    return item_to_session(layout, item)
