"""Where each item lives (`Layout`: the prefix, the key of every kind of item, the
expiry index's shards) and the number encodings items share. Light on purpose: no
models, so the authorizer's readers can use it without pydantic.

Times are epoch milliseconds (``N``) so conditions compare numbers exactly; the TTL
attribute is epoch seconds as DynamoDB requires.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sessions_core.config import DEFAULT_EXPIRY_SHARDS
from sessions_core.dynamodb.schema import TTL_ATTRIBUTE
from sessions_core.dynamodb.table import Item
from sessions_core.keys import UserRef

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

    def signing_keys_key(self) -> Item:
        """The key of the key-set item (the access tokens' signing keys)."""
        return {"id": {"S": f"{self.prefix}signing-keys"}}

    def session_id(self, item: Item) -> str:
        """The session id of a session item's key."""
        raw = str(item["id"]["S"])
        return raw[len(self.prefix) :] if raw.startswith(self.prefix) else raw
