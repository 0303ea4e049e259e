"""`UsesConfig`: what every part of a `SessionManager` reads from its configuration."""

from __future__ import annotations

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

    def _append_revocations(self, entries: list[FeedEntry]) -> None:
        """Append to the revocation feed, before the revocation itself, when access
        tokens are issued (a verifier of them learns of revocations only there).

        Raises:
            StoreUnavailableError: the store did not answer: the revocation must not
                go on as if its tokens were dead.
        """
        if self.config.access_tokens is not None and entries:
            self._store.append_revocations(entries)
