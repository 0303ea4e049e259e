"""Least privilege, per function: each function's role in template.yaml has exactly the
DynamoDB actions its code paths send, on each table (the sessions table with its
indexes, the feed table), counted on the wire (a botocore hook) while each function's
handler serves every path it has: its routes, sliding, token replay, a session an
erasure left behind, a login racing an erasure. Each measured stretch starts as a cold
container does: without DynamoDB's time (so a first revocation reads it)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from handlers import authorizer, cleanup, events, feed_compactor
from handlers.route_table import ROUTES
from handlers.token_authorizer import TokenAuthorizer
from sessions_core import SessionConfig, SessionManager, UserErasedError
from sessions_core.dynamodb.server_time import server_time_of
from sessions_local.gateway import LocalContext
from tests.harness.template import load_template
from tests.integration.api_support import (
    body,
    demo_event,
    event,
    invoke,
    invoke_demo,
    invoke_erase,
)
from tests.support import FakeClock, LaggingIndexStore, stream_records, wired

TEMPLATE = load_template(Path(__file__).resolve().parents[2] / "template.yaml")


class Wire:
    """The DynamoDB operations a client sends while `measured` (a botocore hook): the
    function's own work, not the test's setting up."""

    def __init__(self, client: Any) -> None:
        self.sent: set[tuple[str, str]] = set()
        self.on = False
        self.client = client
        client.meta.events.register("before-parameter-build.dynamodb.*", self._seen)

    def _seen(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if self.on:
            tables = [params["TableName"]] if "TableName" in params else params["RequestItems"]
            for table in tables:
                kind = "FeedTable" if table.endswith("-feed") else "SessionsTable"
                self.sent.add((f"dynamodb:{model.name}", kind))

    @contextmanager
    def measured(self) -> Iterator[None]:
        server_time_of(self.client)._raw = None  # as a cold container starts
        self.on = True
        try:
            yield
        finally:
            self.on = False

    @contextmanager
    def unmeasured(self) -> Iterator[None]:
        was, self.on = self.on, False
        try:
            yield
        finally:
            self.on = was


WIRE: list[Wire] = []


def _tables(resource: Any) -> set[str]:
    """The tables a statement's Resource names (an index counts as its table)."""
    resources = resource if isinstance(resource, list) else [resource]
    return {
        name
        for one in resources
        for name in ("SessionsTable", "FeedTable")
        if f"'{name}.Arn'" in repr(one) or "${" + name + ".Arn}" in repr(one)
    }


def _granted(function: str) -> set[tuple[str, str]]:
    props = TEMPLATE["Resources"][function]["Properties"]
    return {
        (action, table)
        for policy in props["Policies"]
        if isinstance(policy, dict)
        for statement in policy.get("Statement", [])
        if statement.get("Effect") == "Allow" and "/stream/" not in repr(statement.get("Resource"))
        for action in statement["Action"]
        if action.startswith("dynamodb:")
        for table in _tables(statement["Resource"])
    }


def _straggler(manager: SessionManager, clock: FakeClock) -> str:
    """A session whose user was erased while the index did not show it yet: its next
    read deletes it. Returns its token."""
    hidden = LaggingIndexStore(manager.config.store)
    straggling = SessionManager(SessionConfig(hidden, clock=clock))
    session = straggling.create(user_id="erased-later")
    hidden.hidden.add(session.id)
    clock.advance(seconds=1)
    straggling.erase_user("erased-later")
    return session.token or ""


def _login_racing_an_erasure(manager: SessionManager, clock: FakeClock) -> None:
    """A create whose user is erased between its insert and its erasure check."""
    store = manager.config.namespaced_store

    class Racing(LaggingIndexStore):
        def insert(self, session: Any) -> None:
            self.inner.insert(session)
            clock.advance(milliseconds=1)
            self.hidden.add(session.id)
            with WIRE[0].unmeasured():  # the erasure is another function's work
                SessionManager(SessionConfig(self, clock=clock)).erase_user(session.user_id)

        def with_prefix(self, prefix: str) -> Racing:
            return self

    racing = SessionManager(SessionConfig(Racing(store), clock=clock))
    with WIRE[0].measured(), pytest.raises(UserErasedError):
        racing.create(user_id="racer")


