"""Access tokens over the API handler: issuing (``/me/token``, ``/sessions/token``),
the discovery document and the key set, with the handler's own key file (a handler
run outside Lambda), the fake clock and DynamoDB on moto."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import jwt
import pytest

from handlers.token_keys import LOCAL_ISSUER
from sessions_core import SessionManager
from tests.integration.api_support import body, event, invoke
from tests.support import FakeClock

_PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


def _claims(answer: dict[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        body(answer)["accessToken"], options={"verify_signature": False}
    )
    return claims


def test_me_token_with_a_bearer_session_answers_a_token_that_verifies_never_cached(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    session = api_manager.create(user_id="alice")
    answer = invoke(event("me_token_bearer", token=session.token or ""))
    assert answer["statusCode"] == 200
    assert answer["headers"]["Cache-Control"] == "no-store"
    payload = body(answer)
    assert set(payload) == {"accessToken", "tokenType", "expiresIn", "expiresAt"}
    assert payload["tokenType"] == "Bearer" and payload["expiresIn"] == 120
    claims = api_manager.verify_access_token(payload["accessToken"])
    assert (claims.sub, claims.sid, claims.aud) == ("alice", session.id, "api")
    assert claims.exp == int(clock.now.timestamp()) + 120
    assert payload["expiresAt"] == (clock.now + timedelta(seconds=120)).isoformat().replace(
        "+00:00", "Z"
    )


def test_me_token_by_cookie_needs_an_allowed_origin(api_manager: SessionManager) -> None:
    session = api_manager.create(user_id="alice")
    allowed = invoke(event("me_token_cookie", token=session.token or ""))
    assert allowed["statusCode"] == 200
    assert _claims(allowed)["sid"] == session.id
    cross_site = event("me_token_cookie", token=session.token or "")
    cross_site["headers"]["origin"] = "https://evil.example.net"
    refused = invoke(cross_site)
    assert refused["statusCode"] == 403
    assert "accessToken" not in (body(refused) or {})


def test_me_token_with_no_body_issues_the_default_audience_for_5_minutes(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    session = api_manager.create(user_id="alice")
    data = event("me_token_bearer", token=session.token or "")
    del data["body"]
    answer = invoke(data)
    assert answer["statusCode"] == 200
    claims = _claims(answer)
    assert claims["aud"] == "api" and claims["exp"] - claims["iat"] == 300


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"audience": "billing"}, None),  # not configured: the core refuses it
        ({"expiresIn": 0}, "expiresIn"),
        ({"expiresIn": 3601}, "expiresIn"),
        ({"expiresIn": "60"}, "expiresIn"),
    ],
)
def test_me_token_with_options_out_of_bounds_is_a_422_naming_the_field(
    api_manager: SessionManager, payload: dict[str, Any], field: str | None
) -> None:
    session = api_manager.create(user_id="alice")
    data = event("me_token_bearer", token=session.token or "")
    data["body"] = json.dumps(payload)
    answer = invoke(data)
    assert answer["statusCode"] == 422
    assert field is None or field in body(answer)["message"]


def test_me_token_for_a_revoked_or_unknown_session_is_a_401(
    api_manager: SessionManager,
) -> None:
    session = api_manager.create(user_id="alice")
    api_manager.destroy(session.id)
    revoked = invoke(event("me_token_bearer", token=session.token or ""))
    assert revoked["statusCode"] == 401 and body(revoked)["error"] == "session_revoked"
    garbage = invoke(event("me_token_bearer", token="not-a-token"))
    assert garbage["statusCode"] == 401 and body(garbage)["error"] == "invalid_token"


def test_token_never_outlives_its_session_and_the_last_second_is_refused(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    session = api_manager.create(user_id="alice", expires_in=timedelta(seconds=90))
    answer = invoke(event("me_token_bearer", token=session.token or ""))
    assert _claims(answer)["exp"] == int(session.expires_at.timestamp())
    clock.advance(seconds=89, milliseconds=500)
    late = invoke(event("me_token_bearer", token=session.token or ""))
    assert late["statusCode"] == 401 and body(late)["error"] == "session_expired"


def test_sessions_token_over_iam_issues_for_the_token_in_the_body(
    api_manager: SessionManager,
) -> None:
    session = api_manager.create(user_id="bob")
    answer = invoke(event("sessions_token", token=session.token or ""))
    assert answer["statusCode"] == 200
    assert _claims(answer)["sub"] == "bob"
    unsigned = event("sessions_token", token=session.token or "")
    del unsigned["requestContext"]["authorizer"]
    assert invoke(unsigned)["statusCode"] == 403


def test_discovery_is_exactly_the_five_fields_and_cacheable(
    api_manager: SessionManager,
) -> None:
    answer = invoke(event("openid_configuration"))
    assert answer["statusCode"] == 200
    assert answer["headers"]["Cache-Control"] == "public, max-age=300"
    assert body(answer) == {
        "issuer": LOCAL_ISSUER,
        "jwks_uri": f"{LOCAL_ISSUER}/.well-known/jwks.json",
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }


def test_jwks_publishes_public_keys_only_with_kid_use_and_alg(
    api_manager: SessionManager,
) -> None:
    answer = invoke(event("jwks"))
    assert answer["statusCode"] == 200
    assert answer["headers"]["Cache-Control"] == "public, max-age=300"
    keys = body(answer)["keys"]
    assert keys and all(set(k) == {"kty", "n", "e", "kid", "use", "alg"} for k in keys)
    assert not _PRIVATE_MEMBERS & {member for k in keys for member in k}
    session = api_manager.create(user_id="alice")
    issued = invoke(event("me_token_bearer", token=session.token or ""))
    kid = jwt.get_unverified_header(body(issued)["accessToken"])["kid"]
    assert kid in {k["kid"] for k in keys}


def test_issuing_writes_no_token_to_any_log(
    api_manager: SessionManager, capsys: pytest.CaptureFixture[str]
) -> None:
    session = api_manager.create(user_id="alice")
    capsys.readouterr()
    answer = invoke(event("me_token_bearer", token=session.token or ""))
    access_token = body(answer)["accessToken"]
    logged = capsys.readouterr()
    for secret in (access_token, session.token or "", access_token.split(".")[2]):
        assert secret not in logged.out and secret not in logged.err
