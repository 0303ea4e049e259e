"""Secrets hygiene (no token in logs, errors or reprs, everything at DEBUG) and
hand-written hostile inputs."""

from __future__ import annotations

import json
import logging

import pytest

from handlers.credentials import credential_from
from sessions_core import SessionManager
from tests.integration.api_support import body, event, invoke


def _secrets(token: str) -> list[str]:
    return [token, token.split(".", 1)[1]]


def test_no_token_in_logs_errors_or_reprs_at_debug(
    api_manager: SessionManager,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    for name in (
        "",
        "botocore",
        "sessions_core",
        "sessions",
        "aws_lambda_powertools",
        "aws_lambda_powertools.event_handler.api_gateway",
    ):
        logging.getLogger(name).setLevel(logging.DEBUG)
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
    issued: list[str] = []
    created = body(invoke(event("create_session")))
    issued.append(created["token"])
    token = created["token"]
    visible: list[str] = []  # everything but the answers that hand out a token
    visible.append(json.dumps(invoke(event("validate_session", token=token))))
    refreshed = invoke(event("refresh_session", token=token))
    issued.append(body(refreshed)["token"])
    new_token = body(refreshed)["token"]
    for name in ("me_session_cookie", "me_sessions_bearer", "me_revoke_others_cookie"):
        visible.append(json.dumps(invoke(event(name, token=new_token))))
    visible.append(json.dumps(invoke(event("validate_session", token=token + "x"))))
    visible.append(json.dumps(invoke(event("refresh_session", token="A" * 5000 + new_token))))
    visible.append(json.dumps(invoke(event("me_logout_bearer", token=new_token))))
    visible.append(json.dumps(invoke(event("refresh_session", token=new_token))))
    session = api_manager.create(user_id="alice")
    assert session.token is not None
    issued.append(session.token)
    visible += [
        repr(session),
        str(session),
        repr(credential_from({"authorization": f"Bearer {session.token}"}, None)),
    ]
    try:
        api_manager.refresh(session.token[:-1] + "A")
    except Exception as error:  # its message is what this test inspects
        visible.append(f"{error!r} {error}")
    captured = capsys.readouterr()
    everything = "\n".join([*visible, caplog.text, captured.out, captured.err])
    assert "botocore" in caplog.text  # DEBUG logging really was on
    for issued_token in issued:
        for secret in _secrets(issued_token):
            assert secret not in everything


@pytest.mark.parametrize("length", [0, 1, 79, 80, 81, 4096, 100_000])
def test_token_of_any_length_is_refused_cleanly(api_manager: SessionManager, length: int) -> None:
    result = invoke(event("validate_session", body=json.dumps({"token": "a" * length})))
    assert result["statusCode"] in {200, 413, 422}
    answer = body(result)
    assert answer.get("valid") is False or set(answer) == {"error", "message"}


@pytest.mark.parametrize("token", ["\x00" * 80, "a\x00b", "\ud800", "é" * 80])
def test_token_with_nul_or_odd_unicode_is_invalid(api_manager: SessionManager, token: str) -> None:
    raw = json.dumps({"token": token})
    result = invoke(event("validate_session", body=raw))
    assert result["statusCode"] in {200, 422}  # a lone surrogate is not a valid string
    if result["statusCode"] == 200:
        assert body(result) == {"valid": False, "error": "invalid_token"}
    header = event("me_sessions_bearer")
    header["headers"]["authorization"] = f"Bearer {token}"
    assert invoke(header)["statusCode"] == 401


def _nested(depth: int) -> str:
    """JSON text of ``depth + 1`` nested objects."""
    return '{"a":' * depth + "{}" + "}" * depth


@pytest.mark.parametrize(
    ("depth", "statuses"),
    [
        (10, {201}),
        (31, {201}),
        # more than 32 levels inside the body: the body guard refuses it
        (32, {400}),
        (300, {400}),
        # 3.11's json parser gives up (400); 3.13's parses it and the size check answers
        (2500, {400, 413}),
        (5000, {413}),
    ],
)
def test_deeply_nested_metadata_never_crashes(
    api_manager: SessionManager, depth: int, statuses: set[int]
) -> None:
    raw = '{"userId": "u", "metadata": ' + _nested(depth) + "}"
    result = invoke(event("create_session", body=raw))
    assert result["statusCode"] in statuses
    assert "Traceback" not in result["body"]
    if 201 not in statuses:  # refused before anything was stored
        assert api_manager.list_for_user("u") == []


@pytest.mark.parametrize("user_path", ["a%2Fb", "..", "..%2F..", "%00", "%2e%2e", "x" * 300])
def test_odd_user_ids_in_the_path_answer_cleanly(
    api_manager: SessionManager, user_path: str
) -> None:
    data = event("list_user_sessions")
    path = f"/users/{user_path}/sessions"
    data["rawPath"] = data["requestContext"]["http"]["path"] = path
    result = invoke(data)
    assert result["statusCode"] in {200, 422}
    assert set(body(result)) in ({"sessions"}, {"error", "message"})


@pytest.mark.parametrize(
    "session_path", ["%00", "..", "a%2Fb", "00000000-0000-8000-8000-000000000000"]
)
def test_odd_session_ids_in_the_path_answer_cleanly(
    api_manager: SessionManager, session_path: str
) -> None:
    token = api_manager.create(user_id="alice").token or ""
    result = invoke(event("me_revoke_one_bearer", token=token, session_id=session_path))
    assert result["statusCode"] == 404
    assert invoke(event("destroy_session", session_id=session_path))["statusCode"] == 204
