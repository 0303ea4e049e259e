"""Access token routes: the public discovery document and key set, and what the two
issuing routes (`routes_client` ``/me/token``, `routes_service` ``/sessions/token``)
share. The public routes answer from the key set in memory (re-read at most every 5
minutes), never a key service call per request: API Gateway gives its fetch 1,500 ms.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from handlers.observability import count
from handlers.responses import json_response, runtime_of
from handlers.routing import register
from handlers.token_keys import api_issuer
from handlers.token_models import AccessTokenAnswer, DiscoveryDocument, JwkSet
from handlers.wiring import Runtime
from sessions_core.errors import KeyConfigurationError
from sessions_core.key_services.deployed import DeployedKeys
from sessions_core.token_service import AccessTokens

router = APIGatewayHttpRouter()

# Verifiers may cache both for 5 minutes (a rotation publishes a key long before it
# signs: see `signing_keys.DEFAULT_LEAD`).
PUBLIC_CACHE = {"Cache-Control": "public, max-age=300"}


def access_tokens(runtime: Runtime, event: dict[str, Any]) -> AccessTokens:
    """The runtime's access tokens; a deployed API without a configured issuer tells
    its key set the issuer it is (its own URL), from the event.

    Raises:
        KeyConfigurationError: access tokens are not configured.
    """
    tokens = runtime.manager.config.access_tokens
    if tokens is None:
        raise KeyConfigurationError("access tokens are not configured")
    source = tokens.keys.source
    if isinstance(source, DeployedKeys) and not tokens.policy.issuer and not source.issuer_hint:
        source.issuer_hint = api_issuer(runtime.settings, event)
    return tokens


def issued(
    runtime: Runtime,
    event: dict[str, Any],
    token: str,
    *,
    audience: str | None,
    expires_in: int | None,
    user_agent: str | None,
) -> Response[str]:
    """Issue an access token for the session ``token`` names: 200 with the token,
    never cached.

    Raises:
        SessionError: the session does not validate, the options are not allowed, or
            no key can sign (the API answers each).
    """
    access_tokens(runtime, event)
    manager = runtime.manager
    access = manager.issue_access_token(
        token,
        audience=audience,
        expires_in=timedelta(seconds=expires_in) if expires_in else None,
        user_agent=user_agent,
    )
    count("AccessTokensIssued")
    return json_response(200, AccessTokenAnswer.of(access, manager.config.now()))


@register(router, "OpenIdConfiguration")
def openid_configuration() -> Response[str]:
    tokens = access_tokens(runtime_of(router), router.current_event.raw_event)
    document = DiscoveryDocument(**tokens.discovery())
    return json_response(200, document, headers=PUBLIC_CACHE)


@register(router, "JsonWebKeySet")
def json_web_key_set() -> Response[str]:
    tokens = access_tokens(runtime_of(router), router.current_event.raw_event)
    return json_response(200, JwkSet.model_validate(tokens.jwks()), headers=PUBLIC_CACHE)
