"""Session ↔ DynamoDB item (low-level attribute values).

Times are epoch milliseconds (``N``) so conditions compare numbers exactly; the TTL
attribute is epoch seconds as DynamoDB requires; metadata is stored as its JSON text so
it round-trips exactly (DynamoDB numbers and empty values would change it).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any, cast, get_args

from sessions_core.dynamodb_errors import CorruptItemError
from sessions_core.models import RevokedReason, Session
from sessions_core.store import RevocationMarker
from sessions_core.table import TTL_ATTRIBUTE
from sessions_core.tokens import RETIRED_DIGEST_CHARS

Item = dict[str, Any]

EXPIRY_SHARDS = 8
_DAY_MS = 86_400_000


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return round(moment.timestamp() * 1000)


def from_ms(value: str | int) -> datetime:
    """Aware UTC datetime from epoch milliseconds."""
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def num(value: int) -> dict[str, str]:
    """A DynamoDB number attribute."""
    return {"N": str(value)}


def bucket_name(prefix: str, day: int, shard: int) -> str:
    """The cleanup index partition for one expiry day and shard."""
    return f"{prefix}{day}#{shard}"


def expiry_bucket(prefix: str, expires_at_ms: int, shard: int) -> str:
    """The cleanup index partition of an item: its expiry day and a shard."""
    return bucket_name(prefix, day_of(expires_at_ms), shard)


def day_of(moment_ms: int) -> int:
    """Days since the epoch (the bucket granularity)."""
    return moment_ms // _DAY_MS


def shard_of(session_id: str) -> int:
    """A stable shard for a session id (its last hex digit)."""
    return int(session_id[-1], 16) % EXPIRY_SHARDS


def expiry_attributes(prefix: str, key_suffix: str, expires_at: datetime) -> Item:
    """The attributes that move with an item's expiry: expiresAt, ttl, expiryBucket."""
    ms = to_ms(expires_at)
    return {
        "expiresAt": num(ms),
        TTL_ATTRIBUTE: num(math.ceil(ms / 1000)),
        "expiryBucket": {"S": expiry_bucket(prefix, ms, shard_of(key_suffix))},
    }


def session_to_item(prefix: str, session: Session) -> Item:
    """The full item for a new session (never the token itself)."""
    item: Item = {
        "id": {"S": prefix + session.id},
        "userId": {"S": session.user_id},
        "tokenHash": {"S": session.token_hash or ""},
        "createdAt": num(to_ms(session.created_at)),
        "lifetimeMs": num(int(session.lifetime / timedelta(milliseconds=1))),
        "slidingExpiration": {"BOOL": session.sliding_expiration},
        **expiry_attributes(prefix, session.id, session.expires_at),
    }
    if session.metadata is not None:
        item["metadata"] = {"S": json.dumps(session.metadata, separators=(",", ":"))}
    if session.bound_user_agent is not None:
        item["boundUserAgent"] = {"S": session.bound_user_agent}
    if session.retired:
        item["retired"] = {"B": retired_bytes(session.retired)}
    if session.rotated_at is not None:
        item["rotatedAt"] = num(to_ms(session.rotated_at))
    if session.last_active_at is not None:
        item["lastActiveAt"] = num(to_ms(session.last_active_at))
    if session.revoked_at is not None:
        item["revokedAt"] = num(to_ms(session.revoked_at))
    if session.revoked_reason is not None:
        item["revokedReason"] = {"S": session.revoked_reason}
    return item


def retired_bytes(retired: tuple[str, ...]) -> bytes:
    """Retired-token digests as one binary attribute (16 bytes each, newest first)."""
    return b"".join(bytes.fromhex(digest) for digest in retired)


def retired_digests(value: bytes) -> tuple[str, ...]:
    """The digests of a ``retired`` attribute, newest first."""
    size = RETIRED_DIGEST_CHARS // 2
    return tuple(value[i : i + size].hex() for i in range(0, len(value), size))


def _opt_ms(item: Item, name: str) -> datetime | None:
    value = item.get(name)
    return from_ms(value["N"]) if value is not None else None


def _opt_s(item: Item, name: str) -> str | None:
    value = item.get(name)
    return str(value["S"]) if value is not None else None


_REASONS: frozenset[str] = frozenset(get_args(RevokedReason))


def _reason(item: Item) -> RevokedReason | None:
    value = _opt_s(item, "revokedReason")
    if value is None:
        return None
    if value not in _REASONS:
        raise ValueError("unknown revocation reason")
    return cast(RevokedReason, value)


def item_to_session(prefix: str, item: Item) -> Session:
    """Read an item (full, or as the user index projects it) back into a `Session`.

    Raises:
        CorruptItemError: a required field is missing or malformed.
    """
    try:
        raw_id = str(item["id"]["S"])
        metadata_text = _opt_s(item, "metadata")
        lifetime = item.get("lifetimeMs")
        sliding = item.get("slidingExpiration")
        retired = item.get("retired")
        return Session.model_construct(
            id=raw_id[len(prefix) :] if raw_id.startswith(prefix) else raw_id,
            user_id=str(item["userId"]["S"]),
            token=None,
            token_hash=_opt_s(item, "tokenHash"),
            created_at=from_ms(item["createdAt"]["N"]),
            expires_at=from_ms(item["expiresAt"]["N"]),
            metadata=json.loads(metadata_text) if metadata_text is not None else None,
            revoked_at=_opt_ms(item, "revokedAt"),
            sliding_expiration=bool(sliding["BOOL"]) if sliding is not None else False,
            bound_user_agent=_opt_s(item, "boundUserAgent"),
            lifetime=timedelta(milliseconds=int(lifetime["N"]))
            if lifetime is not None
            else timedelta(hours=24),
            last_active_at=_opt_ms(item, "lastActiveAt"),
            revoked_reason=_reason(item),
            retired=retired_digests(bytes(retired["B"])) if retired is not None else (),
            rotated_at=_opt_ms(item, "rotatedAt"),
        )
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise CorruptItemError() from error


MARKER_ATTRIBUTE_PREFIX = "rb_"


def marker_attribute(tag: str) -> str:
    """The per-user item's attribute that holds one user's mark (users whose keyed
    hashes share a location share the item, each in their own attribute)."""
    return MARKER_ATTRIBUTE_PREFIX + tag


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
            if not name.startswith(MARKER_ATTRIBUTE_PREFIX):
                continue
            fields = value["M"]
            keep = fields.get("keep")
            marks[name[len(MARKER_ATTRIBUTE_PREFIX) :]] = RevocationMarker(
                revoked_before=from_ms(fields["t"]["N"]),
                keep_session_id=str(keep["S"]) if keep else None,
            )
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise CorruptItemError() from error
    return marks


# The UpdateExpression fragment that moves an item's expiry (with `expiry_values`).
EXPIRY_SET = "expiresAt = :exp, #ttl = :ttl, expiryBucket = :bucket"


def expiry_values(prefix: str, key_suffix: str, expires_at: datetime) -> dict[str, Any]:
    """The ``:exp``, ``:ttl`` and ``:bucket`` values for `EXPIRY_SET`."""
    attrs = expiry_attributes(prefix, key_suffix, expires_at)
    return {
        ":exp": attrs["expiresAt"],
        ":ttl": attrs[TTL_ATTRIBUTE],
        ":bucket": attrs["expiryBucket"],
    }
