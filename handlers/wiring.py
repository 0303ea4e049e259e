"""What each Lambda entry point builds once per cold start, built explicitly.

An entry point holds a `Wiring` with its own observer (the API's counts metrics, the
authorizer's has none) and asks it for the `Runtime` on each event: the first event
builds the settings from the environment, one botocore client and the manager.
Tests, `sessions serve` and the benchmarks hand it a runtime of their own instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.settings import Settings
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb.client import make_client


@dataclass(frozen=True)
class Runtime:
    """The settings and the manager a handler works with."""

    settings: Settings
    manager: SessionManager


def build_manager(
    settings: Settings, *, observer: Callable[[str], None] | None = None
) -> SessionManager:
    """A manager on the settings' table: one client with explicit timeouts and retries,
    the deployment's key, and ``observer`` told what the manager reports."""
    store = DynamoDBSessionStore(
        settings.table, client=make_client(), expiry_shards=settings.expiry_shards
    )
    return SessionManager(
        SessionConfig(
            store,
            default_expires_in=settings.default_expires_in,
            bind_to_user_agent=settings.bind_to_user_agent,
            max_lifetime=settings.max_lifetime,
            refresh_grace=settings.refresh_grace,
            read_only=settings.read_only,
            secret_key=settings.keys,
            observer=observer,
            activity_resolution=settings.activity_resolution,
            max_sessions_per_user=settings.max_sessions_per_user,
            on_session_limit=settings.on_session_limit,
            reauthentication_max_age=settings.reauthentication_max_age,
        )
    )


class Wiring:
    """One entry point's runtime: built from the environment on first use, or given."""

    def __init__(self, *, observer: Callable[[str], None] | None = None) -> None:
        self._observer = observer
        self._runtime: Runtime | None = None

    def runtime(self) -> Runtime:
        """The runtime, built on the first call."""
        if self._runtime is None:
            settings = Settings.from_env()
            self._runtime = Runtime(settings, build_manager(settings, observer=self._observer))
        return self._runtime

    def use(self, runtime: Runtime | None) -> Runtime | None:
        """Work with ``runtime`` from now on (None: build from the environment again);
        returns the one used until now, so a caller can put it back."""
        previous, self._runtime = self._runtime, runtime
        return previous
