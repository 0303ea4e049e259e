"""`LoginThrottle`: failed sign-ins counted per user name in the store (rule 16).

Kept in the table, not in a process, so the count holds across every Lambda instance.
The counter's key is the user name's keyed hash (`keys.UserRef`), never the name, and
it expires with its window; `SessionManager.erase_user` removes it with the rest.
"""

from __future__ import annotations

from datetime import timedelta

from sessions_core.config import SessionConfig
from sessions_core.store import LoginFailures

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW = timedelta(minutes=15)


class LoginThrottle:
    """Blocks a user name after ``max_failures`` failed sign-ins within ``window``.

    The window starts at the first failure; once it has passed, counting starts over.
    """

    def __init__(
        self,
        config: SessionConfig,
        *,
        max_failures: int = DEFAULT_MAX_FAILURES,
        window: timedelta = DEFAULT_WINDOW,
    ) -> None:
        self._store = config.namespaced_store
        self._keys = config.keys
        self._now = config.now
        self.max_failures = max_failures
        self.window = window

    def retry_after(self, user_name: str) -> timedelta | None:
        """How long ``user_name`` must wait before trying again, or None.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        failures = self._store.login_failures(self._keys.user_ref(user_name))
        return self._blocked(failures)

    def failed(self, user_name: str) -> timedelta | None:
        """Count a failed sign-in; returns how long to wait when that one reached the
        limit.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        failures = self._store.add_login_failure(
            self._keys.user_ref(user_name), at=self._now(), window=self.window
        )
        return self._blocked(failures)

    def succeeded(self, user_name: str) -> None:
        """Forget the failures of ``user_name`` (a correct password resets the count).

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        self._store.clear_login_failures(self._keys.user_ref(user_name))

    def _blocked(self, failures: LoginFailures | None) -> timedelta | None:
        if failures is None or failures.count < self.max_failures:
            return None
        left = failures.first_at + self.window - self._now()
        return left if left > timedelta(0) else None
