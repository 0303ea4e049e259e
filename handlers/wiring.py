"""What each Lambda entry point builds once per cold start, built explicitly.

An entry point holds a `Wiring` with its own observer (the API's counts metrics, the
authorizer's has none) and asks it for the `Runtime` on each event: the first event
builds the settings from the environment, one botocore client and the manager. Tests,
`sessions serve` and the benchmarks hand every entry point a runtime of their own
instead (`use_everywhere`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from handlers.settings import Settings
from handlers.token_keys import build_access_tokens
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.clock import system_clock
from sessions_core.dynamodb.client import make_client


@dataclass(frozen=True)
class Runtime:
    """The settings and what is built from them: the manager, and the clients an entry
    point may need besides (built on first use)."""

    settings: Settings
    manager: SessionManager

    @cached_property
    def events(self) -> Any:
        """The EventBridge client of this runtime's settings."""
        from handlers.bus import make_event_bridge  # noqa: PLC0415 - not every entry point

        return make_event_bridge(self.settings)


def build_manager(
    settings: Settings,
    *,
    observer: Callable[[str], None] | None = None,
    creates_key_set: bool = False,
    issuer: str | None = None,
) -> SessionManager:
    """A manager on the settings' table: one client with explicit timeouts and retries,
    the deployment's key, access tokens (`token_keys`; the key set created on first
    use when ``creates_key_set``, ``issuer`` when none is configured), and ``observer``
    told what the manager reports. Every value comes from ``settings``."""
    client = make_client(
        endpoint_url=settings.dynamodb_endpoint,
        region_name=settings.region,
        credentials=settings.local_credentials,
    )
    store = DynamoDBSessionStore(
        settings.table, client=client, expiry_shards=settings.expiry_shards
    )
    tokens = build_access_tokens(
        settings, store.table, system_clock, creates_key_set=creates_key_set, issuer=issuer
    )
    return SessionManager(
        SessionConfig(
            store,
            access_tokens=tokens,
            prefix=settings.prefix,
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
            activity_retention=settings.activity_retention,
            reauthentication_max_age=settings.reauthentication_max_age,
        )
    )


class Wiring:
    """One entry point's runtime: built from the environment on first use, or given."""

    def __init__(
        self, *, observer: Callable[[str], None] | None = None, creates_key_set: bool = False
    ) -> None:
        self._observer = observer
        self._creates_key_set = creates_key_set
        self._runtime: Runtime | None = None
        ENTRY_POINTS.append(self)

    def runtime(self) -> Runtime:
        """The runtime, built on the first call.

        Raises:
            SettingsError, KeyConfigurationError: the environment is not valid.
        """
        if self._runtime is None:
            settings = Settings.from_env()
            manager = build_manager(
                settings, observer=self._observer, creates_key_set=self._creates_key_set
            )
            self._runtime = Runtime(settings, manager)
        return self._runtime

    def use(self, runtime: Runtime | None) -> Runtime | None:
        """Work with ``runtime`` from now on (None: build from the environment again);
        returns the one used until now, so a caller can put it back."""
        previous, self._runtime = self._runtime, runtime
        return previous


# Every entry point's wiring, in the order their modules were imported.
ENTRY_POINTS: list[Wiring] = []


@contextmanager
def used_everywhere(runtime: Runtime) -> Iterator[Runtime]:
    """Every entry point imported so far works with ``runtime`` (as `sessions serve`
    and the tests run them); as before afterwards."""
    previous = [(wiring, wiring.use(runtime)) for wiring in list(ENTRY_POINTS)]
    try:
        yield runtime
    finally:
        for wiring, before in previous:
            wiring.use(before)
