"""`AccessTokenVerifier`: what another service runs to trust our access tokens offline,
with no call to the sessions API per request.

It reads the issuer's discovery document once, then its JWKS through PyJWT's
``PyJWKClient`` (cached 5 minutes; an unknown ``kid`` fetches again at most once a
minute, so random kids cannot make every request a fetch), and checks each token
exactly as the service itself does (`sessions_core.token_verify`): RS256 only, ``typ``
``at+jwt``, the issuer byte for byte, this audience only, ``exp``/``nbf`` with 5 s of
leeway.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime

import jwt
from jwt.algorithms import RSAAlgorithm

from sessions_core.access_tokens import AccessTokenClaims, AccessTokenPolicy
from sessions_core.errors import InvalidAccessTokenError, StoreUnavailableError
from sessions_core.signing_keys import KeyEntry
from sessions_core.token_verify import Verifier

DISCOVERY_PATH = "/.well-known/openid-configuration"
# API Gateway gives its own fetch 1,500 ms; a verifier on the request path should not
# wait much longer.
FETCH_TIMEOUT_SECONDS = 2.0


class AccessTokenVerifier:
    """Verifies the access tokens ``issuer`` signs for ``audience``.

    Args:
        issuer: the ``iss`` to expect, byte for byte (the stack's ``TokenIssuer``
            output, or ``sessions serve``'s address).
        audience: the one audience this service accepts.
        jwks_uri: where the keys are (default: what the discovery document says).
        clock: the time tokens are checked against (default: the system clock).
        client_id: the ``client_id`` the issuer's tokens carry (its
            ``SESSIONS_TOKEN_CLIENT_ID``, default ``sessions``).
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        *,
        jwks_uri: str | None = None,
        clock: Callable[[], datetime] | None = None,
        client_id: str = "sessions",
    ) -> None:
        self.policy = AccessTokenPolicy(issuer, (audience,), client_id=client_id)
        self._jwks_uri = jwks_uri
        self._client: jwt.PyJWKClient | None = None
        self._verifier = Verifier(self.policy, self._key_for, clock or (lambda: datetime.now(UTC)))

    def verify(self, token: str) -> AccessTokenClaims:
        """The claims of a valid token.

        Raises:
            InvalidAccessTokenError: the token is not valid (or its keys cannot be
                fetched now: fail closed).
        """
        return self._verifier.verify(token)

    def _key_for(self, kid: str) -> KeyEntry | None:
        try:
            found = self._jwks().get_signing_key(kid)
        except jwt.PyJWKClientError:
            return None
        except StoreUnavailableError as error:
            raise InvalidAccessTokenError("the issuer's keys cannot be fetched now") from error
        public = RSAAlgorithm.to_jwk(found.key, as_dict=True)
        members = {name: str(public[name]) for name in ("kty", "n", "e")}
        return KeyEntry(kid, members, datetime.min.replace(tzinfo=UTC))

    def _jwks(self) -> jwt.PyJWKClient:
        if self._client is None:
            uri = self._jwks_uri or self._discovered_jwks_uri()
            self._client = jwt.PyJWKClient(
                uri, lifespan=300, timeout=FETCH_TIMEOUT_SECONDS, cooldown_duration=60
            )
        return self._client

    def _discovered_jwks_uri(self) -> str:
        url = self.policy.issuer + DISCOVERY_PATH
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310 - the configured issuer's URL
                document = json.loads(answer.read())
        except (OSError, ValueError) as error:
            raise StoreUnavailableError(f"cannot read {url}") from error
        if document.get("issuer") != self.policy.issuer or not document.get("jwks_uri"):
            raise StoreUnavailableError(f"{url} is not this issuer's discovery document")
        return str(document["jwks_uri"])
