"""What every prefix's view of an `InMemorySessionStore` shares: one lock and the
items, laid out as the DynamoDB store lays them out."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from sessions_core.models import Session
from sessions_core.records import Admission, LoginFailures, RevocationMarker, UserState


@dataclass
class MemoryBackend:
    """Everything every prefix's view shares: one lock, the items."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: dict[str, Session] = field(default_factory=dict)
    # Per-user item key (``prefix + "user:" + location``), then user tag, as the
    # DynamoDB store lays them out: a session's read finds its user's marks through
    # the location in its id.
    markers: dict[str, dict[str, tuple[RevocationMarker, datetime]]] = field(default_factory=dict)
    admissions: dict[str, dict[str, Admission]] = field(default_factory=dict)
    login_failures: dict[str, LoginFailures] = field(default_factory=dict)

    def users_at(self, item_key: str) -> dict[str, UserState]:
        """Every user's slot in one per-user item (call with the lock held, or accept
        a read as atomic as DynamoDB's)."""
        marks = self.markers.get(item_key, {})
        admitted = self.admissions.get(item_key, {})
        return {
            tag: UserState(
                marker=marks[tag][0] if tag in marks else None, admission=admitted.get(tag)
            )
            for tag in marks.keys() | admitted.keys()
        }


def origin_fields(ip_address: str | None, country: str | None) -> dict[str, object]:
    """The fields a use updates: where from, when known."""
    found: dict[str, object] = {}
    if ip_address:
        found["ip_address"] = ip_address
    if country:
        found["country"] = country
    return found
