"""`RecentSessions`: an unchanged item is answered from memory, any change decodes anew."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sessions_core import InMemorySessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb import recent_sessions
from sessions_core.dynamodb.layout import Layout
from sessions_core.dynamodb.recent_sessions import RecentSessions
from sessions_core.dynamodb.session_codec import session_to_item
from sessions_core.dynamodb.table import Item
from sessions_core.errors import CorruptItemError
from tests.support import FakeClock

LAYOUT = Layout("session:")


def _items(count: int) -> list[Item]:
    manager = SessionManager(
        SessionConfig(InMemorySessionStore(), secret_key="k" * 32, clock=FakeClock())
    )
    sessions = [
        manager.create(user_id=f"u{n}", user_agent="Firefox/140.0", metadata={"n": n})
        for n in range(count)
    ]
    return [session_to_item(LAYOUT, session) for session in sessions]


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[Item]:
    """Every item the codec really decodes."""
    seen: list[Item] = []
    decode = recent_sessions.item_to_session

    def counted(layout: Layout, item: Item) -> Any:
        seen.append(item)
        return decode(layout, item)

    monkeypatch.setattr(recent_sessions, "item_to_session", counted)
    return seen


def test_recent_sessions_unchanged_item_is_decoded_once(decodes: list[Item]) -> None:
    # GIVEN an item decoded once; WHEN an equal copy comes back (botocore parses a
    # new dict per response) THEN the same session answers, without decoding.
    (item,) = _items(1)
    recent = RecentSessions(LAYOUT)
    first = recent.decode(item)
    again = recent.decode(copy.deepcopy(item))
    assert again is first
    assert len(decodes) == 1


@pytest.mark.parametrize(
    ("attribute", "value", "changed"),
    [
        ("revokedAt", {"N": "1700000000000"}, "revoked_at"),
        ("expiresAt", {"N": "1700000000000"}, "expires_at"),
        ("generation", {"N": "7"}, "generation"),
        ("lastActiveAt", {"N": "1700000000000"}, "last_active_at"),
    ],
)
def test_recent_sessions_changed_item_decodes_afresh(
    decodes: list[Item], attribute: str, value: Item, changed: str
) -> None:
    (item,) = _items(1)
    recent = RecentSessions(LAYOUT)
    before = recent.decode(item)
    written = {**copy.deepcopy(item), attribute: value}
    after = recent.decode(written)
    assert getattr(after, changed) != getattr(before, changed)
    assert len(decodes) == 2


def test_recent_sessions_holds_at_most_its_size_oldest_out(decodes: list[Item]) -> None:
    first, second, third = _items(3)
    recent = RecentSessions(LAYOUT, size=2)
    for item in (first, second, third):
        recent.decode(item)
    recent.decode(third)  # still held
    recent.decode(first)  # pushed out by the third
    assert [item["id"] for item in decodes] == [
        first["id"],
        second["id"],
        third["id"],
        first["id"],
    ]


def test_recent_sessions_corrupt_item_raises_every_time(decodes: list[Item]) -> None:
    (item,) = _items(1)
    corrupt = {key: value for key, value in item.items() if key != "userId"}
    recent = RecentSessions(LAYOUT)
    for _ in range(2):
        with pytest.raises(CorruptItemError):
            recent.decode(corrupt)
    assert len(decodes) == 2
