"""The revocation feed: what a verifier of access tokens must know to honour a
revocation made after the token was issued, without reading the session.

Every revocation that can affect a live access token is appended by the call that
revokes, before it returns, whatever built the manager: a session entry (every token of
that session is denied, whatever its ``iat``: session ids are never reused), a user
entry (a keyed user hash, never the user id, with ``revoked_before`` and the kept
session, compared with the token's ``sct`` exactly as a revoke-all marker is compared
with ``createdAt``), an entry for every token issued before a moment (incidents), or
one for every token a withdrawn signing key signed.

Each entry is an item of its own (under 1 KB, so a write costs the same however much
the feed holds), in a partition per hour and shard, sorted by the moment it was
stamped: a reader asks for what is new since it last read, minus `OVERLAP`. The
compactor (`feed_compactor`) packs each second into one small segment of 8-byte
hashes as it ends (and again while late entries may still appear, `REPACK`), which a
cold reader reads instead of the entries themselves.

Why `OVERLAP` suffices: a writer whose write took longer than `WRITE_BOUND` writes the
entry again with a fresh stamp, so an entry is visible within `WRITE_BOUND` of its
stamp; stamps and readers' clocks are DynamoDB's time (the ``Date`` header of its
answers, `dynamodb.server_time`) within `STAMP_ERROR` each.

Light on purpose (no models, no store): the authorizer decides with it on its cold path.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sessions_core.keys import UserRef
from sessions_core.signing_keys import MAX_TOKEN_LIFETIME, VERIFY_LEEWAY

# Partitions of the entries: one per hour and shard. Eight shards keep 1,000 sustained
# revocations a second at 125 write units per partition; a warm read is one Query
# per shard (two per shard in the rare poll that straddles an hour).
SHARDS = 8
PARTITION_SPAN = timedelta(hours=1)
RELEVANT_FOR = MAX_TOKEN_LIFETIME + VERIFY_LEEWAY
# How long an entry is kept: past its relevance, with time for the slowest reader.
ENTRY_LIFETIME = RELEVANT_FOR + timedelta(minutes=5)
# A write that takes longer than this is written again with a fresh stamp.
WRITE_BOUND = timedelta(seconds=1)
# How far a stamp, or a reader's clock, may be from DynamoDB's time: the Date header
# has one-second resolution and offsets under a second are not corrected.
STAMP_ERROR = timedelta(milliseconds=1_500)
# A refresh reads again from this long before the last read began.
OVERLAP = WRITE_BOUND + 2 * STAMP_ERROR
# An entry stamped in a second can still appear this long after the second ends.
SETTLE = WRITE_BOUND + STAMP_ERROR
# The compactor packs each second as soon as it ends, and packs again the seconds that
# may still receive an entry: the last `REPACK` before where it had packed to. A
# reader of packed seconds reads those again too.
REPACK = timedelta(seconds=4)
DEFAULT_POLL = timedelta(seconds=5)
DEFAULT_MAX_STALENESS = timedelta(seconds=30)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Kind = Literal["session", "user", "all", "key"]


@dataclass(frozen=True)
class FeedEntry:
    """One revocation.

    Attributes:
        name: unique in the feed (its kind, what it names, and for user entries the
            call that wrote it): ``s:<session id>``, ``u:<location><tag>:<id>``,
            ``a:<id>``.
        revoked_at: its stamp: where it is filed, and when its relevance ends.
        before: user and "all" entries: tokens of sessions created before it (user) or
            issued before it (all) are denied.
        keep_session_id: user entries: the session a "sign out everywhere else" keeps.
    """

    name: str
    revoked_at: datetime
    before: datetime | None = None
    keep_session_id: str | None = None

    @property
    def kind(self) -> Kind:
        """``session``, ``user``, ``all`` or ``key``."""
        kinds = {"s": "session", "u": "user", "k": "key"}
        return kinds.get(self.name[0], "all")  # type: ignore[return-value]

    @property
    def shard(self) -> int:
        """Which partition of its hour holds it."""
        return zlib.crc32(self.name.encode()) % SHARDS

    @property
    def user(self) -> str:
        """User entries: the keyed user hash (location and tag) it names."""
        return self.name[2 : self.name.index(":", 2)]

    def stamped(self, at: datetime) -> FeedEntry:
        """The same entry filed at ``at`` (a write that was too slow is filed again)."""
        return FeedEntry(self.name, at, self.before, self.keep_session_id)


def session_entry(session_id: str, at: datetime) -> FeedEntry:
    """Every token of ``session_id`` is denied."""
    return FeedEntry(f"s:{session_id}", at)


def user_entries(
    refs: Iterable[UserRef], at: datetime, *, before: datetime, keep: str | None, call: str
) -> list[FeedEntry]:
    """Tokens of the user's sessions created before ``before`` are denied, but
    ``keep``'s: one entry per ref (a session finds its user's entry where its id
    points, as it finds their marker); ``call`` names the revoking call."""
    return [
        FeedEntry(f"u:{ref.location}{ref.tag}:{call}", at, before=before, keep_session_id=keep)
        for ref in refs
    ]


def key_entry(kid: str, at: datetime) -> FeedEntry:
    """Every token signed with the key ``kid`` is denied (a withdrawn, leaked key),
    whatever it claims: a forger picks its own ``iat``, not its ``kid``'s key."""
    return FeedEntry(f"k:{kid}", at)


def all_entry(at: datetime, *, before: datetime, call: str) -> FeedEntry:
    """Every token issued before ``before`` is denied (an incident)."""
    return FeedEntry(f"a:{call}", at, before=before)


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return round((moment - _EPOCH).total_seconds() * 1000)


def from_ms(value: int) -> datetime:
    """The aware UTC datetime of epoch milliseconds, exactly."""
    return _EPOCH + timedelta(milliseconds=value)


def partition_of(moment: datetime) -> int:
    """The start (epoch seconds) of the hour partition ``moment`` is filed in."""
    span = int(PARTITION_SPAN.total_seconds())
    return to_ms(moment) // 1000 // span * span


def partitions(since: datetime, until: datetime) -> list[int]:
    """The starts of every hour partition from the one holding ``since`` to the one
    holding ``until``."""
    span = int(PARTITION_SPAN.total_seconds())
    return list(range(partition_of(since), partition_of(until) + 1, span))


@dataclass(frozen=True)
class TokenFacts:
    """What a decision needs of a verified token: its session, its user's ref (where
    the session was created), its session's creation, its issue time and the key that
    signed it."""

    session_id: str
    user: UserRef
    session_created_at: datetime
    issued_at: datetime
    kid: str = ""
