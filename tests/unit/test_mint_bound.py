"""Minting is bounded per session: the same session asking again within 30 s for the
same audience, lifetime and proof gets the same token (one KMS Sign, not one per
request), and the issuing routes are throttled well below KMS's shared quota."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sessions_core import InMemorySessionStore, SessionConfig, SessionManager
from sessions_core.token_service import REUSE_WITHIN
from tests.harness.template import load_template
from tests.support import FakeClock, local_access_tokens

KMS_RSA_SIGNS_PER_SECOND = 500


def test_mint_loop_of_one_session_signs_once_per_half_minute(clock: FakeClock) -> None:
    tokens = local_access_tokens(clock)
    signs: list[int] = []
    signer_of = tokens.keys.signer

    def counted(entry: Any) -> Any:
        signer = signer_of(entry)

        class Counting:
            def sign(self, message: bytes) -> bytes:
                signs.append(1)
                return bytes(signer.sign(message))

        return Counting()

    tokens.keys.signer = counted  # type: ignore[method-assign]
    manager = SessionManager(
        SessionConfig(InMemorySessionStore(), clock=clock, access_tokens=tokens)
    )
    session = manager.create(user_id="alice")
    # WHEN one session loops on issuing for 20 s
    issued = set()
    for _ in range(200):
        issued.add(manager.issue_access_token(session.token or "").access_token)
        clock.advance(milliseconds=100)
    # THEN it got one token, signed once
    assert len(issued) == 1 and len(signs) == 1
    # AND another audience, a step-up or the time passing each sign anew
    manager.issue_access_token(session.token or "", audience="reports")
    manager.reauthenticate(session.id, aal=2)
    stepped = manager.issue_access_token(session.token or "")
    assert manager.verify_access_token(stepped.access_token).aal == 2
    clock.advance(REUSE_WITHIN)
    manager.issue_access_token(session.token or "")
    assert len(signs) == 4
    # AND a revoked session gets nothing, reused or not
    manager.destroy(session.id)
    try:
        manager.issue_access_token(session.token or "")
    except Exception as error:
        assert getattr(error, "code", "") == "session_revoked"
    else:
        raise AssertionError("a revoked session was issued a token")


def test_issuing_routes_are_throttled_below_the_kms_quota() -> None:
    template = load_template(Path(__file__).resolve().parents[2] / "template.yaml")
    routes = template["Resources"]["SessionsApi"]["Properties"]["RouteSettings"]
    for key in ("POST /me/token", "POST /sessions/token"):
        assert routes[key]["ThrottlingRateLimit"] <= KMS_RSA_SIGNS_PER_SECOND / 4, key