def _route_event(name: str, path: str, method: str, **fill: str) -> dict[str, Any]:
    data = event(name, **fill)
    route_key = next(r.key for r in ROUTES if r.path == path and r.method == method)
    concrete = path.replace("{sessionId}", fill.get("session_id", "")).replace("{userId}", "ann")
    data.update(rawPath=concrete, routeKey=route_key)
    data["requestContext"].update(routeKey=route_key)
    data["requestContext"]["http"].update(method=method, path=concrete)
    return data


def _api(manager: SessionManager, clock: FakeClock) -> None:
    answers = []
    for name in ("create_session", "validate_session", "list_user_sessions"):
        token = manager.create(user_id="alice").token or ""
        with WIRE[0].measured():
            answers.append(invoke(event(name, token=token)))
    token = manager.create(user_id="ann", sliding_expiration=True).token or ""
    with WIRE[0].measured():
        answers.append(invoke(event("refresh_session", token=token)))
    session = manager.create(user_id="ann")
    clock.advance(hours=13)  # sliding and activity due
    for name, path, method in (
        ("me_session_cookie", "/me/session", "GET"),
        ("me_sessions_bearer", "/me/sessions", "GET"),
        ("me_sessions_bearer", "/me/activity", "GET"),
        ("me_sessions_bearer", "/me/sessions/revoke-others", "POST"),
        ("me_revoke_one_bearer", "/me/sessions/{sessionId}", "DELETE"),
        ("me_sessions_bearer", "/users/{userId}/activity", "GET"),
        ("create_session", "/sessions/{sessionId}/reauthenticate", "POST"),
        ("me_refresh_cookie", "/me/session/refresh", "POST"),
        ("revoke_user_sessions", "/users/{userId}/sessions", "DELETE"),
        ("destroy_session", "/sessions/{sessionId}", "DELETE"),
        ("me_logout_bearer", "/me/session", "DELETE"),
    ):
        mine = manager.create(user_id="ann").token or ""
        data = _route_event(name, path, method, token=mine, session_id=session.id)
        if path.endswith("reauthenticate"):
            data["body"] = "{}"
        with WIRE[0].measured():
            answers.append(invoke(data))
    assert all(a["statusCode"] < 500 for a in answers), [body(a) for a in answers]
    straggler = _straggler(manager, clock)
    with WIRE[0].measured():
        invoke(event("validate_session", token=straggler))
    limited = SessionManager(
        SessionConfig(manager.config.store, clock=clock, max_sessions_per_user=1)
    )
    with WIRE[0].measured():
        limited.create(user_id="limited")
        limited.create(user_id="limited")  # evicts the first
    _login_racing_an_erasure(manager, clock)


def _authorizer(manager: SessionManager, clock: FakeClock) -> None:
    def authorize(token: str) -> Any:
        with WIRE[0].measured():
            return authorizer.handler(
                event("authorizer_request", token=token), LocalContext("AuthorizerFunction")
            )

    def authorize_bearer(token: str) -> Any:
        data = event("authorizer_request", token=token)
        data.pop("cookies")
        data["headers"]["authorization"] = f"Bearer {token}"
        with WIRE[0].measured():
            return authorizer.handler(data, LocalContext("AuthorizerFunction"))

    session = manager.create(user_id="bob", sliding_expiration=True)
    first = session.token or ""
    assert authorize(first)["isAuthorized"]
    clock.advance(hours=13)
    assert authorize(first)["isAuthorized"]  # sliding and activity written
    rotated = manager.refresh(first).token or ""
    clock.advance(minutes=5)
    assert not authorize(first)["isAuthorized"]  # a replay: revoked here
    assert not authorize(rotated)["isAuthorized"]
    assert not authorize(_straggler(manager, clock))["isAuthorized"]
    # An access token: verified here, checked against the feed (and the key set read).
    live = manager.create(user_id="bob").token or ""
    access = manager.issue_access_token(live).access_token
    assert authorize_bearer(access)["isAuthorized"]
    # Deployed, its key set is an item of the table (none here: the token is denied).
    runtime = authorizer.wiring.runtime()
    deployed = runtime.settings.replace(lambda_function="AuthorizerFunction")
    runtime.__dict__["token_authorizer"] = TokenAuthorizer(
        deployed, runtime.table, runtime.feed, runtime.clock
    )
    try:
        assert not authorize_bearer(access)["isAuthorized"]
    finally:
        del runtime.__dict__["token_authorizer"]


