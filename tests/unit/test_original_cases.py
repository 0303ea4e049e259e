"""Every case of the original package's test file, ported to this API.

The original's store tests (KV keys) map onto the in-memory store; its manager tests
run in tests/contract over both stores.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sessions_core import (
    InMemorySessionStore,
    Session,
    SessionConfig,
    SessionManager,
    create_session,
    destroy_session,
    generate_secure_token,
    hash_token,
    refresh_session,
    validate_session,
)
from sessions_core.revoking import revoke
from tests.support import START, FakeClock

# -- token generation and hashing ------------------------------------------------------


def test_generate_secure_token_default_returns_at_least_32_chars() -> None:
    assert len(generate_secure_token()) >= 32


def test_generate_secure_token_two_calls_differ() -> None:
    assert generate_secure_token() != generate_secure_token()


def test_generate_secure_token_64_bytes_gives_at_least_64_chars() -> None:
    assert len(generate_secure_token(64)) >= 64


def test_generate_secure_token_output_is_base64url_without_padding() -> None:
    token = generate_secure_token()
    assert len(token) == 43
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_generate_secure_token_too_few_bytes_raises() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        generate_secure_token(8)


def test_hash_token_same_input_is_deterministic() -> None:
    assert hash_token("abc") == hash_token("abc")


def test_hash_token_differs_from_input_and_is_sha256_hex() -> None:
    digest = hash_token("abc")
    assert digest != "abc"
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# -- creation --------------------------------------------------------------------------


def test_create_session_required_fields_present_and_dates_are_aware() -> None:
    session = create_session(user_id="user-1", now=START)
    assert session.id and session.user_id == "user-1"
    assert session.token and session.token_hash
    assert isinstance(session.created_at, datetime)
    assert session.created_at.tzinfo is not None
    assert isinstance(session.expires_at, datetime)


def test_create_session_custom_expires_in_sets_expiry_exactly() -> None:
    session = create_session(user_id="u", expires_in=timedelta(hours=2), now=START)
    assert session.expires_at == session.created_at + timedelta(hours=2)


def test_create_session_metadata_kept_as_given() -> None:
    metadata = {"ip": "203.0.113.7", "device": {"os": "ios", "n": 1.5}}
    assert create_session(user_id="u", metadata=metadata).metadata == metadata


def test_create_session_token_is_long_and_hash_differs_from_token() -> None:
    session = create_session(user_id="u")
    assert session.token is not None and len(session.token) >= 32
    assert session.token_hash == hash_token(session.token)
    assert session.token_hash != session.token


def test_create_session_id_is_canonical_lowercase_uuid() -> None:
    session = create_session(user_id="u")
    assert len(session.id) == 36 and session.id == session.id.lower()
    assert session.token is not None and session.token.startswith(session.id + ".")


@pytest.mark.parametrize("user_id", ["", "x" * 257])
def test_create_session_bad_user_id_raises_invalid_argument(user_id: str) -> None:
    with pytest.raises(ValueError, match="user_id"):
        create_session(user_id=user_id)


@pytest.mark.parametrize("expires_in", [timedelta(0), timedelta(days=401), timedelta(seconds=-1)])
def test_create_session_lifetime_out_of_range_raises(expires_in: timedelta) -> None:
    with pytest.raises(ValueError, match="400 days"):
        create_session(user_id="u", expires_in=expires_in)


def test_create_session_naive_clock_raises() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        create_session(user_id="u", now=datetime(2026, 1, 1))


# -- validation ------------------------------------------------------------------------


def test_validate_session_fresh_token_is_valid_and_returns_session() -> None:
    session = create_session(user_id="u", now=START)
    assert session.token is not None
    result = validate_session(session.token, session, now=START)
    assert result.valid and result.error is None
    assert result.session is not None and result.session.id == session.id


def test_validate_session_wrong_token_is_invalid_token() -> None:
    session = create_session(user_id="u", now=START)
    other = f"{session.id}.{generate_secure_token()}"
    assert validate_session(other, session, now=START).error == "invalid_token"


def test_validate_session_expired_is_session_expired() -> None:
    session = create_session(user_id="u", expires_in=timedelta(minutes=1), now=START)
    assert session.token is not None
    later = START + timedelta(minutes=1)
    assert validate_session(session.token, session, now=later).error == "session_expired"


def test_validate_session_revoked_is_session_revoked() -> None:
    session = destroy_session(create_session(user_id="u", now=START), now=START)
    assert session.token is not None
    assert validate_session(session.token, session, now=START).error == "session_revoked"


# -- destruction -----------------------------------------------------------------------


def test_destroy_session_sets_revoked_at_and_token_then_fails() -> None:
    session = create_session(user_id="u", now=START)
    revoked = destroy_session(session, now=START + timedelta(seconds=5))
    assert revoked.revoked_at == START + timedelta(seconds=5)
    assert session.revoked_at is None  # a copy, the original untouched
    assert revoked.token is not None
    assert validate_session(revoked.token, revoked, now=START).error == "session_revoked"


# -- refresh ---------------------------------------------------------------------------


def test_refresh_session_same_id_new_token_and_hash_later_expiry() -> None:
    session = create_session(user_id="u", now=START)
    refreshed = refresh_session(session, now=START + timedelta(hours=1))
    assert refreshed.id == session.id
    assert refreshed.token != session.token and refreshed.token_hash != session.token_hash
    assert refreshed.expires_at > session.expires_at


def test_refresh_session_expired_raises_session_expired() -> None:
    session = create_session(user_id="u", expires_in=timedelta(minutes=1), now=START)
    with pytest.raises(Exception, match="expired") as info:
        refresh_session(session, now=START + timedelta(minutes=2))
    assert getattr(info.value, "code", None) == "session_expired"


def test_refresh_session_revoked_raises_session_revoked() -> None:
    session = destroy_session(create_session(user_id="u", now=START), now=START)
    with pytest.raises(Exception, match="revoked") as info:
        refresh_session(session, now=START)
    assert getattr(info.value, "code", None) == "session_revoked"


# -- expiration ------------------------------------------------------------------------


def test_create_session_default_lifetime_is_exactly_24_hours() -> None:
    session = create_session(user_id="u", now=START)
    assert session.expires_at - session.created_at == timedelta(hours=24)


def test_create_session_sliding_flag_is_kept() -> None:
    assert create_session(user_id="u", sliding_expiration=True).sliding_expiration is True


def test_refresh_session_slide_only_moves_expiry_later_keeping_token() -> None:
    session = create_session(user_id="u", sliding_expiration=True, now=START)
    slid = refresh_session(session, slide_only=True, now=START + timedelta(hours=3))
    assert slid.expires_at == START + timedelta(hours=27)
    assert slid.token == session.token


def test_create_session_time_to_expiry_is_about_the_requested_lifetime() -> None:
    before = datetime.now(UTC)
    session = create_session(user_id="u", expires_in=timedelta(minutes=30))
    remaining = session.expires_at - before
    assert timedelta(minutes=29, seconds=59) <= remaining <= timedelta(minutes=30, seconds=1)


# -- store (the original's KV store, as the in-memory store) ---------------------------


def test_store_save_writes_a_key_containing_the_id() -> None:
    store = InMemorySessionStore()
    session = create_session(user_id="u", now=START)
    store.insert(session)
    assert any(session.id in key for key in store.stored_keys())


def test_store_get_returns_the_session_without_its_token() -> None:
    store = InMemorySessionStore()
    session = create_session(user_id="u", now=START)
    store.insert(session)
    loaded = store.get(session.id)
    assert loaded is not None and loaded.id == session.id and loaded.token is None


def test_store_revoke_marks_the_id_key_and_purge_removes_it() -> None:
    store = InMemorySessionStore()
    session = create_session(user_id="u", expires_in=timedelta(minutes=1), now=START)
    store.insert(session)
    assert revoke(store, session.id, at=START, reason="revoked")
    assert store.purge_expired(START + timedelta(minutes=1)) == 1
    assert store.get(session.id) is None


# -- manager configuration (in-memory specific) ------------------------------------------


def test_manager_custom_prefix_shows_in_stored_keys() -> None:
    store = InMemorySessionStore()
    manager = SessionManager(SessionConfig(store, prefix="myapp:", clock=FakeClock()))
    session = manager.create(user_id="u")
    assert f"myapp:{session.id}" in store.stored_keys()


# -- types -----------------------------------------------------------------------------


def test_session_type_round_trips_through_its_json_with_every_required_property() -> None:
    # The original's type test, made to check values: every property it requires is
    # present, typed, and survives the camelCase JSON the API speaks.
    session = create_session(
        user_id="u", metadata={"a": 1}, sliding_expiration=True, now=START, bound_user_agent="UA"
    )
    data = session.model_dump(by_alias=True, mode="json")
    back = Session.model_validate(data)
    for name in ("id", "user_id", "created_at", "expires_at", "metadata", "revoked_at"):
        assert getattr(back, name) == getattr(session, name), name
    assert back.sliding_expiration is True and back.bound_user_agent == "UA"
    assert back.created_at.tzinfo is not None and back.expires_at > back.created_at
    assert "token" not in data  # the token is never serialized
    assert back.token_hash == session.token_hash


def test_session_metadata_and_revoked_at_exist_as_keys_in_json() -> None:
    data = create_session(user_id="u").model_dump(by_alias=True, mode="json")
    assert "metadata" in data and "revokedAt" in data
    assert "userId" in data and "expiresAt" in data
    assert data["createdAt"].endswith("Z")


def _deep_list(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "metadata", [{"a": float("nan")}, {"a": object()}, {"deep": _deep_list(40)}]
)
def test_create_session_metadata_not_plain_json_raises(metadata: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="metadata"):
        create_session(user_id="u", metadata=metadata)


def test_validation_result_repr_and_equality_never_show_the_token() -> None:
    session = create_session(user_id="u", now=START)
    result = validate_session(session.token or "", session, now=START)
    assert result.valid and result.session is not None
    assert (session.token or "").split(".")[1] not in repr(result)
    assert result == validate_session(session.token or "", session, now=START)
