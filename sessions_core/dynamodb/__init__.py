"""The DynamoDB store and its parts, one concern per module: ``schema`` (the table as
template.yaml declares it), ``client``, ``errors`` (the one translation of botocore
failures), ``table`` (the `Table` every call goes through), ``layout`` (where items
live), ``session_codec`` and ``user_items`` (item shapes), the parts of the store
(``part``), ``store`` itself, and ``setup``.

`DynamoDBSessionStore` is imported on first use, so a reader that needs only the table
(the authorizer's, for access tokens) does not load the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sessions_core.dynamodb.store import DynamoDBSessionStore

__all__ = ["DynamoDBSessionStore"]


def __getattr__(name: str) -> Any:
    if name != "DynamoDBSessionStore":
        raise AttributeError(f"module 'sessions_core.dynamodb' has no attribute {name!r}")
    from sessions_core.dynamodb.store import DynamoDBSessionStore  # noqa: PLC0415

    return DynamoDBSessionStore
