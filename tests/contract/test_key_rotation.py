"""A deployment key rotation (the new key current, the old one previous): everything
made under the old key keeps working and keeps being found. Each test here names what
a ring that forgot its previous key would break. Over every store."""

from __future__ import annotations

from typing import Any

from sessions_core.keys import KeyRing
from tests.support import FakeClock, LaggingIndexStore

OLD = KeyRing(b"o" * 32)
ROTATED = KeyRing(b"n" * 32, [b"o" * 32])


def test_revoke_all_after_rotation_reaches_a_session_of_the_old_key_the_index_hides(
    store: Any, make_manager: Any, clock: FakeClock
) -> None:
    # The "revoked before" mark is written under every key: the old session's id
    # names the old key's item, and only a mark there revokes it.
    lagging = LaggingIndexStore(store)
    before = make_manager(store=lagging, secret_key=OLD)
    hidden = before.create(user_id="u1")
    lagging.hidden.add(hidden.id)
    after = make_manager(store=lagging, secret_key=ROTATED)
    clock.advance(seconds=1)
    after.destroy_all_for_user("u1")
    assert after.validate(hidden.token or "").error == "session_revoked"


def test_refresh_racing_a_rotation_hands_back_the_successor_the_old_key_derived(
    make_manager: Any, clock: FakeClock
) -> None:
    # Two tabs: one refreshed on an instance still on the old key, the other on an
    # instance already rotated. The second must get the same successor, not a 401.
    token = make_manager(secret_key=OLD).create(user_id="u1").token or ""
    first = make_manager(secret_key=OLD).refresh(token).token
    clock.advance(seconds=2)
    again = make_manager(secret_key=ROTATED).refresh(token).token
    assert again == first


def test_limited_session_of_the_old_key_stays_admitted_after_rotation(
    make_manager: Any, clock: FakeClock
) -> None:
    # Its admission lives in the old key's per-user item, which its id names.
    session = make_manager(secret_key=OLD, max_sessions_per_user=2).create(user_id="u1")
    after = make_manager(secret_key=ROTATED, max_sessions_per_user=2)
    assert after.validate(session.token or "").valid
    assert [s.id for s in after.list_for_user("u1")] == [session.id]


def test_erase_after_rotation_stops_a_session_of_the_old_key_the_index_hides(
    store: Any, make_manager: Any, clock: FakeClock
) -> None:
    lagging = LaggingIndexStore(store)
    hidden = make_manager(store=lagging, secret_key=OLD).create(user_id="u1")
    lagging.hidden.add(hidden.id)
    clock.advance(seconds=1)
    make_manager(store=lagging, secret_key=ROTATED).erase_user("u1")
    after = make_manager(secret_key=ROTATED)
    assert after.validate(hidden.token or "").error == "session_revoked"
