"""Access tokens `sessions serve` issues, verified by clients no one here wrote: PyJWT's
``PyJWKClient`` and node ``jose`` (``createRemoteJWKSet`` + ``jwtVerify``), each
following the discovery document to the JWKS as a service would; and an emulation of
the checks API Gateway's JWT authorizer documents."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.harness.protocol_servers import ServerUnavailableError, install_node_tools
from tests.serve_support import Served, call, start_serve

AUDIENCES = "api,reports"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    server = start_serve(log, env={"SESSIONS_TOKEN_AUDIENCES": AUDIENCES})
    yield server
    server.process.terminate()
    server.process.wait(timeout=10)


def _access_token(served: Served, **options: Any) -> str:
    created = call(served, "POST", "/sessions", {"userId": "alice"})
    assert created.status == 201
    issued = call(
        served,
        "POST",
        "/me/token",
        options,
        headers={
            "Authorization": f"Bearer {created.body['token']}",
            "Content-Type": "application/json",
        },
    )
    assert issued.status == 200, issued.body
    return str(issued.body["accessToken"])


def test_serve_names_itself_as_issuer_and_publishes_its_keys(served: Served) -> None:
    discovery = call(served, "GET", "/.well-known/openid-configuration")
    assert discovery.status == 200
    assert discovery.body["issuer"] == served.url
    assert discovery.headers["Cache-Control"] == "public, max-age=300"
    assert "tokens issuer " + served.url in served.log.read_text()


def test_pyjwkclient_verifies_a_token_from_the_published_keys(served: Served) -> None:
    token = _access_token(served)
    discovery = call(served, "GET", "/.well-known/openid-configuration").body
    client = jwt.PyJWKClient(discovery["jwks_uri"])
    key = client.get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token, key.key, algorithms=["RS256"], audience="api", issuer=discovery["issuer"]
    )
    assert claims["sub"] == "alice" and claims["client_id"] == "sessions"
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(token, key.key, algorithms=["RS256"], audience="reports")


def _node() -> Path:
    try:
        tools = install_node_tools()
    except ServerUnavailableError as error:
        pytest.skip(str(error))
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    script = tools / "verify_jose.mjs"
    shutil.copyfile(
        Path(__file__).resolve().parents[1] / "harness" / "node" / "verify_jose.mjs", script
    )
    return script


def _jose(script: Path, issuer: str, audience: str, token: str) -> dict[str, Any]:
    result = subprocess.run(
        ["node", str(script), issuer, audience, token],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_node_jose_verifies_a_token_and_refuses_another_audience(served: Served) -> None:
    script = _node()
    token = _access_token(served, audience="reports", expiresIn=60)
    verified = _jose(script, served.url, "reports", token)
    assert verified["ok"], verified
    assert verified["payload"]["aud"] == "reports" and verified["header"]["typ"] == "at+jwt"
    assert verified["payload"]["exp"] - verified["payload"]["iat"] == 60
    refused = _jose(script, served.url, "api", token)
    assert refused == {"ok": False, "code": "ERR_JWT_CLAIM_VALIDATION_FAILED"}


def api_gateway_jwt_authorizer(
    jwks: dict[str, Any], issuer: str, audiences: list[str], token: str, now: float
) -> dict[str, Any] | None:
    """The checks API Gateway's HTTP API JWT authorizer documents, in its order: a kid
    in the JWKS, an RSA signature by that key (RS256), ``iss`` equal to the configured
    issuer, ``aud`` (or ``client_id``) among the audiences, ``exp`` after now, ``nbf``
    and ``iat`` before now. The claims on success (what routes see), else None."""
    try:
        header = jwt.get_unverified_header(token)
        (key,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
        if key["kty"] != "RSA" or header["alg"] != "RS256":
            return None
        claims: dict[str, Any] = jwt.decode(
            token,
            jwt.PyJWK(key).key,
            algorithms=["RS256"],
            options={
                "verify_aud": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except (ValueError, KeyError, jwt.PyJWTError):
        return None
    audience = claims.get("aud", claims.get("client_id"))
    if claims.get("iss") != issuer or audience not in audiences:
        return None
    if not claims["exp"] > now or claims.get("nbf", 0) > now or claims.get("iat", 0) > now:
        return None
    return claims


def test_api_gateway_jwt_authorizer_checks_pass_and_fail_where_they_should(served: Served) -> None:
    token = _access_token(served)
    jwks = call(served, "GET", "/.well-known/jwks.json").body
    now = time.time()
    passed = api_gateway_jwt_authorizer(jwks, served.url, ["api"], token, now)
    assert passed is not None and passed["sub"] == "alice"
    assert api_gateway_jwt_authorizer(jwks, served.url + "/", ["api"], token, now) is None
    assert api_gateway_jwt_authorizer(jwks, served.url, ["other"], token, now) is None
    assert api_gateway_jwt_authorizer(jwks, served.url, ["api"], token, now + 301) is None
    assert api_gateway_jwt_authorizer({"keys": []}, served.url, ["api"], token, now) is None


def test_a_locally_invoked_authorizer_with_serves_variables_honours_its_revocations(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    from handlers import authorizer

    shared = {
        "SESSIONS_TOKEN_ISSUER": "https://issuer.test",
        "SESSIONS_REVOCATION_POLL_SECONDS": "1",
        "SESSIONS_TABLE": "local-authorizer",
    }
    server = start_serve(tmp_path_factory.mktemp("local") / "serve.log", env=shared)
    previous = authorizer.wiring.runtime_if_built()
    try:
        moto_url = re.search(r"at (http://127\.0\.0\.1:\d+)", server.log.read_text())
        assert moto_url is not None
        for name, value in {**shared, "AWS_ENDPOINT_URL_DYNAMODB": moto_url.group(1)}.items():
            monkeypatch.setenv(name, value)
        authorizer.wiring.use(None)  # built from this environment, as in Lambda
        created = call(server, "POST", "/sessions", {"userId": "alice"}).body
        bearer = {"Authorization": f"Bearer {created['token']}"}
        token = call(server, "POST", "/me/token", {}, headers=bearer).body["accessToken"]
        event = {"headers": {"authorization": f"Bearer {token}"}}
        assert authorizer.handler(event, None)["isAuthorized"]
        assert call(server, "DELETE", "/me/session", headers=bearer).status == 204
        deadline = time.monotonic() + 3
        while authorizer.handler(event, None)["isAuthorized"]:
            assert time.monotonic() < deadline, "the logout was not honoured"
            time.sleep(0.1)
    finally:
        authorizer.wiring.use(previous)
        server.process.terminate()
        server.process.wait(timeout=10)
