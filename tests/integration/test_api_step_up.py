"""Step-up over the API handler: sensitive client routes ask for a recent sign-in, the
login backend's reauthenticate route gives one."""

from __future__ import annotations

from typing import Any

import pytest

from sessions_core import SessionManager
from tests.integration.api_support import body, event, invoke
from tests.support import FakeClock


def _reauthenticate(session_id: str, payload: str | None = '{"aal": 2}') -> dict[str, Any]:
    data = event("destroy_session", session_id=session_id)
    path = f"/sessions/{session_id}/reauthenticate"
    route = "POST /sessions/{sessionId}/reauthenticate"
    data.update(rawPath=path, routeKey=route, isBase64Encoded=False)
    data["requestContext"].update(routeKey=route)
    data["requestContext"]["http"].update(method="POST", path=path)
    data["headers"]["content-type"] = "application/json"
    if payload is None:
        data.pop("body", None)
    else:
        data["body"] = payload
    return invoke(data)


def test_revoke_others_needs_a_recent_sign_in_and_reauthenticate_gives_one(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    me = api_manager.create(user_id="alice")
    api_manager.create(user_id="alice")
    clock.advance(minutes=16)
    refused = invoke(event("me_revoke_others_cookie", token=me.token or ""))
    assert refused["statusCode"] == 403
    assert body(refused)["error"] == "reauthentication_required"
    assert len(api_manager.list_for_user("alice")) == 2  # nothing changed
    stepped = _reauthenticate(me.id)
    assert stepped["statusCode"] == 200
    assert body(stepped)["session"]["aal"] == 2
    assert body(stepped)["session"]["authenticatedAt"] == clock.now.isoformat().replace(
        "+00:00", "Z"
    )
    done = invoke(event("me_revoke_others_cookie", token=me.token or ""))
    assert done["statusCode"] == 200 and body(done) == {"revoked": 1}


def test_signing_out_another_device_needs_it_but_reads_and_yourself_do_not(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    me = api_manager.create(user_id="alice")
    other = api_manager.create(user_id="alice")
    clock.advance(minutes=16)
    assert invoke(event("me_sessions_bearer", token=me.token or ""))["statusCode"] == 200
    other_device = event("me_revoke_one_bearer", token=me.token or "", session_id=other.id)
    assert body(invoke(other_device))["error"] == "reauthentication_required"
    assert api_manager.validate(other.token or "").valid
    myself = event("me_revoke_one_bearer", token=me.token or "", session_id=me.id)
    assert invoke(myself)["statusCode"] == 204


def test_reauthenticate_without_a_body_keeps_the_aal(api_manager: SessionManager) -> None:
    session = api_manager.create(user_id="alice", aal=2)
    answer = _reauthenticate(session.id, payload=None)
    assert answer["statusCode"] == 200 and body(answer)["session"]["aal"] == 2


@pytest.mark.parametrize(
    ("setup", "status", "code"),
    [
        ("unknown", 404, "session_not_found"),
        ("revoked", 409, "session_revoked"),
        ("expired", 409, "session_expired"),
    ],
)
def test_reauthenticate_sessions_that_cannot_be_used(
    api_manager: SessionManager, clock: FakeClock, setup: str, status: int, code: str
) -> None:
    session = api_manager.create(user_id="alice")
    target = session.id
    if setup == "unknown":
        target = "00000000-0000-8000-8000-000000000000"
    elif setup == "revoked":
        api_manager.destroy(session.id)
    else:
        clock.advance(days=2)
    answer = _reauthenticate(target)
    assert answer["statusCode"] == status and body(answer)["error"] == code


def test_reauthenticate_aal_out_of_range_answers_422(api_manager: SessionManager) -> None:
    session = api_manager.create(user_id="alice")
    assert _reauthenticate(session.id, '{"aal": 5}')["statusCode"] == 422


def test_reauthenticate_without_iam_answers_403(api_manager: SessionManager) -> None:
    session = api_manager.create(user_id="alice")
    data = event("destroy_session", session_id=session.id)
    path = f"/sessions/{session.id}/reauthenticate"
    data.update(rawPath=path, routeKey="$default", body="{}", isBase64Encoded=False)
    data["requestContext"]["http"].update(method="POST", path=path)
    assert invoke(data)["statusCode"] == 403
