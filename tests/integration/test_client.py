"""`SessionsClient` against `sessions serve --enforce-iam`: every method signed for real,
a wrong key refused, error codes mapped, step-up over HTTP, a 503 retried."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from botocore.credentials import Credentials

from sessions_client import SessionsClient
from sessions_core import (
    InvalidArgumentError,
    InvalidTokenError,
    SessionConfig,
    SessionLimitError,
    SessionManager,
    SessionNotFoundError,
    SessionRevokedError,
    StoreConfigurationError,
    StoreUnavailableError,
)
from tests.serve_support import Served, bearer, call, start_serve
from tests.support import FakeClock

KEYS = Credentials("testing", "testing", "testing")  # what conftest puts in the environment


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = start_serve(
        tmp_path_factory.mktemp("iam") / "serve.log",
        "--enforce-iam",
        env={
            "SESSIONS_REAUTH_MAX_AGE_SECONDS": "2",
            "SESSIONS_MAX_PER_USER": "3",
            "SESSIONS_ON_LIMIT": "deny",
        },
    )
    yield running
    running.process.terminate()
    running.process.wait(timeout=10)


@pytest.fixture
def client(served: Served) -> Iterator[SessionsClient]:
    sessions = SessionsClient(served.url, credentials=KEYS, region="us-east-1")
    yield sessions
    sessions.close()


def test_client_every_method_signed_for_real(client: SessionsClient, served: Served) -> None:
    created = client.create(
        user_id="grace", user_agent="curl/8.5.0", metadata={"k": 1}, aal=2, country="NL"
    )
    assert created.token and created.device is not None and created.device.label == "curl"
    assert (created.aal, created.country, created.metadata) == (2, "NL", {"k": 1})
    checked = client.validate(created.token)
    assert checked.valid and checked.session is not None and checked.session.id == created.id
    rotated = client.refresh(created.token)
    assert rotated.id == created.id and rotated.token != created.token
    assert [s.id for s in client.list_for_user("grace")] == [created.id]
    stepped = client.reauthenticate(created.id, aal=3)
    assert stepped.aal == 3 and stepped.authenticated_at is not None
    other = client.create(user_id="grace")
    client.revoke(other.id)
    assert client.validate(other.token or "").error == "session_revoked"
    assert client.revoke_all("grace") == 1
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        kinds = [e.type for e in client.activity_for_user("grace")]
        if len(kinds) >= 6:
            break
        time.sleep(0.3)
    assert kinds[:2] == ["session.revoked", "session.revoked"]
    assert {"session.created", "session.refreshed", "session.reauthenticated"} <= set(kinds)


def test_client_signs_paths_that_need_escaping(client: SessionsClient) -> None:
    created = client.create(user_id="judy+1@example.com / ü")
    assert [s.id for s in client.list_for_user("judy+1@example.com / ü")] == [created.id]


def test_client_reuses_one_connection(client: SessionsClient, served: Served) -> None:
    for _ in range(5):
        client.validate("not-a-token")
    pool = client._pool.connection_from_url(served.url)
    assert pool.num_connections == 1


def test_client_wrong_secret_key_is_refused_403(served: Served) -> None:
    wrong = SessionsClient(served.url, credentials=Credentials("testing", "not-the-secret"))
    with pytest.raises(StoreConfigurationError, match="refused"):
        wrong.create(user_id="mallory")
    unsigned = call(served, "POST", "/sessions", {"userId": "mallory"})
    assert unsigned.status == 403
    assert client_listing(served) == []


def client_listing(served: Served) -> list[Any]:
    sessions = SessionsClient(served.url, credentials=KEYS)
    return sessions.list_for_user("mallory")


def test_client_maps_error_codes_to_the_managers_errors(client: SessionsClient) -> None:
    with pytest.raises(InvalidTokenError):
        client.refresh("garbage")
    with pytest.raises(SessionNotFoundError):
        client.reauthenticate("00000000-0000-8000-8000-000000000000")
    with pytest.raises(InvalidArgumentError, match="userId"):
        client.create(user_id="")
    with pytest.raises(InvalidArgumentError):
        client.create(user_id="heidi", max_lifetime=timedelta(days=31))
    for _ in range(3):
        client.create(user_id="capped")
    with pytest.raises(SessionLimitError) as limited:
        client.create(user_id="capped")
    assert len(limited.value.sessions) == 3


def test_step_up_over_http_with_a_short_max_age(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    # Over real HTTP and SigV4, in this process, so the server's clock is the test's:
    # time passes by moving it, not by sleeping.
    from handlers.settings import Settings
    from handlers.wiring import Runtime
    from sessions_local.server import iam_check_for
    from tests.harness.served import served_in_process

    strict = SessionManager(
        SessionConfig(
            api_manager.config.store, clock=clock, reauthentication_max_age=timedelta(seconds=2)
        )
    )
    runtime = Runtime(Settings.from_env(), strict)
    with served_in_process(runtime, iam_check=iam_check_for(KEYS, "us-east-1")) as url:
        client = SessionsClient(url, credentials=KEYS, region="us-east-1")
        me = client.create(user_id="ivan")
        client.create(user_id="ivan")
        clock.advance(seconds=3)  # the sign-in is now older than the 2 s allowed
        served = Served(url, None, Path("/dev/null"))  # type: ignore[arg-type]
        mine = bearer(me.token or "")
        refused = call(served, "POST", "/me/sessions/revoke-others", headers=mine)
        assert refused.status == 403 and refused.body["error"] == "reauthentication_required"
        client.reauthenticate(me.id)
        done = call(served, "POST", "/me/sessions/revoke-others", headers=mine)
        assert done.status == 200 and done.body == {"revoked": 1}
        client.close()


class _Flaky(BaseHTTPRequestHandler):
    answers: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = self.answers.pop(0)
        body = (
            json.dumps({"error": "store_unavailable", "message": "retry"})
            if status == 503
            else json.dumps({"valid": False, "error": "invalid_token"})
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        """Quiet."""


@pytest.mark.parametrize(
    ("answers", "raises"), [([503, 503, 200], None), ([503, 503, 503], StoreUnavailableError)]
)
def test_client_retries_503_a_bounded_number_of_times(
    answers: list[int], raises: type[Exception] | None, tmp_path: Path
) -> None:
    _Flaky.answers = list(answers)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = SessionsClient(f"http://127.0.0.1:{server.server_address[1]}", credentials=KEYS)
    try:
        if raises is None:
            assert client.validate("t").error == "invalid_token"
        else:
            with pytest.raises(raises):
                client.validate("t")
        assert _Flaky.answers == []  # 1 try + 2 retries, no more
    finally:
        server.shutdown()


def test_the_readmes_ten_line_login_backend_signs_in(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import sys

    monkeypatch.setenv("SESSIONS_API_URL", served.url)
    sys.modules.pop("examples.login_backend", None)
    backend = importlib.import_module("examples.login_backend")
    http = {"userAgent": "curl/8.5.0", "sourceIp": "203.0.113.7"}
    event = {
        "body": json.dumps({"username": "bob", "password": "builder"}),
        "requestContext": {"http": http},
    }
    answer = backend.handler(event, None)
    assert answer["statusCode"] == 204
    token = answer["cookies"][0].split(";")[0].removeprefix("__Host-session=")
    checked = SessionsClient(served.url, credentials=KEYS).validate(token)
    assert checked.valid and checked.session is not None
    assert checked.session.ip_address == "203.0.113.7"
    wrong = {**event, "body": json.dumps({"username": "bob", "password": "no"})}
    assert backend.handler(wrong, None) == {"statusCode": 401}


def test_client_issues_an_access_token_that_the_verifier_checks_offline(
    client: SessionsClient, served: Served
) -> None:
    from sessions_client import AccessTokenVerifier
    from sessions_core.errors import InvalidAccessTokenError

    session = client.create(user_id="ada")
    access = client.issue_access_token(
        session.token or "", audience="api", expires_in=timedelta(seconds=90)
    )
    assert access.session_id == session.id and access.token_type == "Bearer"
    verifier = AccessTokenVerifier(served.url, "api")
    claims = verifier.verify(access.access_token)
    assert (claims.sub, claims.sid, claims.exp - claims.iat) == ("ada", session.id, 90)
    with pytest.raises(InvalidAccessTokenError):
        AccessTokenVerifier(served.url, "reports").verify(access.access_token)
    with pytest.raises(InvalidAccessTokenError):
        AccessTokenVerifier("https://elsewhere.example", "api").verify(access.access_token)
    client.revoke(session.id)
    with pytest.raises(SessionRevokedError):
        client.issue_access_token(session.token or "")
    unsigned = SessionsClient(served.url, credentials=Credentials("x", "y"), region="us-east-1")
    with pytest.raises(StoreConfigurationError):
        unsigned.issue_access_token(session.token or "")
