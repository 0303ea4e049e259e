"""The key set of a deployment (`KeySource`): the table's key-set item for the public
side, KMS or Secrets Manager for the private side.

The API function creates the key set on first use from the key the template made
(``first_key``: the KMS key, or the secret's first key), recording the issuer it
learned from its own API's id when none is configured; the authorizer only reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sessions_core.dynamodb.key_set_item import ConditionFailedError, KeySetItem
from sessions_core.errors import KeyConfigurationError
from sessions_core.signing_keys import KMS_SOURCE, SECRET_SOURCE, KeyEntry, KeySet, Signer


class DeployedKeys:
    """The key set in ``item``; signers reached through the clients ``kms`` and
    ``secrets`` give (called on first need: the authorizer never builds them).

    Attributes:
        issuer_hint: the issuer to record when the set has none (the API function sets
            it from its event when ``SESSIONS_TOKEN_ISSUER`` is empty).
    """

    def __init__(
        self,
        item: KeySetItem,
        *,
        kms: Callable[[], Any],
        secrets: Callable[[], Any],
        first_key: Callable[[datetime], KeyEntry] | None = None,
    ) -> None:
        self.item = item
        self._kms = kms
        self._secrets = secrets
        self._first_key = first_key
        self.issuer_hint: str | None = None

    def load(self, now: datetime) -> KeySet:
        """The key set; created from the first key when there is none and this
        process may create it; its issuer recorded when it has none and one is known.

        Raises:
            StoreUnavailableError: DynamoDB did not answer.
            KeyConfigurationError, SigningUnavailableError: the first key failed.
        """
        found = self.item.load()
        if self._first_key is None:
            return found or KeySet()
        try:
            if found is None:
                first = KeySet((self._first_key(now),), issuer=self.issuer_hint)
                return self.item.save(first, replacing=None)
            if found.issuer is None and self.issuer_hint:
                return self.item.save(
                    replace(found, issuer=self.issuer_hint), replacing=found.version
                )
        except ConditionFailedError:  # another container wrote it first: theirs stands
            return self.item.load() or KeySet()
        return found

    def rotate(self, now: datetime, lead: timedelta) -> KeySet:
        """Add a new key where the signing key is (a new KMS key with its tags, or a
        new key in its secret) that signs after ``lead``; the new set.

        Raises:
            KeyConfigurationError: there is no key set yet, or the key service refused.
            ConditionFailedError: the key set changed meanwhile (run it again).
            StoreUnavailableError, SigningUnavailableError: a service did not answer.
        """
        current = self._current()
        like = current.signing(now) or current.entries[-1]
        new = self._new_key_like(like, now + lead)
        return self.item.save(current.rotated(new, now), replacing=current.version)

    def withdraw(self, now: datetime, kid: str) -> KeySet:
        """Remove ``kid`` from the set at once (`KeySet.withdrawn`); the set. Its KMS
        key is not deleted here: disable it (and schedule its deletion) in KMS.

        Raises:
            ValueError: no such key, or it is the only one that signs.
            KeyConfigurationError: there is no key set yet.
            ConditionFailedError: the key set changed meanwhile (run it again).
        """
        current = self._current()
        return self.item.save(current.withdrawn(kid, now), replacing=current.version)

    def roll_back(self, now: datetime) -> KeySet:
        """Undo the newest rotation (`KeySet.rolled_back`); the new set. A KMS key the
        rollback drops is not deleted: schedule its deletion once no token needs it.

        Raises:
            ValueError: there is no rotation to roll back.
            KeyConfigurationError: there is no key set yet.
            ConditionFailedError: the key set changed meanwhile (run it again).
        """
        current = self._current()
        return self.item.save(current.rolled_back(now), replacing=current.version)

    def _current(self) -> KeySet:
        current = self.item.load()
        if current is None or not current.entries:
            raise KeyConfigurationError(
                "this table has no signing key set yet: the API creates it on its first "
                "token or key set request"
            )
        return current

    def _new_key_like(self, like: KeyEntry, signs_from: datetime) -> KeyEntry:
        from sessions_core.key_services.errors import translated  # noqa: PLC0415
        from sessions_core.key_services.kms import create_kms_key, kms_entry  # noqa: PLC0415
        from sessions_core.key_services.secrets_manager import SecretSigningKeys  # noqa: PLC0415
        from sessions_core.local_signing_keys import new_private_jwk  # noqa: PLC0415

        if like.source.startswith(KMS_SOURCE):
            key_id = like.source.removeprefix(KMS_SOURCE)
            kms = self._kms()
            with translated(f"KMS key {key_id}"):
                listed = kms.list_resource_tags(KeyId=key_id).get("Tags", [])
            tags = {t["TagKey"]: t["TagValue"] for t in listed}
            arn = create_kms_key(kms, tags=tags, description="Signs access tokens (rotated).")
            return kms_entry(kms, arn, signs_from=signs_from)
        if like.source.startswith(SECRET_SOURCE):
            secret = SecretSigningKeys(self._secrets(), like.source.removeprefix(SECRET_SOURCE))
            jwk = new_private_jwk(signs_from)
            secret.add(jwk, request_token=f"serverless-sessions-rotation-{jwk['kid'][:32]}")
            return KeyEntry(
                str(jwk["kid"]),
                {name: str(jwk[name]) for name in ("kty", "n", "e")},
                signs_from,
                source=like.source,
            )
        raise KeyConfigurationError(f"the signing key {like.kid} is not in KMS or a secret")

    def signer(self, entry: KeyEntry) -> Signer:
        """The signer where ``entry``'s private key is.

        Raises:
            KeyConfigurationError: a source this deployment cannot sign with.
        """
        # Imported here: the authorizer reads the key set and never signs.
        if entry.source.startswith(KMS_SOURCE):
            from sessions_core.key_services.kms import KmsSigner  # noqa: PLC0415

            return KmsSigner(self._kms(), entry.source.removeprefix(KMS_SOURCE))
        if entry.source.startswith(SECRET_SOURCE):
            from sessions_core.key_services.secrets_manager import SecretSigningKeys  # noqa: PLC0415

            keys = SecretSigningKeys(self._secrets(), entry.source.removeprefix(SECRET_SOURCE))
            return keys.signer(entry.kid)
        raise KeyConfigurationError(
            f"the signing key {entry.kid} is not held where a function can sign"
        )
