"""What Lambda's event source mapping does for the events function, for `sessions serve`:
read the embedded table's stream and hand each batch of records to the same
`StreamProcessor` the function runs, retrying from a failed record.

`serve` runs for hours, and moto keeps every shard iterator it hands out (each
GetRecords answer makes a new one). So the poller tells `forget` each iterator it has
used; for the embedded moto that drops it from moto's memory, which then stays flat
however long the server polls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.config import Config

from handlers.stream_processor import StreamProcessor, passes_filter
from sessions_core import DynamoDBSessionStore
from sessions_core.dynamodb.client import client_config

logger = logging.getLogger("sessions.serve")

_BATCH = 100


class StreamPoller:
    """Polls one table's stream (every shard) and processes what it finds."""

    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        processor: StreamProcessor,
        *,
        interval: float = 1.0,
        forget: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.streams = streams
        self.stream_arn = stream_arn
        self.processor = processor
        self.interval = interval
        self.forget = forget
        self._iterators: dict[str, str] = {}  # shard id -> the iterator to read next
        self._stop = threading.Event()

    def poll_once(self) -> int:
        """Read every shard once and process what arrived; how many records."""
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        seen = 0
        for shard in shards["Shards"]:
            shard_id = shard["ShardId"]
            iterator = self._iterators.get(shard_id) or self._iterator(
                shard_id, ShardIteratorType="TRIM_HORIZON"
            )
            page = self.streams.get_records(ShardIterator=iterator, Limit=_BATCH)
            self.forget(iterator)
            records = [
                {**r, "eventSourceARN": self.stream_arn}
                for r in page["Records"]
                if passes_filter(r)
            ]
            following = page.get("NextShardIterator")
            if records:
                seen += len(records)
                failed = self.processor.process(records)["batchItemFailures"]
                if failed:  # read again from the failed record next time
                    if following:
                        self.forget(following)
                    following = self._iterator(
                        shard_id,
                        ShardIteratorType="AT_SEQUENCE_NUMBER",
                        SequenceNumber=failed[0]["itemIdentifier"],
                    )
            if following:
                self._iterators[shard_id] = following
            else:
                self._iterators.pop(shard_id, None)
        return seen

    def _iterator(self, shard_id: str, **position: str) -> str:
        answer = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard_id, **position
        )
        return str(answer["ShardIterator"])

    def run_forever(self) -> None:
        """Poll until `stop`; a failing poll is logged and tried again."""
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as error:  # the server keeps serving without events
                logger.warning("stream poll failed: %s", type(error).__name__)
            self._stop.wait(self.interval)

    def start(self) -> threading.Thread:
        """Poll in a daemon thread."""
        thread = threading.Thread(target=self.run_forever, name="stream-poller", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Stop after the current poll."""
        self._stop.set()


def forget_in_embedded_moto(iterator: str) -> None:
    """Drop a used shard iterator from the embedded moto's memory (see the module doc)."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    for regions in dynamodbstreams_backends.values():
        for backend in regions.values():
            backend.shard_iterators.pop(iterator, None)


def streams_client(store: DynamoDBSessionStore, credentials: tuple[str, str] | None = None) -> Any:
    """A DynamoDB Streams client beside ``store``'s client (same endpoint and region;
    ``credentials`` as the store's client was given them, if it was).

    Account-id endpoints (``<account>.streams-ddb...``), which botocore picks for stream
    ARNs, are unknown to moto and to local servers: they are turned off.
    """
    endpoint = store.client.meta.endpoint_url
    key, secret = credentials or (None, None)
    return botocore.session.get_session().create_client(
        "dynamodbstreams",
        region_name=store.client.meta.region_name,
        endpoint_url=None if "amazonaws.com" in endpoint else endpoint,
        config=client_config().merge(Config(account_id_endpoint_mode="disabled")),
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )


def read_stream(
    store: DynamoDBSessionStore, after: str | None = None
) -> list[dict[str, Any]] | None:
    """Every record of ``store``'s table stream (after sequence number ``after``), with
    its ``eventSourceARN``, as an event source mapping hands them over; None when the
    table has no stream (dynalite)."""
    arn = store.client.describe_table(TableName=store.table_name)["Table"].get("LatestStreamArn")
    if not arn:
        return None
    streams = streams_client(store)
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        position: dict[str, str] = {"ShardIteratorType": "TRIM_HORIZON"}
        if after is not None:
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], **position)[
            "ShardIterator"
        ]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            records.extend({**r, "eventSourceARN": arn} for r in page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return records
