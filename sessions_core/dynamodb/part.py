"""`TablePart`: what every part of the DynamoDB store works with. The store
(`store.DynamoDBSessionStore`) is the sum of its parts, each implementing its share of
the `SessionStore` protocol directly on the table, under one layout (the prefix)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sessions_core.dynamodb.layout import Layout
from sessions_core.dynamodb.table import Table

if TYPE_CHECKING:
    # Only for the annotation: the access-token authorizer reads the feed through a
    # part and must not import the session models (a fifth of its cold start).
    from sessions_core.dynamodb.recent_sessions import RecentSessions


class TablePart:
    """The table, its layout, and how reads of it are made."""

    table: Table
    layout: Layout
    # What a validation's read decodes through (under `layout`).
    recent: RecentSessions
    # Strongly consistent reads of session items (an eventually consistent read could
    # accept a token revoked a moment ago).
    consistent: bool
    # How long the user indexes may take to show a write (erasure lists again after).
    lag: timedelta
