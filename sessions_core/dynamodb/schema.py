"""The DynamoDB table, declared once for code: `create_table()`, the local server and the
tests build it from here, and a contract test holds `template.yaml` to the same shape.
"""

from __future__ import annotations

from typing import Any, Final

TTL_ATTRIBUTE: Final = "ttl"
USER_INDEX: Final = "byUser"
EXPIRY_INDEX: Final = "byExpiry"
ACTIVITY_INDEX: Final = "byActivity"
# The stream the events function reads: both images, so a change says what it changed.
STREAM_SPECIFICATION: Final = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}

# What a listing needs, and nothing secret (no token hash, no retired digests).
USER_INDEX_PROJECTION: Final = (
    "expiresAt",
    "metadata",
    "revokedAt",
    "revokedReason",
    "slidingExpiration",
    "boundUserAgent",
    "lifetimeMs",
    "lastActiveAt",
    "device",
    "ipAddress",
    "country",
    "absoluteExpiresAt",
    "authenticatedAt",
    "aal",
    "limited",
)

ATTRIBUTE_DEFINITIONS: Final = [
    {"AttributeName": "id", "AttributeType": "S"},
    {"AttributeName": "userId", "AttributeType": "S"},
    {"AttributeName": "createdAt", "AttributeType": "N"},
    {"AttributeName": "expiryBucket", "AttributeType": "S"},
    {"AttributeName": "expiresAt", "AttributeType": "N"},
    {"AttributeName": "activityUser", "AttributeType": "S"},
    {"AttributeName": "activityAt", "AttributeType": "N"},
]

KEY_SCHEMA: Final = [{"AttributeName": "id", "KeyType": "HASH"}]

GLOBAL_SECONDARY_INDEXES: Final = [
    {
        "IndexName": USER_INDEX,
        "KeySchema": [
            {"AttributeName": "userId", "KeyType": "HASH"},
            {"AttributeName": "createdAt", "KeyType": "RANGE"},
        ],
        "Projection": {
            "ProjectionType": "INCLUDE",
            "NonKeyAttributes": list(USER_INDEX_PROJECTION),
        },
    },
    {
        # Cleanup reads only what has expired: each shard sorted by expiry, so one
        # query per shard finds exactly what is over.
        "IndexName": EXPIRY_INDEX,
        "KeySchema": [
            {"AttributeName": "expiryBucket", "KeyType": "HASH"},
            {"AttributeName": "expiresAt", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
    },
    {
        # A user's security log, newest first: only activity items carry these keys.
        "IndexName": ACTIVITY_INDEX,
        "KeySchema": [
            {"AttributeName": "activityUser", "KeyType": "HASH"},
            {"AttributeName": "activityAt", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    },
]


def create_table_request(table_name: str) -> dict[str, Any]:
    """The ``CreateTable`` arguments for the sessions table (on-demand, SSE on)."""
    return {
        "TableName": table_name,
        "AttributeDefinitions": [dict(a) for a in ATTRIBUTE_DEFINITIONS],
        "KeySchema": [dict(k) for k in KEY_SCHEMA],
        "GlobalSecondaryIndexes": [dict(g) for g in GLOBAL_SECONDARY_INDEXES],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True},
        "StreamSpecification": dict(STREAM_SPECIFICATION),
    }


# The revocation feed's table: one item per entry or packed second, read by Query.
FEED_ATTRIBUTE_DEFINITIONS: Final = [
    {"AttributeName": "p", "AttributeType": "S"},
    {"AttributeName": "s", "AttributeType": "S"},
]
FEED_KEY_SCHEMA: Final = [
    {"AttributeName": "p", "KeyType": "HASH"},
    {"AttributeName": "s", "KeyType": "RANGE"},
]


def create_feed_table_request(table_name: str) -> dict[str, Any]:
    """The ``CreateTable`` arguments for the feed table (on-demand, SSE on, no
    stream: nothing reads its changes)."""
    return {
        "TableName": table_name,
        "AttributeDefinitions": [dict(a) for a in FEED_ATTRIBUTE_DEFINITIONS],
        "KeySchema": [dict(k) for k in FEED_KEY_SCHEMA],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True},
    }
