"""Every route over real HTTP against `sessions serve` (embedded DynamoDB)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.serve_support import Served, bearer, call, start_serve, wait_for_log


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = start_serve(tmp_path_factory.mktemp("serve") / "serve.log")
    yield running
    running.process.terminate()
    running.process.wait(timeout=10)


def test_serve_banner_names_url_docs_and_table(served: Served) -> None:
    banner = served.log.read_text()
    assert served.url in banner and f"{served.url}/docs" in banner and "'serve-test'" in banner


def test_serve_service_routes_end_to_end(served: Served) -> None:
    created = call(served, "POST", "/sessions", {"userId": "carol", "metadata": {"device": "cli"}})
    assert created.status == 201
    token, session_id = created.body["token"], created.body["session"]["id"]
    assert call(served, "POST", "/sessions/validate", {"token": token}).body["valid"] is True
    refreshed = call(served, "POST", "/sessions/refresh", {"token": token})
    assert refreshed.status == 200 and refreshed.body["token"] != token
    listed = call(served, "GET", "/users/carol/sessions")
    assert [s["id"] for s in listed.body["sessions"]] == [session_id]
    assert call(served, "DELETE", f"/sessions/{session_id}").status == 204
    assert call(served, "DELETE", "/users/carol/sessions").body == {"revoked": 0}


def test_serve_client_routes_with_cookie_and_origin(served: Served) -> None:
    token = call(served, "POST", "/sessions", {"userId": "dave"}).body["token"]
    other = call(served, "POST", "/sessions", {"userId": "dave"}).body["session"]["id"]
    cookie = {"Cookie": f"theme=dark; __Host-session={token}"}
    me = call(served, "GET", "/me/session", headers=cookie)
    assert me.status == 200 and me.body["session"]["userId"] == "dave"
    foreign = call(
        served, "POST", "/me/session/refresh", headers={**cookie, "Origin": "https://evil.example"}
    )
    assert foreign.status == 403
    same_origin = {**cookie, "Origin": served.url}
    refreshed = call(served, "POST", "/me/session/refresh", headers=same_origin)
    assert refreshed.status == 200
    assert set(refreshed.body) == {"session"}
    (set_cookie,) = refreshed.headers.get_all("Set-Cookie")
    token = set_cookie.split(";")[0].removeprefix("__Host-session=")
    assert token and token not in json.dumps(refreshed.body)
    mine = call(served, "GET", "/me/sessions", headers=bearer(token)).body["sessions"]
    assert len(mine) == 2 and sum(1 for s in mine if s.get("current")) == 1
    assert call(served, "DELETE", f"/me/sessions/{other}", headers=bearer(token)).status == 204
    assert call(served, "POST", "/me/sessions/revoke-others", headers=bearer(token)).body == {
        "revoked": 0
    }
    logout = call(served, "DELETE", "/me/session", headers=bearer(token))
    assert logout.status == 204 and "Max-Age=0" in logout.headers.get("Set-Cookie", "")
    assert call(served, "GET", "/me/session", headers=bearer(token)).status == 401


def test_serve_docs_openapi_and_unknown_route(served: Served) -> None:
    assert "swagger" in call(served, "GET", "/docs").body.lower()
    assert "/me/sessions/{sessionId}" in call(served, "GET", "/openapi.json").body["paths"]
    missing = call(served, "GET", "/no/such/route")
    assert missing.status == 404


def test_serve_bad_body_answers_400_json(served: Served) -> None:
    reply = call(
        served, "POST", "/sessions", b"\xff\xfe not utf-8", {"Content-Type": "application/json"}
    )
    assert reply.status == 400 and reply.body["error"] == "bad_request"


def test_serve_prints_no_metrics_blobs_after_many_requests(served: Served) -> None:
    token = call(served, "POST", "/sessions", {"userId": "busy"}).body["token"]
    for _ in range(120):
        call(served, "POST", "/sessions/validate", {"token": token})
    log = wait_for_log(served, "POST /sessions/validate 200")
    assert '"_aws"' not in log and "CloudWatchMetrics" not in log


def test_serve_logs_one_line_per_request_without_tokens(served: Served) -> None:
    token = call(served, "POST", "/sessions", {"userId": "erin"}).body["token"]
    call(served, "GET", "/me/session", headers=bearer(token))
    call(served, "GET", f"/me/session?token={token}")
    log = wait_for_log(served, "GET /me/session 401")
    assert "GET /me/session 200" in log and "POST /sessions 201" in log
    assert token not in log and token.split(".")[1] not in log


def test_serve_activity_fills_from_the_stream_within_seconds(served: Served) -> None:
    mine = call(served, "POST", "/sessions", {"userId": "frank", "userAgent": "curl/8.5.0"})
    other = call(served, "POST", "/sessions", {"userId": "frank"}).body
    rotated = call(served, "POST", "/sessions/refresh", {"token": other["token"]}).body
    assert call(served, "DELETE", f"/sessions/{rotated['session']['id']}").status == 204
    deadline = time.monotonic() + 15
    kinds: list[str] = []
    while time.monotonic() < deadline:
        answer = call(served, "GET", "/me/activity", headers=bearer(mine.body["token"]))
        assert answer.status == 200
        kinds = [e["type"] for e in answer.body["events"]]
        if len(kinds) == 4:
            break
        time.sleep(0.3)
    assert kinds == [
        "session.revoked",
        "session.refreshed",
        "session.created",
        "session.created",
    ], answer.body
    log = wait_for_log(served, "event session.revoked (revoked)")
    assert mine.body["token"].split(".")[1] not in log


def test_serve_sends_answers_without_waiting_on_nagle() -> None:
    # Headers and body leave in two writes; with Nagle on, a keep-alive client's delayed
    # ACK held each answer ~40 ms (the peer benchmark measured 48 ms per page view).
    from sessions_local.server import _request_handler

    handler = _request_handler(None, print)  # type: ignore[arg-type]
    assert handler.disable_nagle_algorithm is True
