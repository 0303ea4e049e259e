"""Verifying an access token offline: PyJWT does the signature and the registered
claims; the profile's own checks (``typ``, ``kid``, one audience) are here. Light on
purpose (no pydantic, no store): the authorizer verifies on its cold path.

Refused, always with `InvalidAccessTokenError`: anything not RS256 (``alg: none``,
HMAC, even an HS256 token signed with a public key as its secret), a ``typ`` other than
``at+jwt``/``application/at+jwt``, a ``kid`` the key set does not publish, another
issuer or audience, ``exp`` passed or ``nbf`` to come (5 s leeway), a claim missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.utils import base64url_decode

from sessions_core.access_tokens import AccessTokenClaims, AccessTokenPolicy
from sessions_core.errors import InvalidAccessTokenError, SessionError
from sessions_core.signing_keys import ALGORITHM, KeyEntry

MAX_TOKEN_CHARS = 8 * 1024
_UNREADABLE = (jwt.PyJWTError, SessionError, ValueError, TypeError, KeyError, AttributeError)
# How many verified tokens a verifier remembers (about 1 KB each).
VERIFIED_KEPT = 4096
_TYPES = frozenset({"at+jwt", "application/at+jwt"})
_REQUIRED = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "sid", "sct"]
_INTS = ("sct", "iat", "nbf", "exp", "auth_time", "aal")


def public_key(entry: KeyEntry) -> RSAPublicKey:
    """The RSA public key of a key set entry.

    Raises:
        InvalidAccessTokenError: the entry is not an RSA public key.
    """
    key = RSAAlgorithm.from_jwk(dict(entry.public_jwk))
    if not isinstance(key, RSAPublicKey):
        raise InvalidAccessTokenError("the key set holds a key that is not RSA public")
    return key


class Verifier:
    """Verifies access tokens against ``policy`` with the keys ``key_for`` finds by kid
    (None: not published), and times against ``clock``. Public keys are converted once
    per kid."""

    def __init__(
        self,
        policy: AccessTokenPolicy,
        key_for: Callable[[str], KeyEntry | None],
        clock: Callable[[], datetime],
    ) -> None:
        self.policy = policy
        self._key_for = key_for
        self._clock = clock
        self._keys: dict[str, RSAPublicKey] = {}
        # Tokens verified before, oldest first: a client sends the same one for minutes.
        self._verified: dict[tuple[str, str | None], tuple[AccessTokenClaims, str]] = {}

    def verify(self, token: object, *, audience: str | None = None) -> AccessTokenClaims:
        """The claims of a valid token for ``audience`` (None: the default audience
        only). A token verified before is not decoded again: its key must still be
        published and its times are checked again, which is all that can change.

        Raises:
            InvalidAccessTokenError: the token is not valid, for any reason.
        """
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS:
            raise InvalidAccessTokenError()
        remembered = self._verified.get((token, audience))
        if remembered is not None:
            claims, kid = remembered
            if self._key_for(kid) is None:
                raise InvalidAccessTokenError("no published key has this kid")
            self._check_times(claims)
            return claims
        verified, kid = self._decode(token, audience)
        self._check_times(verified)
        if len(self._verified) >= VERIFIED_KEPT:
            self._verified.pop(next(iter(self._verified)))
        self._verified[(token, audience)] = (verified, kid)
        return verified

    def _decode(self, token: str, audience: str | None) -> tuple[AccessTokenClaims, str]:
        try:
            # The header alone, to pick the key: PyJWT decodes (and checks) all of it
            # below, and decoding it whole twice is most of a verification's CPU.
            header = json.loads(base64url_decode(token.split(".", 1)[0]))
            kid = header.get("kid")
            if header.get("alg") != ALGORITHM or not isinstance(kid, str):
                raise InvalidAccessTokenError()
            if str(header.get("typ", "")).lower() not in _TYPES:
                raise InvalidAccessTokenError()
            key = self._public(kid)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.policy.audience(audience),
                issuer=self.policy.issuer,
                leeway=self.policy.leeway,
                # PyJWT reads the system clock; times are compared with the injected
                # one, so that issuing and verifying share one notion of now.
                options={
                    "require": _REQUIRED,
                    "strict_aud": True,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
            return _claims(claims), kid
        except InvalidAccessTokenError:
            raise
        except (
            jwt.PyJWTError,
            SessionError,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
        ) as error:
            raise InvalidAccessTokenError() from error

    def _check_times(self, claims: AccessTokenClaims) -> None:
        now = self._clock().timestamp()
        leeway = self.policy.leeway.total_seconds()
        if claims.exp <= now - leeway:
            raise InvalidAccessTokenError("the access token has expired")
        if claims.nbf > now + leeway or claims.iat > now + leeway:
            raise InvalidAccessTokenError("the access token is not valid yet")

    def _public(self, kid: str) -> RSAPublicKey:
        # Asked every time: a key the set no longer publishes stops verifying at once.
        entry = self._key_for(kid)
        if entry is None:
            raise InvalidAccessTokenError("no published key has this kid")
        found = self._keys.get(kid)
        if found is None:
            found = self._keys[kid] = public_key(entry)
        return found


def _claims(claims: dict[str, Any]) -> AccessTokenClaims:
    if any(type(claims.get(name)) is not int for name in _INTS):
        raise ValueError("a numeric claim is not an integer")
    names = AccessTokenClaims.__dataclass_fields__
    values = {name: claims[name] for name in names}
    if not all(isinstance(values[n], str) for n in ("iss", "sub", "aud", "client_id", "sid")):
        raise ValueError("a claim is not a string")
    return AccessTokenClaims(**values)
