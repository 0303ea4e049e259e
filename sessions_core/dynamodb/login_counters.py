"""Failed sign-ins per user name (rule 16): one small item per keyed name hash.

The item expires with its window (``expiresAt`` = first failure + window), so cleanup
and TTL remove it like any other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sessions_core.dynamodb.errors import ConditionFailedError
from sessions_core.dynamodb.items import Layout, from_ms, num, to_ms
from sessions_core.dynamodb.table import Expression, Item, Table
from sessions_core.errors import CorruptItemError, StoreUnavailableError
from sessions_core.keys import UserRef
from sessions_core.store import LoginFailures

_ATTEMPTS = 4


def read_failures(table: Table, layout: Layout, ref: UserRef) -> LoginFailures | None:
    """The counter (strongly consistent GetItem), if any."""
    item = table.get(layout.login_key(ref))
    return _failures(item) if item else None


def add_failure(
    table: Table, layout: Layout, ref: UserRef, *, at: datetime, window: timedelta
) -> LoginFailures:
    """ADD to the counter while its window is open, else start it over; each branch is
    conditional, so concurrent failures are all counted.

    Raises:
        StoreUnavailableError: the counter stayed contended through every attempt.
    """
    key = layout.login_key(ref)
    at_ms = to_ms(at)
    cutoff = num(at_ms - int(window / timedelta(milliseconds=1)))
    for _ in range(_ATTEMPTS):
        try:
            counted = table.update(
                key,
                Expression(
                    update="ADD n :one",
                    condition="attribute_exists(id) AND f > :cutoff",
                    values={":one": num(1), ":cutoff": cutoff},
                ),
                returning="ALL_NEW",
            )
            return _failures(counted)
        except ConditionFailedError:
            pass  # no counter, or its window has closed: open a new one
        try:
            table.put(
                {**key, "n": num(1), "f": num(at_ms), **layout.expiry_attributes(key, at + window)},
                Expression(
                    condition="attribute_not_exists(id) OR f <= :cutoff",
                    values={":cutoff": cutoff},
                ),
            )
            return LoginFailures(1, at)
        except ConditionFailedError:
            continue  # another failure opened the window first: count into it
    raise StoreUnavailableError("the login failure counter stayed contended")


def _failures(item: Item) -> LoginFailures:
    try:
        return LoginFailures(int(item["n"]["N"]), from_ms(item["f"]["N"]))
    except (KeyError, TypeError, ValueError) as error:
        raise CorruptItemError() from error
