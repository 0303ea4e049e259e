"""Every input limit, in one place: the core checks them and the HTTP request models
declare them (so the OpenAPI document shows the same numbers the code enforces).
"""

from __future__ import annotations

import functools
import ipaddress
import json
from datetime import timedelta
from typing import Any

from sessions_core.errors import InvalidArgumentError

MAX_USER_ID_CHARS = 256
# DynamoDB-friendly ceiling on one session's window; a revocation marker lives this
# long, so nothing created before it can outlive it.
MAX_EXPIRES_IN = timedelta(days=400)
MAX_EXPIRES_IN_MS = int(MAX_EXPIRES_IN / timedelta(milliseconds=1))
# Serialized, metadata at most this large keeps a session item inside one 4 KB read.
MAX_METADATA_BYTES = 2048
# How deep any JSON document may nest (a body, metadata): deeper cannot be serialised
# back by pydantic (its limit is lower than json's), and is never what a caller means.
MAX_JSON_DEPTH = 32
MAX_METADATA_DEPTH = MAX_JSON_DEPTH
MAX_USER_AGENT_CHARS = 1024
# The longest plain address: an IPv6 address with an embedded IPv4 one.
MAX_IP_ADDRESS_CHARS = 45


def check_user_id(user_id: object) -> None:
    """Refuse a user id that is not a string of 1 to 256 characters.

    Raises:
        InvalidArgumentError: with the reason.
    """
    if not isinstance(user_id, str) or not 1 <= len(user_id) <= MAX_USER_ID_CHARS:
        raise InvalidArgumentError(f"user_id must be 1 to {MAX_USER_ID_CHARS} characters")


def check_lifetime(value: timedelta, name: str = "expires_in") -> None:
    """Refuse a lifetime that is not positive or exceeds `MAX_EXPIRES_IN`.

    Raises:
        InvalidArgumentError: when out of range.
    """
    if not isinstance(value, timedelta):
        raise InvalidArgumentError(f"{name} must be a datetime.timedelta")
    if value <= timedelta(0) or value > MAX_EXPIRES_IN:
        raise InvalidArgumentError(f"{name} must be more than 0 and at most 400 days")


def metadata_size(metadata: dict[str, Any]) -> int:
    """The serialized size of ``metadata`` in bytes (compact JSON, UTF-8)."""
    return len(json.dumps(metadata, separators=(",", ":"), allow_nan=False).encode("utf-8"))


def nests_deeper_than(document: object, depth: int) -> bool:
    """True when a parsed JSON ``document`` holds objects or arrays more than ``depth``
    levels deep (measured level by level, without recursion)."""
    level: list[Any] = [document] if isinstance(document, dict | list) else []
    for _ in range(depth):
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return bool(level)


def check_metadata(metadata: dict[str, Any] | None) -> None:
    """Refuse metadata that is not a JSON object of plain values, nests deeper than 32
    levels, or is larger than 2 KiB serialized.

    The depth is measured first, without recursion, so a hostile document cannot
    exhaust the stack on the way to being refused.

    Raises:
        InvalidArgumentError: with the reason.
    """
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise InvalidArgumentError("metadata must be a JSON object")
    if nests_deeper_than(metadata, MAX_METADATA_DEPTH):
        raise InvalidArgumentError(f"metadata nests deeper than {MAX_METADATA_DEPTH} levels")
    try:
        size = metadata_size(metadata)
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError("metadata must hold only JSON values") from error
    if size > MAX_METADATA_BYTES:
        raise InvalidArgumentError(f"metadata must be at most {MAX_METADATA_BYTES} bytes as JSON")


def check_ip_address(address: object) -> str | None:
    """``address`` when it is a plain IPv4 or IPv6 address (no zone id, nothing else),
    None when it is None.

    Raises:
        InvalidArgumentError: anything else (a zone id such as ``fe80::1%eth0`` can carry
            any characters, CRLF and markup included).
    """
    if address is None:
        return None
    if (
        not isinstance(address, str)
        or len(address) > MAX_IP_ADDRESS_CHARS
        or not address.isascii()
        or "%" in address
    ):
        raise InvalidArgumentError("ip_address must be a plain IPv4 or IPv6 address")
    try:
        _parse_address(address)
    except ValueError as error:
        raise InvalidArgumentError("ip_address must be a plain IPv4 or IPv6 address") from error
    return address


# Every request checks its caller's address (twice on the authorizer's path: the
# request's, then the rules'), and callers repeat: remembering the last addresses
# that parsed saves most of the ~3 µs each parse costs. Bounded, so a caller spraying
# addresses only evicts; what does not parse raises and is not remembered.
@functools.lru_cache(maxsize=1024)
def _parse_address(address: str) -> None:
    ipaddress.ip_address(address)
