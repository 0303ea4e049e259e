"""Reuse detection at any depth, in constant space: every token carries its generation,
stamped under the deployment key, so a replay of any retired token revokes the session
however many rotations ago it was retired; a forged secret revokes nothing; the item
does not grow. Runs over every store."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest

from sessions_core import InvalidTokenError, SessionManager, SessionRevokedError
from sessions_core.keys import KeyRing
from sessions_core.models import Session
from sessions_core.rules import new_session
from sessions_core.tokens import generate_secure_token, hash_token, retired_digest
from tests.support import FakeClock, stored_item_size

OLD_KEY = KeyRing(b"k" * 32)
NEW_KEY = KeyRing(b"n" * 32, [b"k" * 32])


def _rotate(manager: SessionManager, clock: FakeClock, token: str, times: int) -> list[str]:
    """Refresh ``times`` times a minute apart; every token, oldest first."""
    tokens = [token]
    for _ in range(times):
        clock.advance(minutes=1)
        tokens.append(manager.refresh(tokens[-1]).token or "")
    return tokens


def test_validate_token_two_rotations_old_revokes_the_session(
    manager: SessionManager, clock: FakeClock
) -> None:
    first = manager.create(user_id="u1").token or ""
    tokens = _rotate(manager, clock, first, 2)
    assert manager.validate(tokens[0]).error == "session_revoked"
    assert manager.validate(tokens[-1]).error == "session_revoked"
    stored = manager.get(tokens[-1].split(".")[0])
    assert stored is not None and stored.revoked_reason == "reuse_detected"


@pytest.mark.parametrize("rotations", [17, 40, 100])
def test_validate_first_token_after_many_rotations_revokes_the_session(
    manager: SessionManager, clock: FakeClock, rotations: int
) -> None:
    # Before generations were stamped, only 16 retired digests were kept: after 17
    # rotations the first token was merely "unknown" and the thief kept the session.
    first = manager.create(user_id="u1").token or ""
    tokens = _rotate(manager, clock, first, rotations)
    assert manager.validate(tokens[-1]).valid
    assert manager.validate(tokens[0]).error == "session_revoked"
    assert manager.validate(tokens[-1]).error == "session_revoked"
    stored = manager.get(tokens[0].split(".")[0])
    assert stored is not None and stored.revoked_reason == "reuse_detected"


@pytest.mark.parametrize("back", [2, 17, 39])
def test_refresh_retired_token_generations_back_revokes_the_session(
    manager: SessionManager, clock: FakeClock, back: int
) -> None:
    first = manager.create(user_id="u1").token or ""
    tokens = _rotate(manager, clock, first, 40)
    with pytest.raises(SessionRevokedError):
        manager.refresh(tokens[-1 - back])
    assert manager.validate(tokens[-1]).error == "session_revoked"


def test_validate_second_to_last_token_within_grace_is_reuse(
    manager: SessionManager, clock: FakeClock
) -> None:
    # Only the immediate predecessor has a grace window.
    first = manager.create(user_id="u1").token or ""
    second = manager.refresh(first).token or ""
    clock.advance(seconds=1)
    third = manager.refresh(second).token or ""
    clock.advance(seconds=1)
    assert manager.validate(second).valid  # the predecessor, within its grace
    assert manager.validate(first).error == "session_revoked"
    assert manager.validate(third).error == "session_revoked"


@pytest.mark.parametrize(
    "forge",
    [
        lambda sid: f"{sid}.{'A' * 43}",
        lambda sid: f"{sid}.{generate_secure_token()}",
        # A well-formed stamp of generation 0 under a key that is not the deployment's.
        lambda sid: KeyRing(b"x" * 32).stamp(sid, secrets.token_bytes(16), 0),
    ],
    ids=["constant", "random", "stamped-under-another-key"],
)
def test_validate_forged_secret_for_a_known_session_id_revokes_nothing(
    manager: SessionManager, clock: FakeClock, forge: Any
) -> None:
    from sessions_core.tokens import token_of

    session = manager.create(user_id="u1")
    current = _rotate(manager, clock, session.token or "", 3)[-1]
    forged = forge(session.id)
    forged = token_of(session.id, forged) if isinstance(forged, bytes) else forged
    assert manager.validate(forged).error == "invalid_token"
    with pytest.raises(InvalidTokenError):
        manager.refresh(forged)
    assert manager.validate(current).valid
    stored = manager.get(session.id)
    assert stored is not None and stored.revoked_at is None


def test_validate_token_of_another_session_revokes_nothing(
    manager: SessionManager, clock: FakeClock
) -> None:
    # A genuine stamp binds its session id: one session's retired token presented with
    # another's id is a forgery there, not a replay.
    mine = manager.create(user_id="u1")
    theirs = manager.create(user_id="u2")
    retired = _rotate(manager, clock, theirs.token or "", 2)[0]
    transplanted = f"{mine.id}.{retired.split('.')[1]}"
    assert manager.validate(transplanted).error == "invalid_token"
    assert manager.validate(mine.token or "").valid


def test_refresh_across_a_key_rotation_still_recognises_old_generations(
    make_manager: Any, clock: FakeClock
) -> None:
    # GIVEN tokens issued under the old key, then rotations under the new key
    before = make_manager(secret_key=OLD_KEY)
    first = before.create(user_id="u1").token or ""
    old_tokens = _rotate(before, clock, first, 5)
    after = make_manager(secret_key=NEW_KEY)
    new_tokens = _rotate(after, clock, old_tokens[-1], 5)
    assert after.validate(new_tokens[-1]).valid
    # WHEN a token stamped under the old key, four rotations back, is replayed
    # THEN it is recognised as retired and the session is revoked
    assert after.validate(old_tokens[2]).error == "session_revoked"
    assert after.validate(new_tokens[-1]).error == "session_revoked"


def test_rotation_hundred_times_does_not_grow_the_item(
    store: Any, make_manager: Any, clock: FakeClock
) -> None:
    manager = make_manager()
    session = manager.create(user_id="u1")
    tokens = _rotate(manager, clock, session.token or "", 1)
    after_one = stored_item_size(store, session.id)
    _rotate(manager, clock, tokens[-1], 99)
    after_hundred = stored_item_size(store, session.id)
    # Only the generation number gains digits (1 -> 100).
    assert after_hundred - after_one <= 2, (after_one, after_hundred)
    stored = store.get(session.id)
    assert stored.generation == 100 and stored.retired == ()


def _unstamped(store: Any, clock: FakeClock, older: int) -> tuple[Session, list[str]]:
    """A session as the code before stamped tokens left it: an unstamped current
    token and ``older`` unstamped retired ones remembered by digest. Returns the
    session and its tokens, oldest first."""
    session = new_session(
        user_id="legacy",
        expires_in=timedelta(days=1),
        now=clock.now,
        keys=OLD_KEY,
        max_lifetime=None,
    )
    tokens = [f"{session.id}.{generate_secure_token()}" for _ in range(older + 1)]
    retired = tuple(retired_digest(hash_token(t)) for t in reversed(tokens[:-1]))
    legacy = session.model_copy(
        update={
            "token": None,
            "token_hash": hash_token(tokens[-1]),
            "retired": retired,
            "rotated_at": clock.now,
        }
    )
    store.with_prefix("session:").insert(legacy)
    return legacy, tokens


def test_unstamped_tokens_work_until_their_next_rotation(
    store: Any, make_manager: Any, clock: FakeClock
) -> None:
    # Tokens issued before this change keep working; their retired ones stay reuse.
    session, tokens = _unstamped(store, clock, older=3)
    manager = make_manager(secret_key=OLD_KEY)
    assert manager.validate(tokens[-1]).valid
    assert manager.validate(tokens[-2]).valid  # the predecessor, within its grace
    clock.advance(seconds=5)
    stamped = manager.refresh(tokens[-1]).token or ""
    assert manager.validate(stamped).valid
    assert manager.validate(tokens[-1]).valid  # now the predecessor, within grace
    assert manager.refresh(tokens[-1]).token == stamped  # two tabs, same successor
    stored = store.with_prefix("session:").get(session.id)
    assert stored.generation == 1 and len(stored.retired) == 4
    clock.advance(minutes=1)
    newer = _rotate(manager, clock, stamped, 2)[-1]
    assert manager.validate(newer).valid
    assert manager.validate(tokens[0]).error == "session_revoked"  # oldest unstamped
    assert manager.validate(newer).error == "session_revoked"


def test_check_costs_one_hash_and_one_mac_per_key_whatever_the_token(
    manager: SessionManager, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No walk whose length the presenter chooses: count the HMACs a check computes.
    import hmac as hmac_module

    session = manager.create(user_id="u1")
    tokens = _rotate(manager, clock, session.token or "", 30)
    calls: list[int] = []
    real = hmac_module.digest

    def counted(key: bytes, message: bytes, digest: Any) -> bytes:
        calls.append(1)
        return real(key, message, digest)

    monkeypatch.setattr("sessions_core.keys.hmac.digest", counted)
    for token in (tokens[-1], tokens[0], f"{session.id}.{'A' * 43}"):
        calls.clear()
        manager.validate(token)
        assert len(calls) <= 1, len(calls)
