"""The store's share of the revocation feed: it lives in a table of its own
(`feed_table.FeedTable`), whose answers also tell the store DynamoDB's time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sessions_core.clock import StoreClock
from sessions_core.dynamodb.feed_table import FeedTable
from sessions_core.dynamodb.part import TablePart
from sessions_core.revocation_feed import FeedEntry


class FeedPart(TablePart):
    """The store's `feed`, `server_clock`, `append_revocations` and `read_revocations`."""

    feed_table: FeedTable

    @property
    def feed(self) -> FeedTable:
        """The revocation feed under this store's prefix."""
        return self.feed_table

    @property
    def server_clock(self) -> StoreClock:
        """DynamoDB's clock, from the ``Date`` of the client's answers."""
        return self.feed_table.clock

    def append_revocations(self, entries: list[FeedEntry], now: Callable[[], datetime]) -> None:
        """Write ``entries`` to the feed table (`FeedTable.append`)."""
        self.feed_table.append(entries, now)

    def read_revocations(self, since: datetime, until: datetime) -> list[FeedEntry]:
        """Every entry stamped from ``since`` to ``until`` (`FeedTable.entries`)."""
        return self.feed_table.entries(since, until)
