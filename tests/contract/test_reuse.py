"""Rule 11: every retired token is reuse (16 generations at least); a forged secret
revokes nothing. Runs over every store."""

from __future__ import annotations

from typing import Any

import pytest

from sessions_core import SessionManager, SessionRevokedError
from sessions_core.rules import RETIRED_GENERATIONS
from tests.support import FakeClock


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
    # Before rule 11 only one previous hash was kept: this answered invalid_token and
    # the thief who had rotated twice kept the session.
    first = manager.create(user_id="u1").token or ""
    tokens = _rotate(manager, clock, first, 2)
    assert manager.validate(tokens[0]).error == "session_revoked"
    assert manager.validate(tokens[-1]).error == "session_revoked"
    stored = manager.get(tokens[-1].split(".")[0])
    assert stored is not None and stored.revoked_reason == "reuse_detected"


@pytest.mark.parametrize("back", [2, 9, RETIRED_GENERATIONS])
def test_refresh_retired_token_generations_back_revokes_the_session(
    manager: SessionManager, clock: FakeClock, back: int
) -> None:
    first = manager.create(user_id="u1").token or ""
    tokens = _rotate(manager, clock, first, RETIRED_GENERATIONS)
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


def test_validate_forged_secret_for_a_known_session_id_revokes_nothing(
    manager: SessionManager, clock: FakeClock
) -> None:
    session = manager.create(user_id="u1")
    current = _rotate(manager, clock, session.token or "", 3)[-1]
    forged = f"{session.id}.{'A' * 43}"
    assert manager.validate(forged).error == "invalid_token"
    with pytest.raises(Exception, match="not valid"):
        manager.refresh(forged)
    assert manager.validate(current).valid
    stored = manager.get(session.id)
    assert stored is not None and stored.revoked_at is None


def test_refresh_oldest_remembered_generation_is_still_recognised(
    make_manager: Any, clock: FakeClock
) -> None:
    # The window is a count of generations: past it, a token is just unknown.
    manager = make_manager()
    first = manager.create(user_id="u1").token or ""
    tokens = _rotate(manager, clock, first, RETIRED_GENERATIONS + 1)
    assert manager.validate(tokens[0]).error == "invalid_token"  # 17 back: forgotten
    assert manager.validate(tokens[-1]).valid
    assert manager.validate(tokens[1]).error == "session_revoked"  # 16 back: reuse
