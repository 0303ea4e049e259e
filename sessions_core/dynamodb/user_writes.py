"""Reads and conditional writes of the per-user item (see `user_items` for its shape)."""

from __future__ import annotations

import logging
import secrets
from contextlib import suppress
from datetime import datetime

from sessions_core.dynamodb.errors import ConditionFailedError
from sessions_core.dynamodb.items import EXPIRY_NAMES, EXPIRY_SET, num, to_ms
from sessions_core.dynamodb.part import TablePart
from sessions_core.dynamodb.table import Expression
from sessions_core.dynamodb.user_items import (
    admission_attribute,
    admission_value,
    erased_attribute,
    item_to_users,
    marker_attribute,
    marker_value,
)
from sessions_core.keys import UserRef
from sessions_core.records import AdmissionWrite, RevocationMarker, UserState

logger = logging.getLogger("sessions_core.dynamodb")


class UserItems(TablePart):
    """The per-user items: the store's `load_users`, `put_marker`, `admit`, `release`
    and `mark_erased`."""

    def load_users(self, refs: list[UserRef]) -> dict[UserRef, UserState]:
        """The slots at ``refs`` (one strongly consistent BatchGetItem)."""
        keys = {ref.location: self.layout.user_key(ref.location) for ref in refs}
        found = self.table.batch_get(list(keys.values()), consistent=True)
        states = {}
        for ref in refs:
            users = item_to_users(found.get(keys[ref.location]["id"]["S"]))
            if ref.tag in users:
                states[ref] = users[ref.tag]
        return states

    def put_marker(self, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime) -> None:
        """Set the user's mark unless a later one is there; the item lives at least
        until ``expires_at``."""
        written = self._write(
            ref,
            update="SET #slot = :value, " + EXPIRY_SET,
            condition="attribute_not_exists(#slot) OR #slot.t < :t",
            slot=marker_attribute(ref.tag),
            values={":value": marker_value(marker), ":t": marker_value(marker)["M"]["t"]},
            expires_at=expires_at,
        )
        if not written:
            logger.info("a later revocation marker is already in place")

    def admit(self, ref: UserRef, write: AdmissionWrite) -> bool:
        """Replace the user's admitted sessions if the version is still the expected
        one and the user was not erased since (one conditional UpdateItem)."""
        if write.expected is None:
            condition, values = "attribute_not_exists(#slot)", {}
        else:
            condition, values = "#slot.v = :expected", {":expected": {"S": write.expected}}
        condition += " AND (attribute_not_exists(#erased) OR #erased <= :since)"
        return self._write(
            ref,
            update="SET #slot = :value, " + EXPIRY_SET,
            condition=condition,
            slot=admission_attribute(ref.tag),
            values={
                ":value": admission_value(write.admission),
                ":since": num(to_ms(write.not_erased_since)),
                **values,
            },
            expires_at=write.expires_at,
            names={"#erased": erased_attribute(ref.tag)},
        )

    def mark_erased(self, ref: UserRef, marker: RevocationMarker, *, expires_at: datetime) -> None:
        """Record the user's erasure at ``marker.revoked_before``, drop their admitted
        sessions (one UpdateItem), and put ``marker`` there unless a later one is."""
        self._erased(ref, at=marker.revoked_before, expires_at=expires_at)
        self.put_marker(ref, marker, expires_at=expires_at)

    def _erased(self, ref: UserRef, *, at: datetime, expires_at: datetime) -> None:
        key = self.layout.user_key(ref.location)
        self.table.update(
            key,
            Expression(
                update="SET #erased = :at, " + EXPIRY_SET + " REMOVE #admitted",
                names={
                    "#erased": erased_attribute(ref.tag),
                    "#admitted": admission_attribute(ref.tag),
                    **EXPIRY_NAMES,
                },
                values={":at": num(to_ms(at)), **self.layout.expiry_values(key, expires_at)},
            ),
        )

    def release(self, ref: UserRef, session_id: str) -> None:
        """Drop one admitted session, with a new version; a no-op when it is not there."""
        with suppress(ConditionFailedError):
            self.table.update(
                self.layout.user_key(ref.location),
                Expression(
                    update="REMOVE #slot.s.#sid SET #slot.v = :version",
                    condition="attribute_exists(#slot.s.#sid)",
                    names={"#slot": admission_attribute(ref.tag), "#sid": session_id},
                    values={":version": {"S": secrets.token_hex(8)}},
                ),
            )

    def _write(
        self,
        ref: UserRef,
        *,
        update: str,
        condition: str,
        slot: str,
        values: dict[str, object],
        expires_at: datetime,
        names: dict[str, str] | None = None,
    ) -> bool:
        key = self.layout.user_key(ref.location)
        try:
            self.table.update(
                key,
                Expression(
                    update=update,
                    condition=condition,
                    names={"#slot": slot, **EXPIRY_NAMES, **(names or {})},
                    values={**values, **self.layout.expiry_values(key, expires_at)},
                ),
            )
        except ConditionFailedError:
            return False
        return True
