"""`UsesConfig`: what every part of a `SessionManager` reads from its configuration."""

from __future__ import annotations

from sessions_core.config import SessionConfig


class UsesConfig:
    """A part of the manager: the configuration, its store (under the configured
    prefix), the deployment's keys, the clock, and how to let time pass."""

    def __init__(self, config: SessionConfig) -> None:
        self.config = config
        self._store = config.namespaced_store
        self._keys = config.keys
        self._now = config.now
        self._wait = config.wait
