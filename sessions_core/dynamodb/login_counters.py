"""Sign-in attempts per user name (`login_throttle`): one small item per keyed name
hash, changed by conditional puts on its version.

The item holds the name's window (``f`` start, epoch ms; ``n`` count), each client
address's window under ``a`` (keyed address hash → ``{f, n}``) and a version ``v``. It
expires with its latest window (``expiresAt``), so cleanup and TTL remove it like any
other.
"""

from __future__ import annotations

from datetime import datetime

from sessions_core.dynamodb.errors import ConditionFailedError
from sessions_core.dynamodb.items import Layout, from_ms, num, to_ms
from sessions_core.dynamodb.part import TablePart
from sessions_core.dynamodb.table import Expression, Item
from sessions_core.errors import CorruptItemError, StoreUnavailableError
from sessions_core.keys import UserRef
from sessions_core.records import AttemptsChange, AttemptsChanged, LoginAttempts, Window

# Every lost round means another writer won one: this bounds a pathological storm.
_ATTEMPTS = 100


class LoginCounters(TablePart):
    """The store's `login_attempts` and `change_login_attempts`."""

    def login_attempts(self, ref: UserRef) -> LoginAttempts | None:
        """The counter (strongly consistent GetItem), if any."""
        item = self.table.get(self.layout.login_key(ref))
        return _attempts(item) if item else None

    def change_login_attempts(
        self, ref: UserRef, change: AttemptsChange, *, expires_at: datetime
    ) -> AttemptsChanged:
        """Read, ``change``, and put conditionally on the version read; a lost race
        hands back the winner's item (``ALL_OLD``) and ``change`` decides again on it.

        Raises:
            StoreUnavailableError: the item stayed contended through every round.
        """
        key = self.layout.login_key(ref)
        current = self.login_attempts(ref)
        for _ in range(_ATTEMPTS):
            changed = change(current)
            if changed is None:
                return current, False
            guard = (
                Expression(condition="attribute_not_exists(id)")
                if current is None
                else Expression(condition="v = :v", values={":v": {"S": current.version}})
            )
            item = _item(self.layout, key, changed, expires_at)
            try:
                self.table.put(item, guard, old_on_failure=True)
            except ConditionFailedError as lost:
                current = _attempts(lost.item) if lost.item else self.login_attempts(ref)
                continue
            return changed, True
        raise StoreUnavailableError("the sign-in attempt counter stayed contended")


def _item(layout: Layout, key: Item, attempts: LoginAttempts, expires_at: datetime) -> Item:
    return {
        **key,
        "v": {"S": attempts.version},
        "f": num(to_ms(attempts.window.start)),
        "n": num(attempts.window.count),
        "a": {
            "M": {
                tag: {"M": {"f": num(to_ms(w.start)), "n": num(w.count)}}
                for tag, w in attempts.addresses.items()
            }
        },
        **layout.expiry_attributes(key, expires_at),
    }


def _window(fields: Item) -> Window:
    return Window(from_ms(fields["f"]["N"]), int(fields["n"]["N"]))


def _attempts(item: Item) -> LoginAttempts:
    try:
        addresses = {tag: _window(value["M"]) for tag, value in item["a"]["M"].items()}
        return LoginAttempts(_window(item), addresses, str(item["v"]["S"]))
    except (KeyError, TypeError, ValueError) as error:
        raise CorruptItemError() from error
