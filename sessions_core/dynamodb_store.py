"""`DynamoDBSessionStore`: the store contract on one DynamoDB table (boto3 low-level).

One item per session, keyed by ``prefix + session id``; one per-user item per 48-bit
keyed user location holding "revoked before" marks. Validate reads both in one
strongly consistent BatchGetItem; writes are single conditional UpdateItems.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from sessions_core.dynamodb_client import make_client
from sessions_core.dynamodb_errors import ConditionFailedError, CorruptItemError, translate
from sessions_core.dynamodb_items import (
    EXPIRY_SET,
    Item,
    expiry_attributes,
    expiry_values,
    from_ms,
    item_to_markers,
    item_to_session,
    marker_attribute,
    num,
    retired_bytes,
    session_to_item,
    to_ms,
)
from sessions_core.dynamodb_setup import create_table
from sessions_core.errors import StoreUnavailableError
from sessions_core.keys import UserRef, location_of
from sessions_core.models import RevokedReason, Session
from sessions_core.store import (
    Loaded,
    LoginFailures,
    RevocationMarker,
    RotateResult,
    Rotation,
    SessionIdTakenError,
)
from sessions_core.table import TTL_ATTRIBUTE, USER_INDEX

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
    def _marker_key(prefix: str, location: str) -> Item:
        return {"id": {"S": f"{prefix}user:{location}"}}

    # -- reads ---------------------------------------------------------------------

    def load(self, prefix: str, session_id: str) -> Loaded:
        """Session and marker in one BatchGetItem (unprocessed keys are retried)."""
        session_key = self._key(prefix, session_id)
        marker_key = self._marker_key(prefix, location_of(session_id))
        by_id = self._batch_get([session_key, marker_key], self._consistent)
        session_item = by_id.get(session_key["id"]["S"])
        if session_item is None:
            return Loaded(None)
        session = item_to_session(prefix, session_item)
        return Loaded(session, item_to_markers(by_id.get(marker_key["id"]["S"])))

    def _batch_get(self, keys: list[Item], consistent: bool) -> dict[str, Item]:
        """BatchGetItem of ``keys`` (unprocessed keys retried), items by ``id``."""
        pending: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": consistent}}
        items: list[Item] = []
        for attempt in range(_BATCH_ATTEMPTS):
            response = self._batch_get_once(pending)
            items.extend(response.get("Responses", {}).get(self.table_name, []))
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                return {item["id"]["S"]: item for item in items}
            time.sleep(0.02 * 2**attempt)
        raise StoreUnavailableError("DynamoDB left keys unprocessed (throttled)")

    def _batch_get_once(self, request_items: dict[str, Any]) -> dict[str, Any]:
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

    def load_markers(self, prefix: str, refs: list[UserRef]) -> dict[UserRef, RevocationMarker]:
        """The markers at ``refs`` (one strongly consistent BatchGetItem)."""
        locations = sorted({ref.location for ref in refs})
        by_id = self._batch_get([self._marker_key(prefix, loc) for loc in locations], True)
        found = {}
        for ref in refs:
            marks = item_to_markers(by_id.get(self._marker_key(prefix, ref.location)["id"]["S"]))
            if ref.tag in marks:
                found[ref] = marks[ref.tag]
        return found

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
            ":retired": {"B": retired_bytes(rotation.retired)},
            ":at": num(to_ms(rotation.rotated_at)),
            **expiry_values(prefix, session_id, rotation.expires_at),
        }
        try:
            self.call(
                "update_item",
                Key=self._key(prefix, session_id),
                UpdateExpression="SET tokenHash = :hash, retired = :retired, rotatedAt = :at, "
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
        self,
        prefix: str,
        session_id: str,
        *,
        at: datetime,
        reason: RevokedReason,
        live_at: datetime | None = None,
    ) -> bool:
        """Tombstone guarded by existence and "not revoked yet" (and "still live")."""
        condition = "attribute_exists(id) AND attribute_not_exists(revokedAt)"
        values: dict[str, Any] = {":at": num(to_ms(at)), ":why": {"S": reason}}
        if live_at is not None:
            condition += " AND expiresAt > :live"
            values[":live"] = num(to_ms(live_at))
        return self._update(
            prefix,
            session_id,
            UpdateExpression="SET revokedAt = :at, revokedReason = :why",
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )

    def put_marker(
        self, prefix: str, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime
    ) -> None:
        """Set the user's mark unless a later one is there; the item expires with it."""
        mark: dict[str, Any] = {"t": num(to_ms(marker.revoked_before))}
        if marker.keep_session_id:
            mark["keep"] = {"S": marker.keep_session_id}
        try:
            self.call(
                "update_item",
                Key=self._marker_key(prefix, ref.location),
                UpdateExpression="SET #mark = :mark, " + EXPIRY_SET,
                ConditionExpression="attribute_not_exists(#mark) OR #mark.t < :t",
                ExpressionAttributeNames={
                    "#mark": marker_attribute(ref.tag),
                    "#ttl": TTL_ATTRIBUTE,
                },
                ExpressionAttributeValues={
                    ":mark": {"M": mark},
                    ":t": mark["t"],
                    **expiry_values(prefix, "user:" + ref.location, expires_at),
                },
            )
        except ConditionFailedError:
            logger.info("a later revocation marker is already in place")

    # -- login failures (rule 16) ----------------------------------------------------

    @staticmethod
    def _login_key(prefix: str, ref: UserRef) -> Item:
        return {"id": {"S": f"{prefix}login:{ref.location}{ref.tag}"}}

    def login_failures(self, prefix: str, ref: UserRef) -> LoginFailures | None:
        """The counter item (strongly consistent GetItem), if any."""
        item = self.call("get_item", Key=self._login_key(prefix, ref), ConsistentRead=True).get(
            "Item"
        )
        return _failures(item) if item else None

    def add_login_failure(
        self, prefix: str, ref: UserRef, *, at: datetime, window: timedelta
    ) -> LoginFailures:
        """ADD to the counter while its window is open, else start it over; each branch
        is conditional, so concurrent failures are all counted."""
        key = self._login_key(prefix, ref)
        at_ms = to_ms(at)
        cutoff = num(at_ms - int(window / timedelta(milliseconds=1)))
        for _ in range(_BATCH_ATTEMPTS):
            try:
                answer = self.call(
                    "update_item",
                    Key=key,
                    UpdateExpression="ADD n :one",
                    ConditionExpression="attribute_exists(id) AND f > :cutoff",
                    ExpressionAttributeValues={":one": num(1), ":cutoff": cutoff},
                    ReturnValues="ALL_NEW",
                )
                return _failures(answer["Attributes"])
            except ConditionFailedError:
                pass
            try:
                self.call(
                    "put_item",
                    Item={
                        **key,
                        "n": num(1),
                        "f": num(at_ms),
                        **expiry_attributes(prefix, ref.tag, at + window),
                    },
                    ConditionExpression="attribute_not_exists(id) OR f <= :cutoff",
                    ExpressionAttributeValues={":cutoff": cutoff},
                )
                return LoginFailures(1, at)
            except ConditionFailedError:
                continue  # another failure opened the window first: count into it
        raise StoreUnavailableError("the login failure counter stayed contended")

    def clear_login_failures(self, prefix: str, ref: UserRef) -> None:
        """Delete the counter item (idempotent)."""
        self.call("delete_item", Key=self._login_key(prefix, ref))

    def purge_expired(self, prefix: str, now: datetime, limit: int | None = None) -> int:
        """Delete expired items found through the expiry index (see `dynamodb_cleanup`)."""
        # Imported here: only the cleanup function runs it, not the hot-path Lambdas.
        from sessions_core.dynamodb_cleanup import purge_expired  # noqa: PLC0415

        return purge_expired(self, prefix, now, limit)


def _failures(item: Item) -> LoginFailures:
    try:
        return LoginFailures(int(item["n"]["N"]), from_ms(item["f"]["N"]))
    except (KeyError, TypeError, ValueError) as error:
        raise CorruptItemError() from error
