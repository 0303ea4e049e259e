"""Where a client's request comes from, as API Gateway (and CloudFront) tell it: the
user agent, the source address, and CloudFront's viewer country when the deployment
says CloudFront is in front. Shared by the API, the demo login and the authorizer (no
framework imports)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.credentials import header
from sessions_core.errors import InvalidArgumentError
from sessions_core.limits import check_ip_address

COUNTRY_HEADER = "cloudfront-viewer-country"
_COUNTRY = re.compile(r"[A-Z]{2}")
_MAX_AGENT_CHARS = 1024


@dataclass(frozen=True)
class ClientOrigin:
    """A request's user agent, address and (two-letter) country, each when known."""

    user_agent: str | None = None
    ip_address: str | None = None
    country: str | None = None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def client_origin(event: Mapping[str, Any], *, trust_cloudfront: bool) -> ClientOrigin:
    """The origin of a payload-2.0 event; what is missing or malformed is None.

    ``CloudFront-Viewer-Country`` is read only with ``trust_cloudfront``
    (``SESSIONS_TRUST_CLOUDFRONT``): an HTTP API is reachable without CloudFront, and
    then the header is whatever the caller chose to send.
    """
    http = _dict(_dict(event.get("requestContext")).get("http"))
    agent = http.get("userAgent")
    country = header(event.get("headers"), COUNTRY_HEADER) if trust_cloudfront else None
    return ClientOrigin(
        user_agent=agent[:_MAX_AGENT_CHARS] if isinstance(agent, str) and agent else None,
        ip_address=_address(http.get("sourceIp")),
        country=country if country and _COUNTRY.fullmatch(country) else None,
    )


def _address(source: object) -> str | None:
    try:
        return check_ip_address(source or None)
    except InvalidArgumentError:
        return None
