"""What each Lambda entry point builds once per cold start, built explicitly.

An entry point holds a `Wiring` with its own observer (the API's counts metrics, the
authorizer's has none) and asks it for the `Runtime` on each event: the first event
builds the settings from the environment, one botocore client and the manager. Tests,
`sessions serve` and the benchmarks hand every entry point a runtime of their own
instead (`use_everywhere`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from handlers.coldstart import imports_without_gc
from handlers.settings import Settings
from handlers.token_keys import build_access_tokens
from sessions_core.clock import millisecond_clock, system_clock
from sessions_core.dynamodb.client import make_client
from sessions_core.dynamodb.feed_table import FeedTable
from sessions_core.dynamodb.table import Table

if TYPE_CHECKING:
    from handlers.token_authorizer import TokenAuthorizer
    from sessions_core import SessionManager


class Runtime:
    """The settings and what is built from them, each on first use: the manager (given,
    in tests and `sessions serve`), the DynamoDB client and table, the clock, the
    authorizer's access token checks, the EventBridge client. An authorizer that only
    sees access tokens never builds the manager (nor loads the models)."""

    def __init__(
        self,
        settings: Settings,
        manager: SessionManager | None = None,
        *,
        observer: Callable[[str], None] | None = None,
        creates_key_set: bool = False,
    ) -> None:
        self.settings = settings
        self._manager = manager
        self._observer = observer
        self._creates_key_set = creates_key_set

    @property
    def manager(self) -> SessionManager:
        """The manager (built on first use from the settings, on this runtime's client)."""
        if self._manager is None:
            # A cold start's imports (the models) and client: as the entry points' own.
            with imports_without_gc():
                self._manager = build_manager(
                    self.settings,
                    observer=self._observer,
                    creates_key_set=self._creates_key_set,
                    client=self.client,
                )
        return self._manager

    @cached_property
    def client(self) -> Any:
        """The DynamoDB client: the given manager's, else one from the settings."""
        given = self._given_table()
        if given is not None:
            return given.client
        with imports_without_gc():
            return make_client(
                endpoint_url=self.settings.dynamodb_endpoint,
                region_name=self.settings.region,
                credentials=self.settings.local_credentials,
            )

    @cached_property
    def table(self) -> Table:
        """The sessions table: the given manager's, else the settings' on `client`."""
        return self._given_table() or Table(self.settings.table, self.client)

    def _given_table(self) -> Table | None:
        store = self._manager.config.namespaced_store if self._manager is not None else None
        found = getattr(store, "table", None)
        return found if isinstance(found, Table) else None

    @cached_property
    def feed(self) -> FeedTable:
        """The revocation feed: the given manager's, else the settings' on `client`."""
        store = self._manager.config.namespaced_store if self._manager is not None else None
        found = getattr(store, "feed", None)
        if isinstance(found, FeedTable):
            return found
        replicas = self.settings.feed_replicas
        return FeedTable(
            self.settings.feed_table_name,
            self.client,
            self.settings.prefix,
            replicas=replicas,
            # Each container reads one replica: a fleet spreads its reads over them.
            replica=random.randrange(replicas),  # noqa: S311 - not a secret
        )

    @cached_property
    def clock(self) -> Callable[[], datetime]:
        """The clock: the given manager's (a test's), else the system's; either on
        DynamoDB's time (`dynamodb.server_time`)."""
        if self._manager is not None:
            return self._manager.config.now
        return millisecond_clock(system_clock, self.feed.clock)

    @cached_property
    def token_authorizer(self) -> TokenAuthorizer:
        """The authorizer's access token checks (`token_authorizer`)."""
        # The access token path's own imports (PyJWT, cryptography) are a cold start's
        # too: the same treatment as the entry point's.
        with imports_without_gc():
            import sessions_core.token_verify  # noqa: F401, PLC0415
            from handlers.token_authorizer import TokenAuthorizer  # noqa: PLC0415

            return TokenAuthorizer(self.settings, self.table, self.feed, self.clock)

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
    client: Any = None,
) -> SessionManager:
    """A manager on the settings' table: one client with explicit timeouts and retries,
    the deployment's key, access tokens (`token_keys`; the key set created on first
    use when ``creates_key_set``, ``issuer`` when none is configured), and ``observer``
    told what the manager reports. Every value comes from ``settings`` (the client too,
    unless one is given)."""
    from sessions_core import (  # noqa: PLC0415 - the models, only for the manager
        DynamoDBSessionStore,
        SessionConfig,
        SessionManager,
    )

    client = client or make_client(
        endpoint_url=settings.dynamodb_endpoint,
        region_name=settings.region,
        credentials=settings.local_credentials,
    )
    store = DynamoDBSessionStore(
        settings.table,
        client=client,
        expiry_shards=settings.expiry_shards,
        feed_table=settings.feed_table_name,
        feed_replicas=settings.feed_replicas,
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
            self._runtime = Runtime(
                Settings.from_env(),
                observer=self._observer,
                creates_key_set=self._creates_key_set,
            )
        return self._runtime

    def runtime_if_built(self) -> Runtime | None:
        """The runtime in use, without building one."""
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
