"""The compact form of the revocation feed: what a verifier keeps in memory and what a
segment (one packed second) holds, about 8 bytes a revoked session.

A session entry becomes the first 8 bytes of a BLAKE2b hash of its id (a false match
between 3.6 million revoked sessions and a live one has odds of about 1 in 5 * 10^12,
and would deny, never allow); a user entry keeps its keyed user hash, hashed the same
way, with its ``before`` and kept session; an "all" entry its ``before``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sessions_core.revocation_feed import FeedEntry, to_ms

HASH_BYTES = 8
_MS_BYTES = 6
_NO_KEEP = bytes(HASH_BYTES)
_USER = b"u"
_ALL = b"a"
_KEY = b"k"
_USER_BYTES = 1 + HASH_BYTES + _MS_BYTES + HASH_BYTES
_ALL_BYTES = 1 + _MS_BYTES
_KEY_BYTES = 1 + HASH_BYTES


def short_hash(text: str) -> bytes:
    """The 8-byte hash a session id or a keyed user hash is known by."""
    return hashlib.blake2b(text.encode(), digest_size=HASH_BYTES).digest()


@dataclass(frozen=True, slots=True)
class Record:
    """One revocation as a verifier keeps it.

    Attributes:
        kind: ``s`` (session), ``u`` (user), ``a`` (every token issued before) or
            ``k`` (every token a withdrawn signing key signed).
        key: the session's, the user's or the signing key's short hash (empty: ``a``).
        revoked_ms: its stamp (a packed one: its second's end), in epoch milliseconds.
        before_ms: user and "all" records: the moment tokens before it are denied.
        keep: user records: the kept session's short hash (empty: none).
    """

    kind: str
    key: bytes
    revoked_ms: int
    before_ms: int = 0
    keep: bytes = b""


def record_of(entry: FeedEntry) -> Record:
    """An entry as a verifier keeps it."""
    revoked = to_ms(entry.revoked_at)
    before = to_ms(entry.before) if entry.before is not None else 0
    if entry.kind == "session":
        return Record("s", short_hash(entry.name[2:]), revoked)
    if entry.kind == "user":
        keep = short_hash(entry.keep_session_id) if entry.keep_session_id else b""
        return Record("u", short_hash(entry.user), revoked, before, keep)
    if entry.kind == "key":
        return Record("k", short_hash(entry.name[2:]), revoked)
    return Record("a", b"", revoked, before)


@dataclass(frozen=True)
class Segment:
    """One packed second of the feed: its start (epoch ms), the revoked sessions'
    hashes back to back (``sessions``) and the other records (``others``)."""

    second_ms: int
    sessions: bytes = b""
    others: bytes = b""

    @property
    def count(self) -> int:
        """How many records it holds."""
        return len(list(self.records()))

    def records(self) -> Iterable[Record]:
        """Its records, stamped with the end of its second (relevance is never cut
        short by packing)."""
        stamp = self.second_ms + 1000
        for start in range(0, len(self.sessions), HASH_BYTES):
            yield Record("s", self.sessions[start : start + HASH_BYTES], stamp)
        position = 0
        while position < len(self.others):
            tag = self.others[position : position + 1]
            if tag == _USER:
                chunk = self.others[position : position + _USER_BYTES]
                keep = chunk[1 + HASH_BYTES + _MS_BYTES :]
                yield Record(
                    "u",
                    chunk[1 : 1 + HASH_BYTES],
                    stamp,
                    int.from_bytes(chunk[1 + HASH_BYTES : 1 + HASH_BYTES + _MS_BYTES], "big"),
                    b"" if keep == _NO_KEEP else keep,
                )
                position += _USER_BYTES
            elif tag == _KEY:
                yield Record("k", self.others[position + 1 : position + _KEY_BYTES], stamp)
                position += _KEY_BYTES
            elif tag == _ALL:
                before = int.from_bytes(self.others[position + 1 : position + _ALL_BYTES], "big")
                yield Record("a", b"", stamp, before)
                position += _ALL_BYTES
            else:
                raise ValueError(f"unknown record tag {tag!r} in segment {self.second_ms}")


def pack(second_ms: int, records: Iterable[Record]) -> Segment:
    """The segment of one second, its records de-duplicated (a write made twice is
    packed once)."""
    sessions: dict[bytes, None] = {}
    others: dict[bytes, None] = {}
    for record in records:
        if record.kind == "s":
            sessions[record.key] = None
        elif record.kind == "u":
            before = record.before_ms.to_bytes(_MS_BYTES, "big")
            others[_USER + record.key + before + (record.keep or _NO_KEEP)] = None
        elif record.kind == "k":
            others[_KEY + record.key] = None
        else:
            others[_ALL + record.before_ms.to_bytes(_MS_BYTES, "big")] = None
    return Segment(second_ms, b"".join(sessions), b"".join(others))
