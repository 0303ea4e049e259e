"""Bodies of the access token routes: issuing (camelCase, as the rest of the API), and
the discovery document and key set (their standard snake_case names)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictInt, StrictStr

from handlers.api_models import ANSWER, CAMEL, MAX_TOKEN_CHARS
from sessions_core.access_tokens import MAX_LIFETIME, MIN_LIFETIME, AccessToken
from sessions_core.limits import MAX_USER_AGENT_CHARS

_MAX_AUDIENCE_CHARS = 256


class AccessTokenBody(BaseModel):
    """``POST /me/token``: which audience, how long (both optional)."""

    model_config = CAMEL

    audience: StrictStr | None = Field(
        default=None,
        min_length=1,
        max_length=_MAX_AUDIENCE_CHARS,
        description="one of the configured audiences (default: the first)",
    )
    expires_in: StrictInt | None = Field(
        default=None,
        ge=int(MIN_LIFETIME.total_seconds()),
        le=int(MAX_LIFETIME.total_seconds()),
        description="lifetime in seconds (default 300), never past the session's end",
    )


class ServiceAccessTokenBody(AccessTokenBody):
    """``POST /sessions/token``: the session token a backend holds, and the same
    options."""

    # repr=False: Powertools logs route arguments at DEBUG; the token must not ride along.
    token: StrictStr = Field(max_length=MAX_TOKEN_CHARS, repr=False)
    user_agent: StrictStr | None = Field(default=None, max_length=MAX_USER_AGENT_CHARS)


class AccessTokenAnswer(BaseModel):
    """An issued access token (answered with ``Cache-Control: no-store``)."""

    model_config = CAMEL

    access_token: str = Field(repr=False)
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type
    expires_in: int = Field(description="seconds until it expires")
    expires_at: datetime

    @classmethod
    def of(cls, token: AccessToken, now: datetime) -> AccessTokenAnswer:
        """The answer for ``token``, issued at ``now``."""
        return cls(
            access_token=token.access_token,
            expires_in=token.expires_in(now),
            expires_at=token.expires_at,
        )


class DiscoveryDocument(BaseModel):
    """``GET /.well-known/openid-configuration``: exactly what a verifier reads (there is
    no authorization endpoint: tokens come from ``/me/token``)."""

    model_config = ANSWER

    issuer: str
    jwks_uri: str
    response_types_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]


class PublicJwk(BaseModel):
    """One public signing key (RSA, RS256)."""

    model_config = ANSWER

    kty: Literal["RSA"]
    n: str
    e: str
    kid: str = Field(description="the key's RFC 7638 SHA-256 thumbprint")
    use: Literal["sig"]
    alg: Literal["RS256"]


class JwkSet(BaseModel):
    """``GET /.well-known/jwks.json``: the public keys verifiers should know now."""

    model_config = ANSWER

    keys: list[PublicJwk]
