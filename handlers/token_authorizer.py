"""The authorizer's access token checks: verified locally against the key set it holds,
then checked against its snapshot of the revocation feed. Zero DynamoDB requests per
authorization while the snapshot is fresh.

Lambda freezes idle containers, so nothing reads in the background: a request is
decided on a snapshot whose read began at most ``SESSIONS_REVOCATION_POLL_SECONDS``
ago, else it reads first. A cold container reads the packed seconds (about 8 bytes a
revoked session) and the entries since packing stopped; a warm one, the entries since
its last read, a few seconds before (one Query per shard: what is new, never what
exists). With ``SESSIONS_FEED_READS=packed`` (large fleets) it reads only the packed
seconds of its replica, one Query. Deployed, the key set is read when it is due (every
5 minutes, or an unknown kid at most once a minute). If a read fails, the last snapshot
serves until ``SESSIONS_REVOCATION_MAX_STALENESS_SECONDS`` after what it covers; then
access tokens are denied until a read succeeds (fail closed).

Light on purpose: no models, no HTTP framework (the authorizer's cold path).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from handlers.token_keys import LOCAL_ISSUER
from sessions_core.access_tokens import AccessTokenClaims, AccessTokenPolicy
from sessions_core.dynamodb.feed_table import FeedTable
from sessions_core.dynamodb.key_set_item import key_set_of
from sessions_core.dynamodb.layout import Layout
from sessions_core.errors import InvalidAccessTokenError, KeyConfigurationError, SessionError
from sessions_core.feed_snapshot import FeedSnapshot
from sessions_core.revocation_feed import REPACK, SETTLE, TokenFacts, to_ms
from sessions_core.signing_keys import KeyEntry, KeySet, Signer
from sessions_core.token_service import AccessTokens, CachedKeys, KeySource

if TYPE_CHECKING:
    from handlers.settings import Settings
    from sessions_core.dynamodb.table import Table

logger = logging.getLogger("sessions.authorizer")
# After a failed read, the next try waits this long: a DynamoDB outage must not turn
# every authorization into a request.
RETRY_AFTER = timedelta(seconds=1)


class FeedReader:
    """The snapshot of the feed, and the reads that refresh it."""

    def __init__(self, feed: FeedTable, *, packed: bool = False) -> None:
        self.feed = feed
        self.packed = packed
        self.snapshot = FeedSnapshot()
        self.reads = 0
        self._packed_seen: datetime | None = None
        self._lock = threading.Lock()

    def refresh(self, now: datetime) -> None:
        """Read what the snapshot needs since its last read.

        Raises:
            StoreUnavailableError, CorruptItemError: the read failed.
        """
        with self._lock:
            snapshot = self.snapshot
            since, until = snapshot.window(now)
            if self.packed or snapshot.covered_until is None:
                # The last seconds before where packing had reached may have been
                # packed again since, with late entries: read them again.
                seen = self._packed_seen
                after = to_ms(seen - REPACK) - 1 if seen else to_ms(since) - 1
                segments, packed = self.feed.segments(after)
                self._packed_seen = packed or seen
                snapshot.merge_segments(
                    segments,
                    packed_until=packed - SETTLE if packed is not None else None,
                    began=now,
                )
                if packed is not None and packed - REPACK > since:
                    since = packed - REPACK
            if not self.packed:
                snapshot.merge_entries(self.feed.entries(since, until), began=now)
            self.reads += 1


class KeySetItemRead(KeySource):
    """The deployed key set: its item in the sessions table (one GetItem when due)."""

    def __init__(self, table: Table, layout: Layout) -> None:
        self.table = table
        self.key = layout.signing_keys_key()

    def load(self, now: datetime) -> KeySet:
        """The key set (empty while there is none).

        Raises:
            StoreUnavailableError, CorruptItemError: the read failed.
        """
        item = self.table.get(self.key)
        return key_set_of(item) if item else KeySet()

    def signer(self, entry: KeyEntry) -> Signer:
        """Never: the authorizer verifies only.

        Raises:
            KeyConfigurationError: always.
        """
        raise KeyConfigurationError("the authorizer does not sign")


class TokenAuthorizer:
    """Decides on access tokens for one audience (``SESSIONS_AUTHORIZER_AUDIENCE``)."""

    def __init__(
        self,
        settings: Settings,
        table: Table,
        feed: FeedTable,
        clock: Callable[[], datetime],
        *,
        source: KeySource | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.poll = settings.revocation_poll
        self.max_staleness = settings.revocation_max_staleness
        self.reader = FeedReader(feed, packed=settings.feed_reads == "packed")
        if source is None and settings.in_lambda:
            source = KeySetItemRead(table, Layout(settings.prefix, settings.expiry_shards))
        elif source is None:
            from sessions_core.local_signing_keys import LocalSigningKeys  # noqa: PLC0415

            source = LocalSigningKeys(settings.local_signing_keys_file)
        audience = settings.authorizer_audience or settings.token_audiences[0]
        issuer = settings.token_issuer or ("" if settings.in_lambda else LOCAL_ISSUER)
        policy = AccessTokenPolicy(issuer, (audience,), client_id=settings.token_client_id)
        self.tokens = AccessTokens(policy, CachedKeys(source, clock))
        self._retry_at: datetime | None = None

    def authorize(self, token: str) -> AccessTokenClaims | None:
        """The claims of a token that is valid and not revoked, else None (never an
        exception: what cannot be decided is a deny)."""
        try:
            claims, kid = self.tokens.verify_signed(token)
        except InvalidAccessTokenError:
            return None
        except SessionError as error:  # the key set cannot be read: deny, never raise
            logger.error("access token not verified: %s", error.code)
            return None
        now = self.clock()  # on DynamoDB's time, as the stamps are
        if not self._fresh_enough(now):
            return None
        facts = TokenFacts(
            claims.sid,
            self.settings.keys.ref_for_session(claims.sub, claims.sid),
            datetime.fromtimestamp(claims.sct / 1000, UTC),
            datetime.fromtimestamp(claims.iat, UTC),
            kid,
        )
        return None if self.reader.snapshot.denies(facts) else claims

    def _fresh_enough(self, now: datetime) -> bool:
        snapshot = self.reader.snapshot
        age = snapshot.age(now)
        if (age is None or age > self.poll) and (self._retry_at is None or now >= self._retry_at):
            try:
                self.reader.refresh(now)
                self._retry_at = None
            except SessionError as error:
                self._retry_at = now + RETRY_AFTER
                logger.error("revocation feed unreadable: %s", error.code)
        staleness = snapshot.staleness(now)
        return staleness is not None and staleness <= self.max_staleness
