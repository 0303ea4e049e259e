"""`Table`: one DynamoDB table, its client, and the only place its calls are made.

Every operation the store, cleanup and setup need is a typed method here, and every
botocore failure leaves through `errors.translate` (one ``translated()`` block, not one
``except`` per call site). Items are low-level attribute-value dicts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from sessions_core.dynamodb.errors import translate
from sessions_core.errors import StoreUnavailableError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.literals import ReturnValueType
    from mypy_boto3_dynamodb.type_defs import (
        DeleteItemInputTypeDef,
        PutItemInputTypeDef,
        QueryInputTypeDef,
        UpdateItemInputTypeDef,
    )

Item = dict[str, Any]

_BATCH_ATTEMPTS = 4
_WRITE_BATCH = 25  # BatchWriteItem's limit
_BATCH_BACKOFF_SECONDS = 0.02


@dataclass(frozen=True)
class Expression:
    """The expression parts of a write or a query: what to change, the guard, and the
    names and values they use."""

    update: str | None = None
    condition: str | None = None
    names: Mapping[str, str] | None = None
    values: Mapping[str, Any] | None = None


class Table:
    """A DynamoDB table by name, over one client.

    Args:
        name: the table.
        client: a boto3/botocore DynamoDB client.
        page_size: ``Limit`` of each query page (None: DynamoDB's 1 MB pages); tests
            make it small to walk the continuation paths.
    """

    def __init__(self, name: str, client: DynamoDBClient, *, page_size: int | None = None) -> None:
        self.name = name
        self.client = client
        self.page_size = page_size

    @contextmanager
    def translated(self) -> Iterator[None]:
        """Run DynamoDB calls; a botocore failure becomes its `SessionError`."""
        try:
            yield
        except (ClientError, BotoCoreError) as error:
            raise translate(error, self.name) from error

    # -- reads -----------------------------------------------------------------------

    def get(self, key: Item, *, consistent: bool = True) -> Item | None:
        """GetItem: the item, or None."""
        with self.translated():
            answer = self.client.get_item(TableName=self.name, Key=key, ConsistentRead=consistent)
        return answer.get("Item")

    def batch_get(self, keys: list[Item], *, consistent: bool = True) -> dict[str, Item]:
        """BatchGetItem of at most 100 keys, unprocessed keys retried with a short
        backoff; the items found, by their ``id``.

        Raises:
            StoreUnavailableError: keys were still unprocessed after the retries.
        """
        pending: dict[str, Any] = {self.name: {"Keys": keys, "ConsistentRead": consistent}}
        found: dict[str, Item] = {}
        for attempt in range(_BATCH_ATTEMPTS):
            with self.translated():
                answer = self.client.batch_get_item(RequestItems=pending)
            for item in answer.get("Responses", {}).get(self.name, []):
                found[item["id"]["S"]] = item
            pending = dict(answer.get("UnprocessedKeys") or {})
            if not pending:
                return found
            time.sleep(_BATCH_BACKOFF_SECONDS * 2**attempt)
        raise StoreUnavailableError("DynamoDB left keys unprocessed (throttled)")

    def query(
        self,
        index: str | None,
        key_condition: Expression,
        *,
        filter_expression: str | None = None,
        newest_first: bool = False,
        consistent: bool = False,
    ) -> Iterator[list[Item]]:
        """Query ``index`` (None: the table itself) page by page to the last one
        (``key_condition.condition`` is the KeyConditionExpression); ``consistent``
        reads strongly (the table only: indexes cannot)."""
        request: QueryInputTypeDef = {
            "TableName": self.name,
            "KeyConditionExpression": key_condition.condition or "",
            "ScanIndexForward": not newest_first,
        }
        if index is not None:
            request["IndexName"] = index
        if consistent:
            request["ConsistentRead"] = True
        if key_condition.values:
            request["ExpressionAttributeValues"] = key_condition.values
        if key_condition.names:
            request["ExpressionAttributeNames"] = key_condition.names
        if filter_expression:
            request["FilterExpression"] = filter_expression
        if self.page_size:
            request["Limit"] = self.page_size
        while True:
            with self.translated():
                page = self.client.query(**request)
            yield page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # -- writes ----------------------------------------------------------------------

    def put(
        self, item: Item, guard: Expression | None = None, *, old_on_failure: bool = False
    ) -> None:
        """PutItem, guarded by ``guard.condition`` when given.

        Raises:
            ConditionFailedError: the guard failed (with the item as it stood when
                ``old_on_failure``).
        """
        request: PutItemInputTypeDef = {"TableName": self.name, "Item": item}
        if guard is not None:
            _guard(request, guard)
        if old_on_failure:
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        with self.translated():
            self.client.put_item(**request)

    def update(
        self,
        key: Item,
        change: Expression,
        *,
        returning: ReturnValueType = "NONE",
        old_on_failure: bool = False,
    ) -> Item:
        """UpdateItem; the attributes ``returning`` asks for (empty for NONE).

        Raises:
            ConditionFailedError: the guard failed (with the item as it stood when
                ``old_on_failure``).
        """
        request: UpdateItemInputTypeDef = {
            "TableName": self.name,
            "Key": key,
            "UpdateExpression": change.update or "",
            "ReturnValues": returning,
        }
        _guard(request, change)
        if old_on_failure:
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        with self.translated():
            answer = self.client.update_item(**request)
        return dict(answer.get("Attributes") or {})

    def delete(self, key: Item, guard: Expression | None = None) -> bool:
        """DeleteItem, guarded by ``guard.condition`` when given (idempotent without);
        True when there was an item to delete.

        Raises:
            ConditionFailedError: the guard failed.
        """
        request: DeleteItemInputTypeDef = {"TableName": self.name, "Key": key}
        if guard is not None:
            _guard(request, guard)
        request["ReturnValues"] = "ALL_OLD"
        with self.translated():
            answer = self.client.delete_item(**request)
        return bool(answer.get("Attributes"))

    def put_many(self, items: list[Item]) -> None:
        """BatchWriteItem puts, 25 items a request (unconditional), unprocessed ones
        retried with a short backoff.

        Raises:
            StoreUnavailableError: items were still unprocessed after the retries.
        """
        self._write_batches([{"PutRequest": {"Item": item}} for item in items])

    def delete_many(self, keys: list[Item]) -> None:
        """BatchWriteItem deletes, 25 keys a request (unconditional: for items that
        must go whatever they hold), unprocessed ones retried.

        Raises:
            StoreUnavailableError: keys were still unprocessed after the retries.
        """
        self._write_batches([{"DeleteRequest": {"Key": k}} for k in keys])

    def _write_batches(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), _WRITE_BATCH):
            pending: dict[str, Any] = {self.name: requests[start : start + _WRITE_BATCH]}
            for attempt in range(_BATCH_ATTEMPTS):
                with self.translated():
                    answer = self.client.batch_write_item(RequestItems=pending)
                pending = dict(answer.get("UnprocessedItems") or {})
                if not pending:
                    break
                time.sleep(_BATCH_BACKOFF_SECONDS * 2**attempt)
            else:
                raise StoreUnavailableError("DynamoDB left writes unprocessed (throttled)")


def _guard(
    request: PutItemInputTypeDef | UpdateItemInputTypeDef | DeleteItemInputTypeDef,
    expression: Expression,
) -> None:
    if expression.condition:
        request["ConditionExpression"] = expression.condition
    if expression.names:
        request["ExpressionAttributeNames"] = expression.names
    if expression.values:
        request["ExpressionAttributeValues"] = expression.values
