"""`TablePart`: what every part of the DynamoDB store works with. The store
(`store.DynamoDBSessionStore`) is the sum of its parts, each implementing its share of
the `SessionStore` protocol directly on the table, under one layout (the prefix)."""

from __future__ import annotations

from datetime import timedelta

from sessions_core.dynamodb.layout import Layout
from sessions_core.dynamodb.table import Table


class TablePart:
    """The table, its layout, and how reads of it are made."""

    table: Table
    layout: Layout
    # Strongly consistent reads of session items (an eventually consistent read could
    # accept a token revoked a moment ago).
    consistent: bool
    # How long the user indexes may take to show a write (erasure lists again after).
    lag: timedelta
