"""Small helpers: medians with spread, a DynamoDB meter, a moto table."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass
class Figure:
    """A median with its spread (min..max) over repetitions, in the given unit."""

    median: float
    low: float
    high: float
    unit: str

    def __str__(self) -> str:
        return f"{self.median:.3g} {self.unit} ({self.low:.3g}..{self.high:.3g})"

    def as_dict(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.low, "max": self.high, "unit": self.unit}


def repeat(samples: list[float], unit: str) -> Figure:
    """The figure for a list of samples."""
    return Figure(statistics.median(samples), min(samples), max(samples), unit)


def per_call_us(work: Callable[[], Any], calls: int, repetitions: int = 5) -> Figure:
    """Microseconds per call of ``work``: ``repetitions`` timed loops of ``calls``."""
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        for _ in range(calls):
            work()
        samples.append((time.perf_counter() - started) / calls * 1e6)
    return repeat(samples, "µs")


READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})
ITEM_OPERATIONS = READ_OPERATIONS | {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}


@dataclass
class Meter:
    """Counts DynamoDB requests and consumed capacity on one client."""

    client: Any
    calls: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    items_read: int = 0

    def __post_init__(self) -> None:
        events = self.client.meta.events
        events.register("before-parameter-build.dynamodb.*", self._ask_capacity)
        events.register("before-call.dynamodb.*", self._count)
        events.register("after-call.dynamodb.*", self._capacity)

    @staticmethod
    def _ask_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in ITEM_OPERATIONS:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def _capacity(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity") or []
        units = sum(
            float(entry.get("CapacityUnits", 0))
            for entry in (consumed if isinstance(consumed, list) else [consumed])
        )
        if model.name in READ_OPERATIONS:
            self.read_units += units
        else:
            self.write_units += units
        self.items_read += len(parsed.get("Items", []))

    def close(self) -> None:
        """Stop metering this client."""
        events = self.client.meta.events
        events.unregister("before-parameter-build.dynamodb.*", self._ask_capacity)
        events.unregister("before-call.dynamodb.*", self._count)
        events.unregister("after-call.dynamodb.*", self._capacity)

    def reset(self) -> None:
        self.calls.clear()
        self.read_units = self.write_units = 0.0
        self.items_read = 0

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": sum(self.calls.values()),
            "by_operation": dict(self.calls),
            "read_units": round(self.read_units, 2),
            "write_units": round(self.write_units, 2),
            "items_read": self.items_read,
        }


class Clock:
    """A clock the benchmark moves by hand (no sleeping)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
