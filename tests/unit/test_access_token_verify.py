"""Verifying access tokens refuses everything but an RS256 ``at+jwt`` signed by a
published key, for this issuer and the asked audience, within its times (5 s leeway).
Tokens are forged here with PyJWT and by hand (HMAC with the public key as the secret,
``alg: none``), the way an attacker would make them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.utils import base64url_encode

from sessions_core import InMemorySessionStore, SessionConfig, SessionManager
from sessions_core.access_tokens import AccessTokenPolicy
from sessions_core.errors import InvalidAccessTokenError
from sessions_core.local_signing_keys import LocalSigningKeys
from sessions_core.token_service import AccessTokens, CachedKeys
from tests.support import CallCounter, FakeClock

ISSUER = "https://auth.example.com"


@pytest.fixture
def keys(tmp_path: Path) -> LocalSigningKeys:
    return LocalSigningKeys(tmp_path / "keys" / "signing-keys.json")


@pytest.fixture
def manager(keys: LocalSigningKeys, clock: FakeClock) -> SessionManager:
    tokens = AccessTokens(AccessTokenPolicy(ISSUER, ("api", "reports")), CachedKeys(keys, clock))
    return SessionManager(SessionConfig(InMemorySessionStore(), clock=clock, access_tokens=tokens))


@pytest.fixture
def claims(manager: SessionManager) -> dict[str, Any]:
    session = manager.create(user_id="alice")
    token = manager.issue_access_token(session.token or "").access_token
    found: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return found


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _private(keys: LocalSigningKeys, clock: FakeClock) -> tuple[Any, str]:
    entry = keys.load(clock.now).entries[0]
    return keys.signer(entry).private_key, entry.kid


def _signed(keys: LocalSigningKeys, clock: FakeClock, claims: dict[str, Any], **header: Any) -> str:
    private, kid = _private(keys, clock)
    headers = {"typ": "at+jwt", "kid": kid, **header}
    return jwt.encode(claims, private, algorithm="RS256", headers=headers)


def test_a_token_signed_by_the_published_key_verifies(
    manager: SessionManager, keys: LocalSigningKeys, clock: FakeClock, claims: dict[str, Any]
) -> None:
    assert manager.verify_access_token(_signed(keys, clock, claims)).sub == "alice"


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"])
def test_typ_is_at_jwt_in_any_case_with_or_without_the_media_prefix(
    manager: SessionManager,
    keys: LocalSigningKeys,
    clock: FakeClock,
    claims: dict[str, Any],
    typ: str,
) -> None:
    assert manager.verify_access_token(_signed(keys, clock, claims, typ=typ)).sid


@pytest.mark.parametrize("typ", ["JWT", "jwt", "", "at+jwt2"])
def test_another_typ_is_refused(
    manager: SessionManager,
    keys: LocalSigningKeys,
    clock: FakeClock,
    claims: dict[str, Any],
    typ: str,
) -> None:
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(_signed(keys, clock, claims, typ=typ))


def test_alg_none_is_refused(
    manager: SessionManager, keys: LocalSigningKeys, clock: FakeClock, claims: dict[str, Any]
) -> None:
    _, kid = _private(keys, clock)
    header = _b64(json.dumps({"alg": "none", "typ": "at+jwt", "kid": kid}).encode())
    token = f"{header}.{_b64(json.dumps(claims).encode())}."
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(token)


def test_hs256_signed_with_the_public_key_as_secret_is_refused(
    manager: SessionManager, keys: LocalSigningKeys, clock: FakeClock, claims: dict[str, Any]
) -> None:
    private, kid = _private(keys, clock)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": kid}).encode())
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(f"{header}.{body}.{_b64(mac)}")


def test_a_key_the_set_does_not_publish_is_refused_even_with_a_known_kid(
    manager: SessionManager, keys: LocalSigningKeys, clock: FakeClock, claims: dict[str, Any]
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _, kid = _private(keys, clock)
    for header_kid in (kid, "unknown-kid"):
        token = jwt.encode(
            claims, stranger, algorithm="RS256", headers={"typ": "at+jwt", "kid": header_kid}
        )
        with pytest.raises(InvalidAccessTokenError):
            manager.verify_access_token(token)


@pytest.mark.parametrize(
    "change",
    [
        {"iss": "https://evil.example.com"},
        {"iss": ISSUER + "/"},
        {"aud": "reports"},  # another configured audience: not the one asked
        {"aud": ["api", "reports"]},
        {"aud": "billing"},
        {"sub": None},
        {"sid": 7},
        {"sct": "1"},
        {"exp": None},
        {"iat": 1.5},
        # what only a leaked signing key could sign: we never issue these
        {"client_id": "someone-else"},
        {"acr": "aal2"},  # says aal2 while aal is 1
    ],
)
def test_claims_that_are_not_this_issuers_or_not_well_typed_are_refused(
    manager: SessionManager,
    keys: LocalSigningKeys,
    clock: FakeClock,
    claims: dict[str, Any],
    change: dict[str, Any],
) -> None:
    forged = {k: v for k, v in {**claims, **change}.items() if v is not None}
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(_signed(keys, clock, forged))


def test_times_allow_five_seconds_of_skew_and_no_more(
    manager: SessionManager, keys: LocalSigningKeys, clock: FakeClock, claims: dict[str, Any]
) -> None:
    token = _signed(keys, clock, claims)
    clock.advance(seconds=300 + 4)
    assert manager.verify_access_token(token).sub == "alice"
    clock.advance(seconds=2)
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(token)
    clock.advance(seconds=-306 - 6)  # six seconds before it was issued
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(token)


def test_a_tampered_payload_or_a_truncated_signature_is_refused(
    manager: SessionManager, keys: LocalSigningKeys, clock: FakeClock, claims: dict[str, Any]
) -> None:
    header, _, signature = _signed(keys, clock, claims).split(".")
    elevated = _b64(json.dumps({**claims, "aal": 2, "acr": "aal2"}).encode())
    for token in (f"{header}.{elevated}.{signature}", f"{header}.{elevated}.{signature[:-4]}"):
        with pytest.raises(InvalidAccessTokenError):
            manager.verify_access_token(token)


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c", "x" * 9000, None, 42, b"a.b.c"])
def test_malformed_input_is_refused_with_the_one_error(manager: SessionManager, token: Any) -> None:
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(token)


def test_verifying_sends_no_store_request(keys: LocalSigningKeys, clock: FakeClock) -> None:
    store = CallCounter(InMemorySessionStore())
    tokens = AccessTokens(AccessTokenPolicy(ISSUER, ("api",)), CachedKeys(keys, clock))
    manager = SessionManager(SessionConfig(store, clock=clock, access_tokens=tokens))
    session = manager.create(user_id="alice")
    token = manager.issue_access_token(session.token or "").access_token
    store.reset()
    assert manager.verify_access_token(token).sid == session.id
    assert not store.calls


# What only a leaked signing key, or a hostile header, could put in a token.


def test_verify_a_lifetime_longer_than_any_we_issue_is_refused(
    manager: SessionManager, keys: LocalSigningKeys, clock: FakeClock, claims: dict[str, Any]
) -> None:
    # only a leaked signing key could sign one that lives two hours
    assert manager.verify_access_token(_signed(keys, clock, claims)).sub == "alice"
    forged = {**claims, "exp": claims["iat"] + 7_200}
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(_signed(keys, clock, forged))


def test_verify_padded_signature_is_another_spelling_and_refused(
    manager: SessionManager, keys: LocalSigningKeys, clock: FakeClock, claims: dict[str, Any]
) -> None:
    head, body, signature = _signed(keys, clock, claims).split(".")
    padded = base64.urlsafe_b64encode(base64.urlsafe_b64decode(signature + "==")).decode()
    assert padded.endswith("=")
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(f"{head}.{body}.{padded}")


def test_verify_deeply_nested_header_is_refused_without_a_recursion_error(
    manager: SessionManager, claims: dict[str, Any]
) -> None:
    # GIVEN a 6.7 KB header of "[" x 5000 (under the token's size limit)
    head = base64url_encode(b"[" * 5000).decode()
    token = f"{head}.e30.c2ln"
    # WHEN verified THEN the documented error, not RecursionError
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(token)


def test_verify_nested_header_under_the_limit_is_still_refused_cleanly(
    manager: SessionManager,
) -> None:
    head = base64url_encode(b"[" * 300 + b"]" * 300).decode()
    with pytest.raises(InvalidAccessTokenError):
        manager.verify_access_token(f"{head}.e30.c2ln")
