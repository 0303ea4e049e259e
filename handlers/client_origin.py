"""Where a client's request comes from, as API Gateway (and CloudFront) tell it: the
user agent, the source address, and CloudFront's viewer country when present. Shared by
the API, the demo login and the authorizer (no framework imports)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from handlers.credentials import header

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


def client_origin(event: Mapping[str, Any]) -> ClientOrigin:
    """The origin of a payload-2.0 event; what is missing or malformed is None.

    The country header is trusted only as CloudFront sets it (two capital letters);
    behind no CloudFront it is whatever the client sent, and so only informative.
    """
    http = _dict(_dict(event.get("requestContext")).get("http"))
    agent = http.get("userAgent")
    source = http.get("sourceIp")
    country = header(event.get("headers"), COUNTRY_HEADER)
    return ClientOrigin(
        user_agent=agent[:_MAX_AGENT_CHARS] if isinstance(agent, str) and agent else None,
        ip_address=source if isinstance(source, str) and source else None,
        country=country if country and _COUNTRY.fullmatch(country) else None,
    )
