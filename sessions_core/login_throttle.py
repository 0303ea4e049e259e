"""`LoginThrottle`: sign-in attempts counted before the password is checked.

Every attempt is counted first, in one atomic write that also decides whether it may
go on to the password check: however many guesses race for one name, at most
``per_address`` (5) from one client address and ``per_name`` (50) from all addresses
together reach the check in a window (15 minutes). A stranger's guesses do not lock the
user out from their own address; the per-name ceiling bounds guessing spread over many
addresses. A window restarts once it is over. A correct password clears its address's
count and gives its attempt back to the name's.

Counts live in the table, not in a process, so they hold across every Lambda instance,
in one item per user name keyed by the name's keyed hash (`keys.UserRef`); addresses
are kept as keyed hashes too. `SessionManager.erase_user` removes the item with the
rest.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sessions_core.config import SessionConfig
from sessions_core.records import LoginAttempts, Window
from sessions_core.uses_config import UsesConfig

DEFAULT_PER_ADDRESS = 5
DEFAULT_PER_NAME = 50
DEFAULT_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Limits:
    """How many attempts reach the password check per window."""

    per_address: int = DEFAULT_PER_ADDRESS
    per_name: int = DEFAULT_PER_NAME
    window: timedelta = DEFAULT_WINDOW


def counted(
    current: LoginAttempts | None, address: str, at: datetime, limits: Limits
) -> LoginAttempts | None:
    """The attempts after one more from ``address`` at ``at``, or None when it may not
    be made (the address's or the name's count is at its limit in an open window).
    Closed windows start over; addresses whose window closed are dropped."""
    name = _open(current.window if current else None, at, limits.window)
    kept = {
        tag: window
        for tag, window in (current.addresses.items() if current else ())
        if window.start + limits.window > at
    }
    mine = kept.get(address) or Window(at, 0)
    if name.count >= limits.per_name or mine.count >= limits.per_address:
        return None
    kept[address] = Window(mine.start, mine.count + 1)
    return LoginAttempts(Window(name.start, name.count + 1), kept, secrets.token_hex(8))


def succeeded(current: LoginAttempts | None, address: str) -> LoginAttempts | None:
    """The attempts after a correct password from ``address``: its count is cleared
    and its attempt given back to the name's. None when there is nothing to change."""
    if current is None or address not in current.addresses:
        return None
    kept = {tag: window for tag, window in current.addresses.items() if tag != address}
    name = Window(current.window.start, max(0, current.window.count - 1))
    return LoginAttempts(name, kept, secrets.token_hex(8))


def retry_after(
    current: LoginAttempts | None, address: str, at: datetime, limits: Limits
) -> timedelta | None:
    """How long until ``address`` may try again (the later of its own window and the
    name's, whichever is full), or None when it may try now."""
    if current is None:
        return None
    waits = []
    if current.window.count >= limits.per_name:
        waits.append(current.window.start + limits.window - at)
    mine = current.addresses.get(address)
    if mine is not None and mine.count >= limits.per_address:
        waits.append(mine.start + limits.window - at)
    wait = max(waits, default=timedelta(0))
    return wait if wait > timedelta(0) else None


def _open(window: Window | None, at: datetime, length: timedelta) -> Window:
    if window is None or window.start + length <= at:
        return Window(at, 0)
    return window


class LoginThrottle(UsesConfig):
    """Counts sign-in attempts for a login backend (the demo login uses it).

    Each call is one atomic change of the name's item (a conditional write on the
    version it read; contention is retried, never an error).
    """

    def __init__(self, config: SessionConfig, limits: Limits | None = None) -> None:
        super().__init__(config)
        self.limits = limits or Limits()

    def attempt(self, user_name: str, address: str) -> timedelta | None:
        """Count an attempt to sign in as ``user_name`` from ``address`` (the client's
        IP address) before its password is checked. Returns None when the password may
        be checked, else how long to wait (429 + ``Retry-After``).

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        at = self._now()
        tag = self._keys.address_tag(address)
        state, written = self._store.change_login_attempts(
            self._keys.user_ref(user_name),
            lambda current: counted(current, tag, at, self.limits),
            expires_at=at + self.limits.window,
        )
        if written:
            return None
        return retry_after(state, tag, at, self.limits) or timedelta(seconds=1)

    def succeeded(self, user_name: str, address: str) -> None:
        """A correct password from ``address``: clear its count.

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        tag = self._keys.address_tag(address)
        self._store.change_login_attempts(
            self._keys.user_ref(user_name),
            lambda current: succeeded(current, tag),
            expires_at=self._now() + self.limits.window,
        )

    def retry_after(self, user_name: str, address: str) -> timedelta | None:
        """How long ``address`` must wait before trying ``user_name`` again, or None
        (a read; nothing is counted).

        Raises:
            StoreUnavailableError: the store did not answer.
        """
        state = self._store.login_attempts(self._keys.user_ref(user_name))
        return retry_after(state, self._keys.address_tag(address), self._now(), self.limits)
