"""Signing keys held in a Secrets Manager secret and used in-process: for rates beyond
KMS's shared request quota. The trade: the private key is in the API function's memory
(and readable by whoever may read the secret), where KMS never lets it out.

The secret holds the same document as the local key file (`local_signing_keys`): a
private JWK Set. The first key is created by the first API function that needs one,
written with a fixed client request token: Secrets Manager refuses a second, different
value under the same token, so two cold starts racing end up with one key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from sessions_core.errors import KeyConfigurationError
from sessions_core.key_services.errors import translated
from sessions_core.local_signing_keys import LocalSigner, entry_of, new_private_jwk, signer_of
from sessions_core.signing_keys import SECRET_SOURCE, KeyEntry

# 32 to 64 characters, as Secrets Manager requires; the same in every container.
FIRST_KEY_REQUEST = "serverless-sessions-first-signing-key-0001"
_RACED = frozenset({"ResourceExistsException"})


@dataclass(frozen=True)
class SecretSigningKeys:
    """The private JWK Set in the secret ``secret_id``, through ``client``."""

    client: Any
    secret_id: str

    @property
    def _what(self) -> str:
        return f"secret {self.secret_id}"

    def document(self) -> dict[str, Any]:
        """The secret's JWK Set (``{"keys": []}`` while it has none).

        Raises:
            KeyConfigurationError: it cannot be read, or is not a JWK Set.
            SigningUnavailableError: Secrets Manager throttled or failed.
        """
        with translated(self._what):
            text = self.client.get_secret_value(SecretId=self.secret_id)["SecretString"]
        try:
            document = json.loads(text or "{}")
            document.setdefault("keys", [])
            if not isinstance(document["keys"], list):
                raise TypeError("keys is not a list")
        except (ValueError, TypeError, AttributeError) as error:
            raise KeyConfigurationError(f"{self._what} is not a JWK Set") from error
        return dict(document)

    def signer(self, kid: str) -> LocalSigner:
        """The signer of the key ``kid``.

        Raises:
            KeyConfigurationError: the secret does not hold it.
        """
        for jwk in self.document()["keys"]:
            if jwk.get("kid") == kid:
                return signer_of(jwk, self._what)
        raise KeyConfigurationError(f"{self._what} does not hold the signing key {kid}")

    def add(self, jwk: dict[str, Any], *, request_token: str) -> dict[str, Any]:
        """The document with ``jwk`` added, written as the secret's current version
        under ``request_token``; when that token was used for another value (a racing
        writer), the document as that writer left it.

        Raises:
            KeyConfigurationError, SigningUnavailableError: the write failed.
        """
        current = self.document()
        document = {**current, "keys": [*current["keys"], jwk]}
        try:
            with translated(self._what, passing=_RACED):
                self.client.put_secret_value(
                    SecretId=self.secret_id,
                    SecretString=json.dumps(document),
                    ClientRequestToken=request_token,
                )
        except ClientError:  # only a raced write (_RACED) passes translated()
            return self.document()
        return document

    def first_entry(self, now: datetime) -> KeyEntry:
        """The key the key set starts with: the secret's newest, or a new one.

        Raises:
            KeyConfigurationError, SigningUnavailableError: the secret failed.
        """
        keys = self.document()["keys"]
        if not keys:
            keys = self.add(new_private_jwk(now), request_token=FIRST_KEY_REQUEST)["keys"]
        newest = entry_of(keys[-1])
        return KeyEntry(newest.kid, newest.public_jwk, now, source=SECRET_SOURCE + self.secret_id)
