"""Encoding an access token: PyJWT's JWS compact serialization, with only the signing
step ours to choose, so that the private key may stay in KMS (`signing_keys.Signer`)."""

from __future__ import annotations

import json
from typing import Any

from jwt.algorithms import Algorithm
from jwt.api_jws import PyJWS

from sessions_core.access_tokens import TOKEN_TYPE
from sessions_core.signing_keys import ALGORITHM, KeyEntry, Signer


class _SignedBy(Algorithm):
    """RS256 whose signing step is a `Signer` (a key in this process, or in KMS)."""

    def prepare_key(self, key: Any) -> Any:
        return key

    def sign(self, msg: bytes, key: Signer) -> bytes:
        return key.sign(msg)

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        raise NotImplementedError("verification uses PyJWT's own RS256 (token_verify)")

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        raise NotImplementedError

    @staticmethod
    def from_jwk(jwk: Any) -> Any:
        raise NotImplementedError


_JWS = PyJWS(algorithms=[])
_JWS.register_algorithm(ALGORITHM, _SignedBy())


def encode(claims: dict[str, Any], key: KeyEntry, signer: Signer) -> str:
    """The JWT: header ``{"typ": "at+jwt", "alg": "RS256", "kid"}``, ``claims``, and the
    signature ``signer`` makes with ``key``'s private key."""
    payload = json.dumps(claims, separators=(",", ":")).encode()
    headers = {"typ": TOKEN_TYPE, "kid": key.kid}
    # PyJWS hands the key to the algorithm as it is: ours takes a Signer.
    return _JWS.encode(payload, key=signer, algorithm=ALGORITHM, headers=headers)  # type: ignore[arg-type]
