"""`DynamoDBSessionStore`: the store contract on one DynamoDB table (boto3 low-level).

One item per session, keyed by ``prefix + session id``; one marker item per 48-bit
user-hash prefix holding "revoked before" marks. Validate reads both in one
strongly consistent BatchGetItem; writes are single conditional UpdateItems.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from sessions_core.dynamodb_client import make_client
from sessions_core.dynamodb_errors import ConditionFailedError, CorruptItemError, translate
from sessions_core.dynamodb_items import (
    EXPIRY_SET,
    Item,
    expiry_values,
    item_to_marker,
    item_to_session,
    marker_attribute,
    num,
    session_to_item,
    to_ms,
)
from sessions_core.dynamodb_setup import create_table
from sessions_core.errors import StoreUnavailableError
from sessions_core.models import Session
from sessions_core.store import (
    Loaded,
    RevocationMarker,
    RotateResult,
    Rotation,
    SessionIdTakenError,
)
from sessions_core.table import TTL_ATTRIBUTE, USER_INDEX
from sessions_core.tokens import USER_PREFIX_BYTES, user_hash, user_marker_suffix

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger("sessions_core.dynamodb")

_BATCH_ATTEMPTS = 4


class DynamoDBSessionStore:
    """Sessions in a DynamoDB table shaped as `sessions_core.table` declares.

    Args:
        table_name: the table (``SESSIONS_TABLE`` in Lambda).
        client: a boto3 DynamoDB client; built from the environment when absent.
        consistent_reads: strongly consistent reads of session items (keep True:
            an eventually consistent read could accept a just-revoked token).
    """

    def __init__(
        self,
        table_name: str,
        *,
        client: DynamoDBClient | None = None,
        consistent_reads: bool = True,
    ) -> None:
        if client is None:
            client = make_client()
        self.table_name = table_name
        self.client = client
        self._consistent = consistent_reads

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """Run one DynamoDB operation; every failure leaves through `translate`."""
        try:
            response: dict[str, Any] = getattr(self.client, operation)(
                TableName=self.table_name, **kwargs
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(error, self.table_name) from error
        return response

    # -- table ---------------------------------------------------------------------

    def create_table(self) -> bool:
        """Create the table as `template.yaml` declares it, wait until it is active, and
        enable TTL where the server supports it. Idempotent. Returns True when it
        created the table.

        Raises:
            StoreUnavailableError, StoreConfigurationError: DynamoDB refused or failed.
        """
        return create_table(self)

    # -- keys ----------------------------------------------------------------------

    @staticmethod
    def _key(prefix: str, session_id: str) -> Item:
        return {"id": {"S": prefix + session_id}}

    @staticmethod
    def _marker_key(prefix: str, user_prefix_hex: str) -> Item:
        return {"id": {"S": f"{prefix}user:{user_prefix_hex}"}}

    # -- reads ---------------------------------------------------------------------

    def load(self, prefix: str, session_id: str) -> Loaded:
        """Session and marker in one BatchGetItem (unprocessed keys are retried)."""
        session_key = self._key(prefix, session_id)
        marker_key = self._marker_key(prefix, user_marker_suffix(session_id))
        pending: dict[str, Any] = {
            self.table_name: {"Keys": [session_key, marker_key], "ConsistentRead": self._consistent}
        }
        items: list[Item] = []
        for attempt in range(_BATCH_ATTEMPTS):
            response = self._batch_get(pending)
            items.extend(response.get("Responses", {}).get(self.table_name, []))
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                break
            time.sleep(0.02 * 2**attempt)
        else:
            raise StoreUnavailableError("DynamoDB left keys unprocessed (throttled)")
        by_id = {item["id"]["S"]: item for item in items}
        session_item = by_id.get(session_key["id"]["S"])
        if session_item is None:
            return Loaded(None)
        session = item_to_session(prefix, session_item)
        marker = item_to_marker(by_id.get(marker_key["id"]["S"]), user_hash(session.user_id))
        return Loaded(session, marker)

    def _batch_get(self, request_items: dict[str, Any]) -> dict[str, Any]:
        try:
            response = cast(dict[str, Any], self.client.batch_get_item(RequestItems=request_items))
        except (ClientError, BotoCoreError) as error:
            raise translate(error, self.table_name) from error
        return response

    def get(self, prefix: str, session_id: str) -> Session | None:
        """One session (strongly consistent GetItem), or None."""
        item = self.call(
            "get_item", Key=self._key(prefix, session_id), ConsistentRead=self._consistent
        ).get("Item")
        return item_to_session(prefix, item) if item else None

    def list_user(self, prefix: str, user_id: str) -> list[Session]:
        """Query the user index to its last page, newest first; corrupt items skipped."""
        sessions: list[Session] = []
        query: dict[str, Any] = {
            "IndexName": USER_INDEX,
            "KeyConditionExpression": "userId = :u",
            "FilterExpression": "begins_with(id, :p)",
            "ExpressionAttributeValues": {":u": {"S": user_id}, ":p": {"S": prefix}},
            "ScanIndexForward": False,
        }
        while True:
            page = self.call("query", **query)
            for item in page.get("Items", []):
                try:
                    sessions.append(item_to_session(prefix, item))
                except CorruptItemError:
                    logger.error("skipping a malformed session item in the user index")
            if "LastEvaluatedKey" not in page:
                return sessions
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def load_marker(self, prefix: str, user_id: str) -> RevocationMarker | None:
        """The user's revocation marker (strongly consistent GetItem)."""
        digest = user_hash(user_id)
        item = self.call(
            "get_item",
            Key=self._marker_key(prefix, digest[: USER_PREFIX_BYTES * 2]),
            ConsistentRead=True,
        ).get("Item")
        return item_to_marker(item, digest)

    # -- writes --------------------------------------------------------------------

    def _update(self, prefix: str, session_id: str, **kwargs: Any) -> bool:
        """A conditional UpdateItem: True when written, False when the guard failed."""
        try:
            self.call("update_item", Key=self._key(prefix, session_id), **kwargs)
        except ConditionFailedError:
            return False
        return True

    def insert(self, prefix: str, session: Session) -> None:
        """PutItem guarded by ``attribute_not_exists(id)``; a retry that meets its own
        earlier write counts as success."""
        try:
            self.call(
                "put_item",
                Item=session_to_item(prefix, session),
                ConditionExpression="attribute_not_exists(id)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ConditionFailedError as error:
            existing = error.item or {}
            if existing.get("tokenHash", {}).get("S") == session.token_hash:
                # Our own write landed but its answer was lost (timeout, throttled
                # response) and botocore retried: the session is stored exactly once.
                return
            raise SessionIdTakenError(session.id) from error

    def rotate(self, prefix: str, session_id: str, rotation: Rotation) -> RotateResult:
        """UpdateItem guarded by the expected token hash; on failure the item as it
        stands comes from ``ALL_OLD`` or, where a server omits it, a fresh read."""
        values = {
            ":expected": {"S": rotation.expected_token_hash},
            ":hash": {"S": rotation.token_hash},
            ":prev": {"S": rotation.previous_token_hash},
            ":at": num(to_ms(rotation.rotated_at)),
            **expiry_values(prefix, session_id, rotation.expires_at),
        }
        try:
            self.call(
                "update_item",
                Key=self._key(prefix, session_id),
                UpdateExpression="SET tokenHash = :hash, prevTokenHash = :prev, rotatedAt = :at, "
                "lastActiveAt = :at, " + EXPIRY_SET,
                ConditionExpression="tokenHash = :expected AND attribute_not_exists(revokedAt)",
                ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues=values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ConditionFailedError as error:
            if error.item:
                return RotateResult(False, item_to_session(prefix, error.item))
            return RotateResult(False, self.get(prefix, session_id))
        return RotateResult(True, None)

    def extend(
        self,
        prefix: str,
        session_id: str,
        *,
        expected: datetime,
        expires_at: datetime,
        now: datetime,
    ) -> bool:
        """Sliding extension guarded by the expiry it replaces."""
        return self._update(
            prefix,
            session_id,
            UpdateExpression="SET lastActiveAt = :now, " + EXPIRY_SET,
            ConditionExpression="expiresAt = :expected AND attribute_not_exists(revokedAt)",
            ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
            ExpressionAttributeValues={
                ":expected": num(to_ms(expected)),
                ":now": num(to_ms(now)),
                **expiry_values(prefix, session_id, expires_at),
            },
        )

    def revoke(
        self, prefix: str, session_id: str, *, at: datetime, live_at: datetime | None = None
    ) -> bool:
        """Tombstone guarded by existence and "not revoked yet" (and "still live")."""
        condition = "attribute_exists(id) AND attribute_not_exists(revokedAt)"
        values: dict[str, Any] = {":at": num(to_ms(at))}
        if live_at is not None:
            condition += " AND expiresAt > :live"
            values[":live"] = num(to_ms(live_at))
        return self._update(
            prefix,
            session_id,
            UpdateExpression="SET revokedAt = :at",
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )

    def put_marker(
        self, prefix: str, user_id: str, marker: RevocationMarker, *, expires_at: datetime
    ) -> None:
        """Set the user's mark unless a later one is there; the item expires with it."""
        digest = user_hash(user_id)
        user_prefix = digest[: USER_PREFIX_BYTES * 2]
        mark: dict[str, Any] = {"t": num(to_ms(marker.revoked_before))}
        if marker.keep_session_id:
            mark["keep"] = {"S": marker.keep_session_id}
        try:
            self.call(
                "update_item",
                Key=self._marker_key(prefix, user_prefix),
                UpdateExpression="SET #mark = :mark, " + EXPIRY_SET,
                ConditionExpression="attribute_not_exists(#mark) OR #mark.t < :t",
                ExpressionAttributeNames={"#mark": marker_attribute(digest), "#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":mark": {"M": mark},
                    ":t": mark["t"],
                    **expiry_values(prefix, "user:" + user_prefix, expires_at),
                },
            )
        except ConditionFailedError:
            logger.info("a later revocation marker is already in place")

    def purge_expired(self, prefix: str, now: datetime, limit: int | None = None) -> int:
        """Delete expired items found through the expiry index (see `dynamodb_cleanup`)."""
        # Imported here: only the cleanup function runs it, not the hot-path Lambdas.
        from sessions_core.dynamodb_cleanup import purge_expired  # noqa: PLC0415

        return purge_expired(self, prefix, now, limit)
