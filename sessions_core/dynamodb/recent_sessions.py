"""`RecentSessions`: the session items a store decoded last, with what they decoded to.

A warm Lambda validates the same few sessions again and again (a user's page views),
and an item that has not changed decodes to the same frozen `Session`. Comparing the
item with the one decoded last costs about 0.5 µs; decoding it again (pydantic's
construction of a session and its device) about 22 µs, half of the authorizer's own CPU
per request. Only an item equal in every attribute is answered from here, so a write
anywhere in the item (a rotation, a revocation, activity) decodes afresh.
"""

from __future__ import annotations

import threading

from sessions_core.dynamodb.layout import Layout
from sessions_core.dynamodb.session_codec import item_to_session
from sessions_core.dynamodb.table import Item
from sessions_core.models import Session

# Enough for the sessions one container serves at once; an entry is an item (under
# 1 kB) and its session, so the whole memory stays under a megabyte.
RECENT_SESSIONS: int = 256


class RecentSessions:
    """Decodes session items under one layout, remembering the last `RECENT_SESSIONS`."""

    def __init__(self, layout: Layout, size: int = RECENT_SESSIONS) -> None:
        self._layout = layout
        self._size = size
        self._recent: dict[str, tuple[Item, Session]] = {}
        # `sessions serve` validates on several threads; a Lambda on one.
        self._lock = threading.Lock()

    def decode(self, item: Item) -> Session:
        """``item`` as a `Session` (`session_codec.item_to_session`).

        Raises:
            CorruptItemError: a required field is missing or malformed.
        """
        session = self._seen(item)
        if session is not None:
            return session
        session = item_to_session(self._layout, item)
        key = item["id"]["S"]  # it decoded, so it has its key
        with self._lock:
            self._recent.pop(key, None)
            self._recent[key] = (item, session)
            while len(self._recent) > self._size:
                # Insertion order: the entry decoded longest ago goes first.
                del self._recent[next(iter(self._recent))]
        return session

    def _seen(self, item: Item) -> Session | None:
        key = item.get("id")
        if not isinstance(key, dict) or not isinstance(key.get("S"), str):
            return None
        with self._lock:
            seen = self._recent.get(key["S"])
        return seen[1] if seen is not None and seen[0] == item else None
