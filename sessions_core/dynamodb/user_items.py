"""The per-user item: one per 48-bit keyed user location, read with every session.

Users whose keyed hashes share a location share the item, each in attributes named by
their own tag (a second keyed hash), so a collision costs nothing but item size. It
holds each user's "revoked before" mark (``rb_<tag>``) and, under a per-user limit,
their admitted sessions (``adm_<tag>``: a version and, per session id, its creation
time, first expiry and absolute timeout).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sessions_core.dynamodb.items import from_ms, num, to_ms
from sessions_core.dynamodb.table import Item
from sessions_core.errors import CorruptItemError
from sessions_core.records import Admission, Admitted, RevocationMarker, UserState

MARKER_PREFIX = "rb_"
ADMISSION_PREFIX = "adm_"
ERASED_PREFIX = "er_"


def marker_attribute(tag: str) -> str:
    """The attribute holding one user's mark."""
    return MARKER_PREFIX + tag


def admission_attribute(tag: str) -> str:
    """The attribute holding one user's admitted sessions."""
    return ADMISSION_PREFIX + tag


def erased_attribute(tag: str) -> str:
    """The attribute holding when one user was erased."""
    return ERASED_PREFIX + tag


def marker_value(marker: RevocationMarker) -> dict[str, Any]:
    """A mark as an attribute value (``t`` epoch ms, ``keep`` the session kept)."""
    mark: dict[str, Any] = {"t": num(to_ms(marker.revoked_before))}
    if marker.keep_session_id:
        mark["keep"] = {"S": marker.keep_session_id}
    if marker.id:
        mark["id"] = {"S": marker.id}
    return {"M": mark}


def admission_value(admission: Admission) -> dict[str, Any]:
    """Admitted sessions as an attribute value."""
    sessions: dict[str, Any] = {}
    for sid, entry in admission.sessions.items():
        fields: dict[str, Any] = {
            "c": num(to_ms(entry.created_at)),
            "e": num(to_ms(entry.expires_at)),
        }
        if entry.absolute_expires_at is not None:
            fields["x"] = num(to_ms(entry.absolute_expires_at))
        sessions[sid] = {"M": fields}
    return {"M": {"v": {"S": admission.version}, "s": {"M": sessions}}}


def item_to_users(item: Item | None) -> dict[str, UserState]:
    """Every user's slot in a per-user item, by user tag.

    Raises:
        CorruptItemError: a mark or an admission is malformed.
    """
    if not item:
        return {}
    markers: dict[str, RevocationMarker] = {}
    admissions: dict[str, Admission] = {}
    erasures: dict[str, datetime] = {}
    try:
        for name, value in item.items():
            if name.startswith(MARKER_PREFIX):
                markers[name[len(MARKER_PREFIX) :]] = _marker(value["M"])
            elif name.startswith(ADMISSION_PREFIX):
                admissions[name[len(ADMISSION_PREFIX) :]] = _admission(value["M"])
            elif name.startswith(ERASED_PREFIX):
                erasures[name[len(ERASED_PREFIX) :]] = from_ms(value["N"])
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise CorruptItemError() from error
    return {
        tag: UserState(
            marker=markers.get(tag), admission=admissions.get(tag), erased_at=erasures.get(tag)
        )
        for tag in markers.keys() | admissions.keys() | erasures.keys()
    }


def _marker(fields: dict[str, Any]) -> RevocationMarker:
    keep = fields.get("keep")
    by = fields.get("id")
    return RevocationMarker(
        revoked_before=from_ms(fields["t"]["N"]),
        keep_session_id=str(keep["S"]) if keep else None,
        id=str(by["S"]) if by else None,
    )


def _admission(fields: dict[str, Any]) -> Admission:
    sessions = {}
    for sid, value in fields["s"]["M"].items():
        entry = value["M"]
        absolute = entry.get("x")
        sessions[sid] = Admitted(
            created_at=from_ms(entry["c"]["N"]),
            expires_at=from_ms(entry["e"]["N"]),
            absolute_expires_at=from_ms(absolute["N"]) if absolute else None,
        )
    return Admission(version=str(fields["v"]["S"]), sessions=sessions)
