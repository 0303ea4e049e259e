"""`DynamoDBSessionStore`: the store contract on one DynamoDB table.

One item per session, keyed by ``prefix + session id``; one per-user item per 48-bit
keyed user location holding "revoked before" marks and admissions. Validate reads both
in one strongly consistent BatchGetItem; writes are single conditional requests. The
store is the sum of its parts (`part.TablePart`), each implementing its share of the
`SessionStore` protocol on the table; this module only builds them on one table and
one prefix.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sessions_core.config import DEFAULT_PREFIX
from sessions_core.dynamodb.activity_items import ActivityItems
from sessions_core.dynamodb.cleanup import Cleanup
from sessions_core.dynamodb.client import make_client
from sessions_core.dynamodb.erasure import Erasure
from sessions_core.dynamodb.feed_part import FeedPart
from sessions_core.dynamodb.feed_table import FeedTable, feed_table_name
from sessions_core.dynamodb.items import DEFAULT_EXPIRY_SHARDS, Layout
from sessions_core.dynamodb.login_counters import LoginCounters
from sessions_core.dynamodb.recent_sessions import RecentSessions
from sessions_core.dynamodb.session_reads import SessionReads
from sessions_core.dynamodb.session_writes import SessionWrites
from sessions_core.dynamodb.setup import create_table
from sessions_core.dynamodb.table import Table
from sessions_core.dynamodb.user_writes import UserItems

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# GSI propagation is typically well under a second; erasure reads again after this.
INDEX_LAG = timedelta(seconds=1)


class DynamoDBSessionStore(
    SessionReads,
    SessionWrites,
    UserItems,
    ActivityItems,
    LoginCounters,
    FeedPart,
    Erasure,
    Cleanup,
):
    """Sessions in a DynamoDB table shaped as `schema` (and template.yaml) declares.

    Args:
        table_name: the table (``SESSIONS_TABLE`` in Lambda).
        client: a boto3 DynamoDB client; built from the environment when absent.
        consistent_reads: strongly consistent reads of session items (keep True:
            an eventually consistent read could accept a just-revoked token).
        expiry_shards: partitions of the expiry index (`items.Layout`).
        page_size: ``Limit`` of each query page (tests make it small).
        index_lag: how long the user index may take to show a write; erasure lists
            again after it (0 for local servers, whose indexes are synchronous).
        feed_table: the revocation feed's table (default ``<table_name>-feed``, as
            template.yaml names it): every revocation is written there.
        feed_replicas: how many copies of the packed feed the compactor writes
            (verifiers of a large fleet each read one).
        system_clock: this machine's clock, compared with DynamoDB's (tests skew it).

    Keys are under the ``session:`` namespace; `SessionConfig.prefix` chooses another
    (`with_prefix`), the one place a prefix is set.
    """

    def __init__(
        self,
        table_name: str,
        *,
        client: DynamoDBClient | None = None,
        consistent_reads: bool = True,
        expiry_shards: int = DEFAULT_EXPIRY_SHARDS,
        page_size: int | None = None,
        index_lag: timedelta = INDEX_LAG,
        feed_table: str | None = None,
        feed_replicas: int = 1,
        system_clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.table = Table(table_name, client or make_client(), page_size=page_size)
        self.feed_table = FeedTable(
            feed_table or feed_table_name(table_name),
            self.table.client,
            DEFAULT_PREFIX,
            replicas=feed_replicas,
            system_clock=system_clock,
            page_size=page_size,
        )
        self.layout = Layout(DEFAULT_PREFIX, expiry_shards)
        self.recent = RecentSessions(self.layout)
        self.consistent = consistent_reads
        self.lag = index_lag

    @property
    def table_name(self) -> str:
        """The table's name."""
        return self.table.name

    @property
    def client(self) -> DynamoDBClient:
        """The DynamoDB client (tests hook its events)."""
        return self.table.client

    @property
    def prefix(self) -> str:
        """The namespace of every key."""
        return self.layout.prefix

    @property
    def index_lag(self) -> timedelta:
        """How long DynamoDB's (eventually consistent) indexes may take to show a write."""
        return self.lag

    def with_prefix(self, prefix: str) -> DynamoDBSessionStore:
        """The same table and client under ``prefix``."""
        if prefix == self.prefix:
            return self
        view = copy.copy(self)
        view.layout = Layout(prefix, self.layout.shards)
        view.feed_table = self.feed_table.with_prefix(prefix)
        view.recent = RecentSessions(view.layout)
        return view

    def create_table(self) -> bool:
        """Create the table and its feed table as `template.yaml` declares them, wait
        until they are active, and enable TTL and point-in-time recovery where the
        server supports them. Idempotent. Returns True when it created the sessions
        table.

        Raises:
            StoreUnavailableError, StoreConfigurationError: DynamoDB refused or failed.
        """
        created = create_table(self.table)
        create_table(self.feed_table.table, feed=True)
        return created
