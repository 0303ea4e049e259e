"""The revocation feed: what a verifier of access tokens must know to honour a
revocation made after the token was issued, without reading the session.

Every revocation that can affect a live access token is appended by the request path
before the revoking call returns: a session entry (every token of that session is
denied, whatever its ``iat``: session ids are never reused), a user entry (a keyed user
hash, never the user id, with ``revoked_before`` and the kept session, compared with the
token's ``sct`` exactly as a revoke-all marker is compared with ``createdAt``), or an
entry for every token issued before a moment (incidents).

Entries are kept in time buckets (`BUCKET`), spread over `SHARDS` items each; an entry
matters until ``revoked_at`` + the longest token + leeway (`RELEVANT_FOR`), after which
it is dropped from memory (storage expires it later). Light on purpose (no models, no
store): the authorizer decides with it on its cold path.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sessions_core.keys import UserRef
from sessions_core.signing_keys import MAX_TOKEN_LIFETIME, VERIFY_LEEWAY

BUCKET = timedelta(minutes=5)
SHARDS = 4
RELEVANT_FOR = MAX_TOKEN_LIFETIME + VERIFY_LEEWAY
# How long a feed item is kept: past every entry's relevance, a minute to spare.
FEED_ITEM_LIFETIME = BUCKET + RELEVANT_FOR + timedelta(minutes=1)
# A writer stamps its entry when it starts and may finish up to the API's timeout
# later; clocks differ a little: a refresh reads again from this long before the last
# read began.
OVERLAP = timedelta(seconds=30)
DEFAULT_POLL = timedelta(seconds=5)
DEFAULT_MAX_STALENESS = timedelta(seconds=30)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Kind = Literal["session", "user", "all"]


@dataclass(frozen=True)
class FeedEntry:
    """One revocation.

    Attributes:
        name: unique in the feed (its kind, what it names, and for user entries the
            call that wrote it): ``s:<session id>``, ``u:<location><tag>:<id>``,
            ``a:<id>``.
        revoked_at: when it was written (what decides its bucket and its relevance).
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
        """``session``, ``user`` or ``all``."""
        return {"s": "session", "u": "user"}.get(self.name[0], "all")  # type: ignore[return-value]

    @property
    def shard(self) -> int:
        """Which item of its bucket holds it."""
        return zlib.crc32(self.name.encode()) % SHARDS

    def relevant(self, now: datetime) -> bool:
        """True while a token it denies may still be unexpired."""
        return now <= self.revoked_at + RELEVANT_FOR


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


def all_entry(at: datetime, *, before: datetime, call: str) -> FeedEntry:
    """Every token issued before ``before`` is denied (an incident)."""
    return FeedEntry(f"a:{call}", at, before=before)


def bucket_of(moment: datetime) -> datetime:
    """The start of the bucket ``moment`` falls in."""
    size = BUCKET.total_seconds()
    return _EPOCH + timedelta(seconds=(moment - _EPOCH).total_seconds() // size * size)


def buckets(since: datetime, until: datetime) -> list[datetime]:
    """The starts of every bucket from the one holding ``since`` to the one holding
    ``until``."""
    found, current = [], bucket_of(since)
    while current <= until:
        found.append(current)
        current += BUCKET
    return found


@dataclass(frozen=True)
class TokenFacts:
    """What a decision needs of a verified token: its session, its user's ref (where
    the session was created), its session's creation and its issue time."""

    session_id: str
    user: UserRef
    session_created_at: datetime
    issued_at: datetime


class FeedSnapshot:
    """The entries a verifier has read, and when the read began.

    `window` says what to read next; `merge` takes what was read; `denies` decides.
    """

    def __init__(self) -> None:
        self._sessions: dict[str, FeedEntry] = {}
        self._users: dict[str, dict[str, FeedEntry]] = {}
        self._all: dict[str, FeedEntry] = {}
        self.read_began: datetime | None = None

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """What the next read must cover: from a cold start, every entry that may
        still matter; after a read, from a little before it began (late writes)."""
        if self.read_began is None:
            return now - RELEVANT_FOR - OVERLAP, now
        return self.read_began - OVERLAP, now

    def age(self, now: datetime) -> timedelta | None:
        """How long ago the last read began (None: never)."""
        return None if self.read_began is None else now - self.read_began

    def merge(self, entries: Iterable[FeedEntry], *, began: datetime) -> None:
        """Take a read that began at ``began``, and forget entries that no longer
        matter."""
        for entry in entries:
            kind = entry.kind
            if kind == "session":
                self._sessions[entry.name[2:]] = entry
            elif kind == "user":
                user = entry.name[2 : entry.name.index(":", 2)]
                self._users.setdefault(user, {})[entry.name] = entry
            else:
                self._all[entry.name] = entry
        self.read_began = began
        self._forget(began)

    def denies(self, token: TokenFacts) -> bool:
        """True when an entry revokes the token."""
        if token.session_id in self._sessions:
            return True
        for entry in self._users.get(token.user.location + token.user.tag, {}).values():
            if (
                entry.before is not None
                and token.session_created_at < entry.before
                and token.session_id != entry.keep_session_id
            ):
                return True
        return any(e.before is not None and token.issued_at < e.before for e in self._all.values())

    def __len__(self) -> int:
        return len(self._sessions) + sum(map(len, self._users.values())) + len(self._all)

    def _forget(self, now: datetime) -> None:
        self._sessions = {k: e for k, e in self._sessions.items() if e.relevant(now)}
        self._all = {k: e for k, e in self._all.items() if e.relevant(now)}
        users: dict[str, dict[str, FeedEntry]] = {}
        for user, entries in self._users.items():
            kept = {k: e for k, e in entries.items() if e.relevant(now)}
            if kept:
                users[user] = kept
        self._users = users
