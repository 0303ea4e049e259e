"""DynamoDB capacity computed from item sizes, for a server that does not report it
truthfully (moto answers 0.5 or 1 whatever the item): the peer proxy and the events
function's cost use it. The rules are DynamoDB's:
a read costs 1 unit per 4 KB (half when eventually consistent), a write 1 per 1 KB of
the larger of the item before and after it."""

from __future__ import annotations

import math
from typing import Any

READ_UNIT = 4096
WRITE_UNIT = 1024


def attribute_size(value: dict[str, Any]) -> int:
    """The stored size of one wire-format attribute value (DynamoDB's item-size rules)."""
    kind, data = next(iter(value.items()))
    if kind in {"S", "B"}:
        return len(data.encode() if isinstance(data, str) else data)
    if kind == "N":
        return len(str(data).lstrip("-").replace(".", "").lstrip("0")) // 2 + 2
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind in {"SS", "BS"}:
        return sum(len(v.encode()) for v in data)
    if kind == "NS":
        return sum(len(v) // 2 + 2 for v in data)
    if kind == "L":
        return 3 + sum(attribute_size(v) + 1 for v in data)
    return 3 + sum(len(k.encode()) + attribute_size(v) + 1 for k, v in data.items())  # M


def item_size(item: dict[str, Any] | None) -> int:
    """Bytes of a wire-format item (0 for none)."""
    if not item:
        return 0
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def read_units(size: int, consistent: bool) -> float:
    """Units to read ``size`` bytes (at least one unit, or half when eventual)."""
    units = max(1, math.ceil(size / READ_UNIT))
    return float(units) if consistent else units / 2


def write_units(before: int, after: int) -> float:
    """Units of a write that turns an item of ``before`` bytes into ``after``."""
    return float(max(1, math.ceil(max(before, after) / WRITE_UNIT)))
