"""The access tokens' key set, deployed: one item of the sessions table
(``<prefix>signing-keys``), read by the API function and the authorizer, written by the
first API function that needs it and by ``sessions keys rotate-signing``.

It holds public keys only (each key's ``kid``, public JWK members, when it signs from
and when it retires, and where its private key is: a KMS key or a Secrets Manager
secret), the issuer the deployment signs as, and a version every write changes: a write
is conditional on the version it read, so two rotations cannot both win. The item has
no expiry attributes: TTL and cleanup leave it alone.
"""

from __future__ import annotations

import secrets

from sessions_core.dynamodb.errors import ConditionFailedError
from sessions_core.dynamodb.layout import Layout, from_ms, num, to_ms
from sessions_core.dynamodb.table import Expression, Item, Table
from sessions_core.errors import CorruptItemError
from sessions_core.signing_keys import KeyEntry, KeySet, thumbprint

__all__ = ["ConditionFailedError", "KeySetItem"]

_PUBLIC = ("kty", "n", "e")


class KeySetItem:
    """The key-set item of one table and prefix."""

    def __init__(self, table: Table, layout: Layout) -> None:
        self.table = table
        self.key = layout.signing_keys_key()

    def load(self) -> KeySet | None:
        """The key set (strongly consistent GetItem), or None when there is none yet.

        Raises:
            StoreUnavailableError: DynamoDB did not answer.
            CorruptItemError: the item is not a key set.
        """
        item = self.table.get(self.key)
        return key_set_of(item) if item else None

    def save(self, key_set: KeySet, *, replacing: str | None) -> KeySet:
        """Write ``key_set`` if the stored version is still ``replacing`` (None: there
        must be no key set yet); returns it with its new version.

        Raises:
            ConditionFailedError: another writer changed the key set first.
            StoreUnavailableError: DynamoDB did not answer.
        """
        version = secrets.token_hex(8)
        item: Item = {
            **self.key,
            "v": {"S": version},
            "keys": {"L": [{"M": _entry_item(e)} for e in key_set.entries]},
        }
        if key_set.issuer:
            item["issuer"] = {"S": key_set.issuer}
        guard = (
            Expression(condition="attribute_not_exists(id)")
            if replacing is None
            else Expression(condition="v = :v", values={":v": {"S": replacing}})
        )
        self.table.put(item, guard)
        return KeySet(key_set.entries, issuer=key_set.issuer, version=version)


def _entry_item(entry: KeyEntry) -> Item:
    item: Item = {
        "kid": {"S": entry.kid},
        "jwk": {"M": {name: {"S": entry.public_jwk[name]} for name in _PUBLIC}},
        "signsFrom": num(to_ms(entry.signs_from)),
        "source": {"S": entry.source},
    }
    if entry.retires_at is not None:
        item["retiresAt"] = num(to_ms(entry.retires_at))
    return item


def _entry(fields: Item) -> KeyEntry:
    retires = fields.get("retiresAt")
    return KeyEntry(
        kid=str(fields["kid"]["S"]),
        public_jwk={name: str(fields["jwk"]["M"][name]["S"]) for name in _PUBLIC},
        signs_from=from_ms(fields["signsFrom"]["N"]),
        retires_at=from_ms(retires["N"]) if retires else None,
        source=str(fields["source"]["S"]),
    )


def key_set_of(item: Item) -> KeySet:
    """The key set an item holds.

    Raises:
        CorruptItemError: the item is not a key set, or holds a key whose kid is not
            its thumbprint (someone wrote the item by hand).
    """
    try:
        entries = tuple(_entry(value["M"]) for value in item["keys"]["L"])
        issuer = item.get("issuer", {}).get("S")
        found = KeySet(entries, issuer=issuer, version=str(item["v"]["S"]))
    except (KeyError, TypeError, ValueError) as error:
        raise CorruptItemError("the signing key set item is not a key set") from error
    # Every kid is its key's thumbprint (RFC 7638) when we write it: a key whose kid is
    # anything else was not added by us, and the whole set is refused (fail closed).
    for entry in found.entries:
        if entry.kid != thumbprint(entry.public_jwk):
            raise CorruptItemError(
                f"the key set holds a key whose kid is not its thumbprint: {entry.kid!r}"
            )
    return found
