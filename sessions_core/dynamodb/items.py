"""The attribute values items share beyond numbers: devices, retired digests, reasons
(`layout` has where items live and the number encodings; sessions themselves are
`session_codec`'s)."""

from __future__ import annotations

import base64
from typing import cast, get_args

from sessions_core.config import DEFAULT_EXPIRY_SHARDS
from sessions_core.dynamodb.layout import (
    EXPIRY_NAMES,
    EXPIRY_SET,
    Layout,
    from_ms,
    num,
    to_ms,
)
from sessions_core.dynamodb.table import Item
from sessions_core.models import Device, DeviceType, RevokedReason
from sessions_core.tokens import RETIRED_DIGEST_CHARS


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


__all__ = [
    "DEFAULT_EXPIRY_SHARDS",
    "EXPIRY_NAMES",
    "EXPIRY_SET",
    "Layout",
    "device_attribute",
    "device_from",
    "device_from_value",
    "from_ms",
    "num",
    "opt_s",
    "retired_bytes",
    "retired_digests",
    "revoked_reason",
    "to_ms",
]
