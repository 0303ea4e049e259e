"""`UsesConfig`: what every part of a `SessionManager` reads from its configuration."""

from __future__ import annotations

from datetime import datetime

from sessions_core.config import SessionConfig
from sessions_core.revocation_feed import FeedEntry


class UsesConfig:
    """A part of the manager: the configuration, its store (under the configured
    prefix), the deployment's keys, the clock, and how to let time pass."""

    def __init__(self, config: SessionConfig) -> None:
        self.config = config
        self._store = config.namespaced_store
        self._keys = config.keys
        self._now = config.now
        self._wait = config.wait

    def _revocation_time(self) -> datetime:
        """The moment of a revocation, on the store's clock: checked first (a clock
        too far off is refused rather than filing revocations where no verifier looks).

        Raises:
            ClockSkewError: this machine's clock is too far from the store's.
            StoreUnavailableError: the store did not answer.
        """
        self._store.server_clock.check()
        return self._now()

    def _append_revocations(self, entries: list[FeedEntry]) -> None:
        """Append to the revocation feed, before the revocation itself: whatever built
        this manager, verifiers of access tokens learn of revocations only there (a
        deployment that issues none pays one small write per revocation).

        Raises:
            StoreUnavailableError: the store did not answer: the revocation must not
                go on as if its tokens were dead.
        """
        if entries:
            self._store.append_revocations(entries, self._now)
