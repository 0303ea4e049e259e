"""moto's KMS signs ``MessageType=DIGEST`` as if it were ``RAW`` (it hashes the digest
again; getmoto/moto#10202 fixes it upstream, not yet released): real KMS signs the
digest as given. `signing_digests_as_kms_does` makes the moto in this process do what
AWS documents, so that a signature made in a test verifies against ``GetPublicKey``
exactly as one made by AWS would."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.hazmat.primitives.hashes import SHA256
from moto.kms.responses import KmsResponse


def _sign(self: KmsResponse) -> str:
    if self._get_param("MessageType") != "DIGEST":
        return _ORIGINAL(self)
    key = self.kms_backend.describe_key(self._get_param("KeyId"))
    algorithm = self._get_param("SigningAlgorithm")
    if algorithm != "RSASSA_PKCS1_V1_5_SHA_256":  # the only one these tests use
        raise NotImplementedError(algorithm)
    digest = self._get_param("Message")  # moto has decoded the blob already
    digest = digest.encode("latin-1") if isinstance(digest, str) else bytes(digest)
    if len(digest) != 32:
        raise ValueError("Digest is invalid length for algorithm RSASSA_PKCS1_V1_5_SHA_256")
    private: Any = key.private_key.private_key  # moto's wrapper holds cryptography's key
    signature = private.sign(digest, padding.PKCS1v15(), utils.Prehashed(SHA256()))
    return json.dumps(
        {
            "KeyId": key.arn,
            "Signature": base64.b64encode(signature).decode(),
            "SigningAlgorithm": algorithm,
        }
    )


_ORIGINAL = KmsResponse.sign


@contextmanager
def signing_digests_as_kms_does() -> Iterator[None]:
    """moto's KMS signs DIGEST messages as AWS does, for the duration."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(KmsResponse, "sign", _sign)
        yield
