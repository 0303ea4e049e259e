"""The per-user item: one per 48-bit keyed user location, read with every session.

Users whose keyed hashes share a location share the item, each in attributes named by
their own tag (a second keyed hash), so a collision costs nothing but item size. It
holds each user's "revoked before" mark (``rb_<tag>``).
"""

from __future__ import annotations

from typing import Any

from sessions_core.dynamodb.items import from_ms
from sessions_core.dynamodb.table import Item
from sessions_core.errors import CorruptItemError
from sessions_core.store import RevocationMarker

MARKER_PREFIX = "rb_"


def marker_attribute(tag: str) -> str:
    """The attribute holding one user's mark."""
    return MARKER_PREFIX + tag


def marker_value(marker: RevocationMarker, revoked_before_ms: int) -> dict[str, Any]:
    """A mark as an attribute value (``t`` epoch ms, ``keep`` the session kept)."""
    mark: dict[str, Any] = {"t": {"N": str(revoked_before_ms)}}
    if marker.keep_session_id:
        mark["keep"] = {"S": marker.keep_session_id}
    return {"M": mark}


def item_to_markers(item: Item | None) -> dict[str, RevocationMarker]:
    """Every mark in a per-user item, by user tag.

    Raises:
        CorruptItemError: a mark is malformed.
    """
    if not item:
        return {}
    marks = {}
    try:
        for name, value in item.items():
            if not name.startswith(MARKER_PREFIX):
                continue
            fields = value["M"]
            keep = fields.get("keep")
            marks[name[len(MARKER_PREFIX) :]] = RevocationMarker(
                revoked_before=from_ms(fields["t"]["N"]),
                keep_session_id=str(keep["S"]) if keep else None,
            )
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise CorruptItemError() from error
    return marks
