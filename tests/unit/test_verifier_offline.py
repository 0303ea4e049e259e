"""`AccessTokenVerifier` end to end on loopback: its JWKS served by a tiny HTTP server
in the test, so that the unit tests (and the minimum-versions job that runs them)
exercise PyJWT's ``PyJWKClient`` exactly as a relying service does."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sessions_client.verifier import AccessTokenVerifier
from sessions_core import (
    InMemorySessionStore,
    InvalidAccessTokenError,
    SessionConfig,
    SessionManager,
)
from tests.support import FakeClock, local_access_tokens


@pytest.fixture
def serving() -> Iterator[tuple[str, dict[str, Any]]]:
    """A loopback URL answering the JWK Set put in the dict it comes with."""
    document: dict[str, Any] = {}

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json", document
    finally:
        server.shutdown()
        server.server_close()


def test_access_token_verifier_good_token_gives_its_claims_and_a_forgery_is_refused(
    serving: tuple[str, dict[str, Any]],
) -> None:
    # GIVEN a manager issuing access tokens and its JWKS published over HTTP
    clock = FakeClock()
    tokens = local_access_tokens(clock)
    manager = SessionManager(
        SessionConfig(InMemorySessionStore(), clock=clock, access_tokens=tokens)
    )
    session = manager.create(user_id="alice")
    issued = manager.issue_access_token(session.token or "", expires_in=timedelta(minutes=5))
    url, document = serving
    document.update(tokens.jwks())
    verifier = AccessTokenVerifier(
        tokens.policy.issuer, "api", jwks_uri=url, clock=lambda: clock.now
    )
    # WHEN it verifies the token THEN the claims are the session's
    claims = verifier.verify(issued.access_token)
    assert (claims.sub, claims.sid) == ("alice", session.id)
    # AND a token with another signature is refused with the documented error
    head, body, _ = issued.access_token.split(".")
    with pytest.raises(InvalidAccessTokenError):
        verifier.verify(f"{head}.{body}.{'A' * 342}")
