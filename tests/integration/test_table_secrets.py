"""Rule 12: the table holds no way to a token, and session ids do not reveal their user.

Read every item of a moto table after rotations and revocations, as a backup, a stream
record or a DEBUG log would show it, and try each dead token against each stored value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.keys import KeyRing
from tests.support import FakeClock

USER = "alice@example.com"


def _values(value: Any) -> Iterator[bytes]:
    """Every scalar inside a low-level DynamoDB attribute value, as bytes."""
    for kind, inner in value.items():
        if kind in {"S", "N"}:
            yield str(inner).encode()
        elif kind == "B":
            yield bytes(inner)
        elif kind == "M":
            for name, nested in inner.items():
                yield name.encode()
                yield from _values(nested)
        elif kind == "L":
            for nested in inner:
                yield from _values(nested)


def _stored(store: DynamoDBSessionStore) -> list[bytes]:
    items = store.client.scan(TableName=store.table_name)["Items"]
    found = []
    for item in items:
        for name, value in item.items():
            found.append(name.encode())
            found.extend(_values(value))
    return found


def _keys_from(value: bytes) -> Iterator[bytes]:
    """``value`` and what it decodes to, as a derivation key might be kept."""
    yield value
    text = value.decode(errors="replace")
    for decode in (
        lambda t: base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)),
        bytes.fromhex,
    ):
        try:
            yield decode(text)
        except ValueError:
            continue


def _candidates(dead: str, value: bytes) -> Iterator[str]:
    """Secrets a table reader could compute from a dead token and a stored value."""
    for key in _keys_from(value):
        for message in (dead.encode(), b"successor\x00" + dead.encode()):
            macs = (
                hmac.digest(key, message, hashlib.sha256),
                hashlib.sha256(key + message).digest(),
            )
            for mac in macs:
                yield base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _manager(store: DynamoDBSessionStore, clock: FakeClock, key: str) -> SessionManager:
    return SessionManager(SessionConfig(store, clock=clock, secret_key=key))


def test_table_dead_token_and_every_stored_value_never_give_the_live_token(
    dynamodb_store: DynamoDBSessionStore, clock: FakeClock
) -> None:
    manager = _manager(dynamodb_store, clock, "k" * 32)
    tokens = [manager.create(user_id=USER, metadata={"device": "laptop"}).token or ""]
    for _ in range(3):
        clock.advance(minutes=5)
        tokens.append(manager.refresh(tokens[-1]).token or "")
    other = manager.create(user_id="bob")
    manager.destroy_all_for_user("bob")
    live_secret = tokens[-1].split(".")[1]
    stored = _stored(dynamodb_store)
    assert stored, "the scan found nothing to attack"
    for value in stored:
        assert live_secret.encode() not in value
        assert (other.token or "").encode() not in value
        for dead in tokens[:-1]:
            assert dead.split(".")[1].encode() not in value
            assert live_secret not in set(_candidates(dead, value))
    # The derivation the service uses, with the key the table does not hold, does work:
    # the test is not vacuous.
    session_id = tokens[-1].split(".")[0]
    keyed = KeyRing.from_text("k" * 32).successor_secret(session_id, tokens[-2], 3)
    assert base64.urlsafe_b64encode(keyed).rstrip(b"=").decode() == live_secret


def test_table_session_ids_and_items_do_not_reveal_the_user_hash(
    dynamodb_store: DynamoDBSessionStore, clock: FakeClock
) -> None:
    # Before rule 12 an id's first 48 bits were SHA-256(user id): anyone who saw an id
    # could test a guessed e-mail address.
    manager = _manager(dynamodb_store, clock, "k" * 32)
    session = manager.create(user_id=USER)
    manager.destroy_all_for_user(USER, except_session_id=session.id)
    plain = hashlib.sha256(USER.encode()).hexdigest()
    assert session.id.replace("-", "")[:12] != plain[:12]
    for value in _stored(dynamodb_store):
        assert plain[:12].encode() not in value


def test_table_two_keys_on_one_table_derive_different_successors(
    dynamodb_store: DynamoDBSessionStore, clock: FakeClock
) -> None:
    # What the README warns about: processes sharing a table must share the key. A
    # refresh racing on another key cannot hand back the same successor.
    first = _manager(dynamodb_store, clock, "a" * 32)
    second = _manager(dynamodb_store, clock, "b" * 32)
    token = first.create(user_id=USER).token or ""
    rotated = first.refresh(token)
    assert first.refresh(token).token == rotated.token
    try:
        answer = second.refresh(token).token
    except Exception as error:  # the documented outcome: the racing tab must sign in again
        assert getattr(error, "code", "") == "invalid_token"
    else:
        raise AssertionError(f"a foreign key derived a successor: {answer is not None}")
