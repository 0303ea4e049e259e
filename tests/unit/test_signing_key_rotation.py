"""Rotating the signing keys without a failed verification, rolling a rotation back,
and how often the key set is read: with the local key file, several API containers
whose views of it are out of step, and verifiers that cache JWKS for two hours as API
Gateway's JWT authorizer may."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from sessions_core import InMemorySessionStore, SessionConfig, SessionManager
from sessions_core.access_tokens import AccessTokenPolicy
from sessions_core.errors import InvalidAccessTokenError, KeyConfigurationError
from sessions_core.local_signing_keys import LocalSigningKeys
from sessions_core.signing_keys import DEFAULT_LEAD, RETIRE_AFTER
from sessions_core.token_service import AccessTokens, CachedKeys
from tests.support import FakeClock

ISSUER = "https://auth.example.com"
API_GATEWAY_CACHE = timedelta(hours=2)


def _container(path: Path, clock: FakeClock) -> SessionManager:
    tokens = AccessTokens(
        AccessTokenPolicy(ISSUER, ("api",)), CachedKeys(LocalSigningKeys(path), clock)
    )
    return SessionManager(SessionConfig(_STORE, clock=clock, access_tokens=tokens))


_STORE = InMemorySessionStore()


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def _published(manager: SessionManager) -> set[str]:
    tokens = manager.config.access_tokens
    assert tokens is not None
    return {key["kid"] for key in tokens.jwks()["keys"]}


def _simulate(
    path: Path,
    clock: FakeClock,
    *,
    lead: timedelta,
    verifier_cache: timedelta,
    new_key_too: bool = True,
) -> None:
    """Three API containers whose views of the key set are out of step (each reads it
    again every 5 minutes, from its own first read); the keys rotate with ``lead`` 30
    minutes in; every container issues hour-long tokens every minute for six hours
    while serving JWKS. Whichever container a verifier fetched JWKS from, at any minute
    from ``verifier_cache`` before a token was issued until it expired, that JWKS must
    hold the token's key (``new_key_too=False``: the old key's tokens only)."""
    containers = []
    for _ in range(3):
        containers.append(_container(path, clock))
        _published(containers[-1])
        clock.advance(minutes=2)
    session = containers[0].create(user_id="alice", expires_in=timedelta(days=1))
    published: dict[int, list[set[str]]] = {}
    issued: list[tuple[int, str, int]] = []  # (minute issued, kid, minute it expires)
    for step in range(6 * 60):
        if step == 30:
            LocalSigningKeys(path).rotate(clock.now, lead)
        published[step] = [_published(c) for c in containers]
        for container in containers:
            token = container.issue_access_token(
                session.token or "", expires_in=timedelta(hours=1)
            ).access_token
            issued.append((step, _kid(token), step + 60))
        clock.advance(minutes=1)
    assert len({kid for _, kid, _ in issued}) == 2  # the new key did sign
    cached = int(verifier_cache.total_seconds()) // 60
    old = issued[0][1]
    for at, kid, expires in issued:
        if kid != old and not new_key_too:
            continue
        for fetched in range(max(0, at - cached + 1), min(expires, len(published) - 1) + 1):
            assert all(kid in keys for keys in published[fetched]), (at, fetched)


def test_rotation_with_the_default_lead_never_fails_a_verifier_that_caches_two_hours(
    tmp_path: Path, clock: FakeClock
) -> None:
    _simulate(
        tmp_path / "signing-keys.json", clock, lead=DEFAULT_LEAD, verifier_cache=API_GATEWAY_CACHE
    )


def test_rotation_with_no_lead_keeps_the_old_key_while_stale_containers_sign_with_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    # With no lead a verifier may meet the new key before every container publishes it
    # (what --lead 0 warns of); the old key must still outlive every token it signed.
    _simulate(
        tmp_path / "signing-keys.json",
        clock,
        lead=timedelta(0),
        verifier_cache=timedelta(minutes=1),
        new_key_too=False,
    )


def test_the_new_key_is_published_at_once_and_signs_only_after_the_lead(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "signing-keys.json"
    manager = _container(path, clock)
    session = manager.create(user_id="alice")
    old = _kid(manager.issue_access_token(session.token or "").access_token)
    rotated = LocalSigningKeys(path).rotate(clock.now, DEFAULT_LEAD)
    new = rotated.entries[-1]
    clock.advance(minutes=5)  # the container reads the set again
    assert _published(manager) == {old, new.kid}
    assert _kid(manager.issue_access_token(session.token or "").access_token) == old
    clock.advance(DEFAULT_LEAD)
    assert _kid(manager.issue_access_token(session.token or "").access_token) == new.kid
    clock.advance(RETIRE_AFTER)
    assert _published(manager) == {new.kid}


def test_lead_zero_signs_with_the_new_key_at_once_and_keeps_the_old_one_published(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "signing-keys.json"
    manager = _container(path, clock)
    session = manager.create(user_id="alice")
    before = manager.issue_access_token(session.token or "").access_token
    new = LocalSigningKeys(path).rotate(clock.now, timedelta(0)).entries[-1]
    restarted = _container(path, clock)  # `sessions serve` restarted
    assert _kid(restarted.issue_access_token(session.token or "").access_token) == new.kid
    assert restarted.verify_access_token(before).sid == session.id


def test_rollback_before_the_new_key_signs_removes_it(tmp_path: Path, clock: FakeClock) -> None:
    keys = LocalSigningKeys(tmp_path / "signing-keys.json")
    first = keys.load(clock.now).entries[0]
    keys.rotate(clock.now, DEFAULT_LEAD)
    rolled = keys.roll_back(clock.now + timedelta(minutes=10))
    assert [e.kid for e in rolled.entries] == [first.kid]
    assert rolled.entries[0].retires_at is None
    assert len(json.loads(keys.path.read_text())["keys"]) == 1
    with pytest.raises(ValueError, match="no rotation"):
        keys.roll_back(clock.now)


def test_rollback_after_the_new_key_signed_keeps_it_published_for_its_tokens(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "signing-keys.json"
    keys = LocalSigningKeys(path)
    first = keys.load(clock.now).entries[0]
    keys.rotate(clock.now, timedelta(0))
    manager = _container(path, clock)
    session = manager.create(user_id="alice")
    signed_by_new = manager.issue_access_token(session.token or "").access_token
    rolled = keys.roll_back(clock.now)
    assert rolled.signing(clock.now) is not None and rolled.signing(clock.now).kid == first.kid  # type: ignore[union-attr]
    assert _container(path, clock).verify_access_token(signed_by_new).sid == session.id
    clock.advance(RETIRE_AFTER + timedelta(minutes=5))
    with pytest.raises(InvalidAccessTokenError):
        _container(path, clock).verify_access_token(signed_by_new)


def test_the_key_set_is_read_at_most_every_five_minutes_and_an_unknown_kid_once_a_minute(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "signing-keys.json"
    manager = _container(path, clock)
    tokens = manager.config.access_tokens
    assert tokens is not None
    session = manager.create(user_id="alice")
    token = manager.issue_access_token(session.token or "").access_token
    forged = jwt.encode(
        {"sub": "x"}, "k" * 32, algorithm="HS256", headers={"kid": "unknown", "typ": "at+jwt"}
    )
    header, payload, signature = token.split(".")
    unknown_kid = jwt.utils.base64url_encode(
        json.dumps({"alg": "RS256", "typ": "at+jwt", "kid": "no-such-kid"}).encode()
    ).decode()
    reads = tokens.keys.reads
    for _ in range(50):
        manager.verify_access_token(token)
        for attempt in (forged, f"{unknown_kid}.{payload}.{signature}"):
            with pytest.raises(InvalidAccessTokenError):
                manager.verify_access_token(attempt)
        clock.advance(seconds=6)  # 50 x 6 s = 5 minutes
    # one read on the first unknown kid after a minute, then at most one a minute
    assert tokens.keys.reads - reads <= 5
    assert header


def test_a_key_removed_from_the_set_stops_verifying_within_five_minutes(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "signing-keys.json"
    manager = _container(path, clock)
    session = manager.create(user_id="alice")
    token = manager.issue_access_token(session.token or "").access_token
    keys = LocalSigningKeys(path)
    keys.rotate(clock.now, timedelta(0))
    document = json.loads(path.read_text())
    document["keys"] = document["keys"][1:]  # the compromised key is withdrawn
    keys.save(document)
    assert manager.verify_access_token(token).sid == session.id  # cached
    clock.advance(minutes=5)
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(token)


def test_the_key_file_is_private_and_refused_when_others_can_read_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "new-dir" / "signing-keys.json"
    keys = LocalSigningKeys(path)
    keys.load(clock.now)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    keys.rotate(clock.now, DEFAULT_LEAD)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    os.chmod(path, 0o644)
    with pytest.raises(KeyConfigurationError, match="readable by others"):
        keys.load(clock.now)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["keys"][0].update(kid="not-its-thumbprint"),
        lambda d: d["keys"][0].update(kty="EC"),
        lambda d: d.update(keys="none"),
        lambda d: d.clear(),
    ],
)
def test_a_key_file_that_is_not_a_signing_key_set_is_refused_naming_the_file(
    tmp_path: Path, clock: FakeClock, change: Any
) -> None:
    keys = LocalSigningKeys(tmp_path / "signing-keys.json")
    keys.load(clock.now)
    document = json.loads(keys.path.read_text())
    change(document)
    keys.save(document)
    with pytest.raises(KeyConfigurationError, match=r"signing-keys\.json"):
        keys.load(clock.now)


def test_a_second_rotation_drops_the_pending_key_and_rollback_restores_the_signer(
    tmp_path: Path, clock: FakeClock
) -> None:
    keys = LocalSigningKeys(tmp_path / "signing-keys.json")
    signer = keys.load(clock.now).entries[0]
    pending = keys.rotate(clock.now, DEFAULT_LEAD).entries[-1]
    now_signing = keys.rotate(clock.now, timedelta(0))
    assert [e.kid for e in now_signing.entries] == [signer.kid, now_signing.entries[-1].kid]
    assert pending.kid not in {e.kid for e in now_signing.entries}
    rolled = keys.roll_back(clock.now)
    assert rolled.signing(clock.now).kid == signer.kid  # type: ignore[union-attr]
    assert next(e for e in rolled.entries if e.kid == signer.kid).retires_at is None
