"""Read and write units as DynamoDB bills them, measured on a server that reports them
(dynalite sizes writes and strongly consistent reads by item size, as DynamoDB does):
every request asks for ``ReturnConsumedCapacity=TOTAL`` (a botocore hook), and every
read is billed at least DynamoDB's minimum, one unit strongly consistent and half a
unit eventually consistent, which dynalite reports as 0 for a Query page that returns
no item. Used by the feed's cost tests and by ``make bench``."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_READS = {"GetItem", "BatchGetItem", "Query", "Scan"}
_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}


@dataclass
class Units:
    """What was consumed while measuring: read and write units, and requests by name."""

    read: float = 0.0
    write: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)


class ConsumedCapacity:
    """Measures the units one client's requests consume, while `measuring`."""

    def __init__(self, client: Any) -> None:
        self.units = Units()
        self._on = False
        self._consistent: list[bool] = []
        events = client.meta.events
        events.register("before-parameter-build.dynamodb.*", self._ask)
        events.register("after-call.dynamodb.*", self._count)

    @contextmanager
    def measuring(self) -> Any:
        """Count the requests made inside; yields the `Units` of just those."""
        self.units, self._on = Units(), True
        try:
            yield self.units
        finally:
            self._on = False

    def _ask(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name in _READS | _WRITES:
            params["ReturnConsumedCapacity"] = "TOTAL"
        if model.name in _READS:
            consistent = bool(params.get("ConsistentRead")) or any(
                bool(spec.get("ConsistentRead")) for spec in params.get("RequestItems", {}).values()
            )
            self._consistent.append(consistent)

    def _count(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        consistent = self._consistent.pop() if model.name in _READS and self._consistent else True
        if not self._on or model.name not in _READS | _WRITES:
            return
        reported = parsed.get("ConsumedCapacity") or []
        if isinstance(reported, dict):
            reported = [reported]
        used = sum(float(one.get("CapacityUnits", 0)) for one in reported)
        self.units.requests[model.name] += 1
        if model.name in _READS:
            self.units.read += max(used, 1.0 if consistent else 0.5)
        else:
            self.units.write += max(used, 1.0)
