"""Random operation sequences against a model: the in-memory store and DynamoDB (moto)
must both agree with it, step by step.

Bounded for CI; run longer with ``HYPOTHESIS_PROFILE=long make test``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import boto3
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, multiple, rule
from moto import mock_aws

from sessions_core import (
    DynamoDBSessionStore,
    InMemorySessionStore,
    SessionConfig,
    SessionError,
    SessionManager,
)
from tests.support import FakeClock

settings.register_profile(
    "ci",
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=500,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

GRACE = timedelta(seconds=30)
MAX_LIFETIME = timedelta(days=30)  # rule 14's default
USERS = st.sampled_from(["ann", "bob", "cy"])


@dataclass
class ModelSession:
    id_by_store: dict[str, str]
    user: str
    created: datetime
    expires: datetime
    lifetime: timedelta
    current: str  # logical token names
    retired: list[str] = field(default_factory=list)  # newest first
    rotated_at: datetime | None = None
    revoked: bool = False

    @property
    def previous(self) -> str | None:
        return self.retired[0] if self.retired else None


@dataclass
class Model:
    sessions: dict[str, ModelSession] = field(default_factory=dict)
    markers: dict[str, tuple[datetime, str | None]] = field(default_factory=dict)

    def owner(self, token: str) -> ModelSession | None:
        for session in self.sessions.values():
            # Every retired token is recognised, however many rotations back.
            if token == session.current or token in session.retired:
                return session
        return None

    def expect(self, token: str, now: datetime) -> tuple[str | None, bool]:
        """(error or None, reuse) for a logical token, as the rules say."""
        session = self.owner(token)
        if session is None:
            return "invalid_token", False
        if token != session.current:
            # Any retired token is reuse, but the predecessor in its grace.
            assert session.rotated_at is not None
            if token != session.previous or now > session.rotated_at + GRACE:
                return "session_revoked", not session.revoked
        marker = self.markers.get(session.user)
        marked = marker is not None and session.created < marker[0]
        if session.revoked or marked:
            return "session_revoked", False
        if now >= session.expires:
            return "session_expired", False
        return None, False


class SessionMachine(RuleBasedStateMachine):
    tokens = Bundle("tokens")

    @initialize()
    def setup(self) -> None:
        self.mock = mock_aws()
        self.mock.start()
        self.clock = FakeClock()
        client = boto3.client("dynamodb", region_name="us-east-1")
        dynamo = DynamoDBSessionStore("model", client=client)
        dynamo.create_table()
        self.managers = {
            "memory": SessionManager(SessionConfig(InMemorySessionStore(), clock=self.clock)),
            "dynamodb": SessionManager(SessionConfig(dynamo, clock=self.clock)),
        }
        self.model = Model()
        self.actual: dict[str, dict[str, str]] = {}  # logical token -> store -> real token
        self.counter = 0

    def teardown(self) -> None:
        self.mock.stop()

    def _logical(self, real: dict[str, str]) -> str:
        self.counter += 1
        name = f"t{self.counter}"
        self.actual[name] = real
        return name

    @rule(target=tokens, user=USERS, minutes=st.integers(1, 60 * 24 * 40))
    def create(self, user: str, minutes: int) -> str:
        made = {
            k: m.create(user_id=user, expires_in=timedelta(minutes=minutes))
            for k, m in self.managers.items()
        }
        name = self._logical({k: s.token or "" for k, s in made.items()})
        now = self.clock.now
        self.model.sessions[name] = ModelSession(
            id_by_store={k: s.id for k, s in made.items()},
            user=user,
            created=now,
            expires=min(now + timedelta(minutes=minutes), now + MAX_LIFETIME),
            lifetime=timedelta(minutes=minutes),
            current=name,
        )
        return name

    @rule(token=tokens)
    def validate(self, token: str) -> None:
        error, reuse = self.model.expect(token, self.clock.now)
        for key, manager in self.managers.items():
            assert manager.validate(self.actual[token][key]).error == error, (key, token)
        if reuse:
            owner = self.model.owner(token)
            assert owner is not None
            owner.revoked = True

    @rule(target=tokens, token=tokens)
    def refresh(self, token: str) -> str:
        error, reuse = self.model.expect(token, self.clock.now)
        session = self.model.owner(token)
        outcomes: dict[str, Any] = {}
        for key, manager in self.managers.items():
            try:
                outcomes[key] = manager.refresh(self.actual[token][key]).token
            except SessionError as failure:
                outcomes[key] = failure.code
        if error is not None:
            assert set(outcomes.values()) == {error}, outcomes
            if reuse and session is not None:
                session.revoked = True
            return token
        assert session is not None
        if token == session.previous:  # repeated refresh in the grace window
            assert outcomes == self.actual[session.current], outcomes
            return token
        name = self._logical(dict(outcomes))
        now = self.clock.now
        session.retired.insert(0, token)
        session.current, session.rotated_at = name, now
        session.expires = min(now + session.lifetime, session.created + MAX_LIFETIME)
        return name

    @rule(token=tokens)
    def destroy(self, token: str) -> None:
        session = self.model.owner(token)
        if session is None:
            return
        for key, manager in self.managers.items():
            manager.destroy(session.id_by_store[key])
        session.revoked = True

    @rule(user=USERS)
    def revoke_all(self, user: str) -> None:
        now = self.clock.now
        # Without index lag every session is listed and tombstoned; the marker only
        # matters for sessions the index would miss.
        expected = sum(
            1
            for s in self.model.sessions.values()
            if s.user == user and not s.revoked and now < s.expires
        )
        counts = {k: m.destroy_all_for_user(user) for k, m in self.managers.items()}
        assert set(counts.values()) == {expected}, counts
        for s in self.model.sessions.values():
            if s.user == user:
                s.revoked = True
        self.model.markers[user] = (now, None)

    @rule(target=tokens, token=tokens, times=st.integers(17, 24))
    def refresh_many(self, token: str, times: int) -> Any:
        """Rotate a session past what a fixed window of remembered tokens would hold;
        every token it went through can be replayed later."""
        seen = [token]
        for _ in range(times):
            self.advance(1)
            following = self.refresh(seen[-1])
            if following == seen[-1]:
                break
            seen.append(following)
        return multiple(*seen[1:])

    @rule(seconds=st.sampled_from([1, 10, 29, 31, 600, 3600, 86_400, 20 * 86_400]))
    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)


SessionMachine.TestCase.settings = settings()
test_sessions_agree_with_the_model = SessionMachine.TestCase
