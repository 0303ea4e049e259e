"""The deployed key set is read as a trust root: an item a table writer extended with a
key of its own (a kid that is not the key's thumbprint) is refused whole."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sessions_core.dynamodb.key_set_item import _entry_item, key_set_of
from sessions_core.errors import CorruptItemError
from sessions_core.local_signing_keys import entry_of, new_private_jwk

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _item(*entries: Any) -> dict[str, Any]:
    return {
        "id": {"S": "session:signing-keys"},
        "v": {"S": "v1"},
        "keys": {"L": [{"M": _entry_item(e)} for e in entries]},
    }


def test_key_set_of_keys_named_by_their_thumbprints_is_read() -> None:
    ours = entry_of(new_private_jwk(NOW))
    assert key_set_of(_item(ours)).entries == (ours,)


def test_key_set_of_a_key_whose_kid_is_not_its_thumbprint_is_refused_whole() -> None:
    # GIVEN our key and one an attacker added by hand, named as it liked
    ours = entry_of(new_private_jwk(NOW))
    theirs = entry_of(new_private_jwk(NOW))
    forged = type(theirs)(
        "admin-key", theirs.public_jwk, theirs.signs_from, theirs.retires_at, theirs.source
    )
    # WHEN the set is read THEN it is refused (the authorizer then denies access tokens)
    with pytest.raises(CorruptItemError, match="not its thumbprint"):
        key_set_of(_item(ours, forged))