def _erase(manager: SessionManager, clock: FakeClock) -> None:
    manager.create(user_id="ann")
    clock.advance(seconds=1)
    data = _route_event("revoke_user_sessions", "/users/{userId}", "DELETE")
    data["pathParameters"] = {"userId": "ann"}
    with WIRE[0].measured():
        assert invoke_erase(data)["statusCode"] == 200


def _cleanup(manager: SessionManager, clock: FakeClock) -> None:
    manager.create(user_id="short", expires_in=timedelta(seconds=1))
    clock.advance(seconds=2)
    with WIRE[0].measured():
        cleanup.handler({}, LocalContext("CleanupFunction"))


def _events(manager: SessionManager, clock: FakeClock) -> None:
    manager.destroy(manager.create(user_id="carl").id)
    records = stream_records(manager.config.namespaced_store)
    with WIRE[0].measured():
        answer = events.handler({"Records": records}, LocalContext("EventsFunction"))
    assert answer == {"batchItemFailures": []}


def _demo(manager: SessionManager, clock: FakeClock) -> None:
    def post(path: str, raw: str) -> Any:
        return invoke_demo(demo_event(path, raw))

    with WIRE[0].measured():
        wrong = post("/login", json.dumps({"username": "bob", "password": "nope"}))
        signed_in = post("/login", json.dumps({"username": "bob", "password": "builder"}))
    assert (wrong["statusCode"], signed_in["statusCode"]) == (401, 200)
    (cookie,) = signed_in["cookies"]
    clock.advance(hours=1)  # activity due
    step_up = demo_event("/reauthenticate", json.dumps({"password": "builder"}))
    step_up["cookies"] = [cookie.split(";")[0]]
    with WIRE[0].measured():
        assert invoke_demo(step_up)["statusCode"] == 200
    # Under a per-user limit (MaxSessionsPerUser), a second login evicts the first.
    limited = SessionManager(
        SessionConfig(manager.config.store, clock=clock, max_sessions_per_user=1)
    )
    with wired(limited), WIRE[0].measured():
        for _ in range(2):
            assert (
                post("/login", json.dumps({"username": "carol", "password": "lighthouse"}))[
                    "statusCode"
                ]
                == 200
            )
    _login_racing_an_erasure(manager, clock)


def _compactor(manager: SessionManager, clock: FakeClock) -> None:
    manager.destroy(manager.create(user_id="dan").id)
    clock.advance(seconds=5)  # its second has settled
    with WIRE[0].measured():
        answer = feed_compactor.handler({"once": True}, LocalContext("FeedCompactorFunction"))
    assert answer == {"packed": 1, "failed": 0}


SCENARIOS: dict[str, Callable[[SessionManager, FakeClock], None]] = {
    "FeedCompactorFunction": _compactor,
    "ApiFunction": _api,
    "AuthorizerFunction": _authorizer,
    "EraseFunction": _erase,
    "CleanupFunction": _cleanup,
    "EventsFunction": _events,
    "DemoLoginFunction": _demo,
}


@pytest.mark.parametrize("function", sorted(SCENARIOS))
def test_each_function_is_granted_exactly_the_dynamodb_actions_it_sends(
    api_manager: SessionManager, clock: FakeClock, queue: Any, function: str
) -> None:
    WIRE[:] = [Wire(api_manager.config.store.client)]
    SCENARIOS[function](api_manager, clock)
    assert WIRE[0].sent == _granted(function)
