"""Where each item lives (`Layout`) and the attribute values items share: epoch
milliseconds, devices, retired digests. Sessions themselves are `session_codec`'s.

Times are epoch milliseconds (``N``) so conditions compare numbers exactly; the TTL
attribute is epoch seconds as DynamoDB requires.
"""

from __future__ import annotations

import base64
import math
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast, get_args

from sessions_core.dynamodb.schema import TTL_ATTRIBUTE
from sessions_core.dynamodb.table import Item
from sessions_core.keys import UserRef
from sessions_core.models import Device, DeviceType, RevokedReason
from sessions_core.tokens import RETIRED_DIGEST_CHARS

DEFAULT_EXPIRY_SHARDS = 8
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The UpdateExpression fragment that moves an item's expiry (with `Layout.expiry_values`).
EXPIRY_SET = "expiresAt = :exp, #ttl = :ttl, expiryBucket = :bucket"
EXPIRY_NAMES = {"#ttl": TTL_ATTRIBUTE}


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return round(moment.timestamp() * 1000)


def from_ms(value: str | int) -> datetime:
    """Aware UTC datetime from epoch milliseconds, exactly (a float division would be
    off by a microsecond for some values, and times are compared for equality)."""
    return _EPOCH + timedelta(milliseconds=int(value))


def num(value: int) -> dict[str, str]:
    """A DynamoDB number attribute."""
    return {"N": str(value)}


@dataclass(frozen=True)
class Layout:
    """Where items live: the key prefix (set once per store, a namespace so several
    apps can share a table) and the number of expiry-index shards.

    Every item that expires carries ``expiryBucket = <prefix>exp#<shard>``: cleanup
    queries each shard for ``expiresAt <= now`` (see `cleanup`). More shards spread
    the index's writes over more partitions; only raise the count, since cleanup reads
    the shards below it.
    """

    prefix: str
    shards: int = DEFAULT_EXPIRY_SHARDS

    def session_key(self, session_id: str) -> Item:
        """The key of a session item."""
        return {"id": {"S": self.prefix + session_id}}

    def user_key(self, location: str) -> Item:
        """The key of the per-user item at ``location`` (a keyed user hash)."""
        return {"id": {"S": f"{self.prefix}user:{location}"}}

    def login_key(self, ref: UserRef) -> Item:
        """The key of a login-failure counter (keyed hash of the user name)."""
        return {"id": {"S": f"{self.prefix}login:{ref.location}{ref.tag}"}}

    def activity_key(self, event_id: str) -> Item:
        """The key of an activity item (the event's id: a redelivery finds it)."""
        return {"id": {"S": f"{self.prefix}activity:{event_id}"}}

    def bucket(self, shard: int) -> str:
        """The expiry index partition of one shard."""
        return f"{self.prefix}exp#{shard}"

    def expiry_attributes(self, key: Item, expires_at: datetime) -> Item:
        """The attributes that move with an item's expiry: expiresAt, ttl, expiryBucket."""
        ms = to_ms(expires_at)
        shard = zlib.crc32(key["id"]["S"].encode()) % self.shards
        return {
            "expiresAt": num(ms),
            TTL_ATTRIBUTE: num(math.ceil(ms / 1000)),
            "expiryBucket": {"S": self.bucket(shard)},
        }

    def expiry_values(self, key: Item, expires_at: datetime) -> dict[str, Any]:
        """The ``:exp``, ``:ttl`` and ``:bucket`` values for `EXPIRY_SET`."""
        attributes = self.expiry_attributes(key, expires_at)
        return {
            ":exp": attributes["expiresAt"],
            ":ttl": attributes[TTL_ATTRIBUTE],
            ":bucket": attributes["expiryBucket"],
        }

    def session_id(self, item: Item) -> str:
        """The session id of a session item's key."""
        raw = str(item["id"]["S"])
        return raw[len(self.prefix) :] if raw.startswith(self.prefix) else raw


def device_attribute(device: Device) -> Item:
    """A device as a map attribute."""
    fields: Item = {"label": {"S": device.label}, "type": {"S": device.type}}
    if device.browser:
        fields["browser"] = {"S": device.browser}
    if device.os:
        fields["os"] = {"S": device.os}
    return {"M": fields}


def device_from(item: Item) -> Device | None:
    """The ``device`` attribute of an item, if any.

    Raises:
        ValueError, KeyError: it is malformed.
    """
    value = item.get("device")
    return device_from_value(value) if value is not None else None


def device_from_value(value: Item) -> Device:
    """A device map attribute as a `Device`.

    Raises:
        ValueError, KeyError: it is malformed.
    """
    fields = value["M"]
    kind = str(fields["type"]["S"])
    if kind not in _DEVICE_TYPES:
        raise ValueError("unknown device type")
    return Device.model_construct(
        browser=opt_s(fields, "browser"),
        os=opt_s(fields, "os"),
        type=cast(DeviceType, kind),
        label=str(fields["label"]["S"]),
    )


def retired_bytes(retired: tuple[str, ...]) -> bytes:
    """Retired-token digests as one binary attribute (16 bytes each, newest first)."""
    return b"".join(bytes.fromhex(digest) for digest in retired)


def retired_digests(value: bytes | str) -> tuple[str, ...]:
    """The digests of a ``retired`` attribute, newest first. botocore hands binary
    values as bytes; a stream record in a Lambda event, as base64 text."""
    if isinstance(value, str):
        value = base64.b64decode(value, validate=True)
    size = RETIRED_DIGEST_CHARS // 2
    return tuple(value[i : i + size].hex() for i in range(0, len(value), size))


def opt_s(item: Item, name: str) -> str | None:
    """A string attribute, if present."""
    value = item.get(name)
    return str(value["S"]) if value is not None else None


_REASONS: frozenset[str] = frozenset(get_args(RevokedReason))
_DEVICE_TYPES: frozenset[str] = frozenset(get_args(DeviceType))


def revoked_reason(item: Item) -> RevokedReason | None:
    """The ``revokedReason`` attribute, checked against the known reasons."""
    value = opt_s(item, "revokedReason")
    if value is None:
        return None
    if value not in _REASONS:
        raise ValueError("unknown revocation reason")
    return cast(RevokedReason, value)
