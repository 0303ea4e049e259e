"""Signing keys held in AWS KMS: the private key never leaves it.

A key is ``RSA_2048`` with ``SIGN_VERIFY`` usage; RS256 is KMS's
``RSASSA_PKCS1_V1_5_SHA_256``. The JWS signing input is hashed here and KMS signs the
digest (``MessageType=DIGEST``): 32 bytes on the wire whatever the claims, and no 4 KB
limit on them. The public key comes from ``GetPublicKey`` (DER SubjectPublicKeyInfo),
converted to the JWK the key set publishes, its ``kid`` the same thumbprint a local key
of the same modulus would have.

KMS failures leave through `errors.translated`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_der_public_key
from jwt.algorithms import RSAAlgorithm

from sessions_core.errors import KeyConfigurationError
from sessions_core.key_services.errors import translated
from sessions_core.signing_keys import KMS_SOURCE, KeyEntry, thumbprint

KMS_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"
KEY_SPEC = "RSA_2048"
KEY_USAGE = "SIGN_VERIFY"


@dataclass(frozen=True)
class KmsSigner:
    """Signs with the KMS key ``key_id`` (its ARN) through ``client``."""

    client: Any
    key_id: str

    def sign(self, message: bytes) -> bytes:
        """The RS256 signature of ``message``: its SHA-256 digest, signed by KMS.

        Raises:
            SigningUnavailableError: KMS throttled or failed.
            KeyConfigurationError: KMS refused (no permission, key disabled...).
        """
        digest = hashlib.sha256(message).digest()
        with translated(f"KMS key {self.key_id}"):
            answer = self.client.sign(
                KeyId=self.key_id,
                Message=digest,
                MessageType="DIGEST",
                SigningAlgorithm=KMS_ALGORITHM,
            )
        return bytes(answer["Signature"])


def kms_entry(client: Any, key_id: str, *, signs_from: datetime) -> KeyEntry:
    """The key set entry of the KMS key ``key_id`` (one ``GetPublicKey``), signing
    from ``signs_from``.

    Raises:
        KeyConfigurationError: the key is not an RSA-2048 signing key with RS256, or
            KMS refused.
        SigningUnavailableError: KMS throttled or failed.
    """
    with translated(f"KMS key {key_id}"):
        answer = client.get_public_key(KeyId=key_id)
    spec = answer.get("KeySpec") or answer.get("CustomerMasterKeySpec")
    if (
        spec != KEY_SPEC
        or answer.get("KeyUsage") != KEY_USAGE
        or KMS_ALGORITHM not in answer.get("SigningAlgorithms", [])
    ):
        raise KeyConfigurationError(
            f"KMS key {key_id} must be {KEY_SPEC} with {KEY_USAGE} usage and {KMS_ALGORITHM}"
        )
    public = load_der_public_key(bytes(answer["PublicKey"]))
    if not isinstance(public, RSAPublicKey):
        raise KeyConfigurationError(f"KMS key {key_id} is not an RSA key")
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(public, as_dict=True)
    members = {name: str(jwk[name]) for name in ("kty", "n", "e")}
    # AWS answers the key ARN, moto the bare id: keep the ARN when we were given it.
    arn = key_id if key_id.startswith("arn:") else str(answer.get("KeyId") or key_id)
    return KeyEntry(thumbprint(members), members, signs_from, source=KMS_SOURCE + arn)


def create_kms_key(client: Any, *, tags: dict[str, str], description: str) -> str:
    """A new KMS signing key (RSA-2048, SIGN_VERIFY) tagged with ``tags``; its ARN.
    The tags are what the functions' ``kms:Sign`` permission names, so a key a
    rotation adds is covered without a redeploy.

    Raises:
        KeyConfigurationError: KMS refused (no kms:CreateKey or kms:TagResource).
        SigningUnavailableError: KMS throttled or failed.
    """
    with translated("KMS CreateKey"):
        answer = client.create_key(
            KeySpec=KEY_SPEC,
            KeyUsage=KEY_USAGE,
            Description=description,
            Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()],
        )
    return str(answer["KeyMetadata"]["Arn"])
