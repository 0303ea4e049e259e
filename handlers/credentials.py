"""Where a request's session token comes from: ``Authorization: Bearer`` or the
``__Host-session`` cookie, and whether a cookie came from a page allowed to use it.
Shared by the API and the authorizer (no framework imports).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

COOKIE_NAME = "__Host-session"
_BEARER = "bearer "


@dataclass(frozen=True)
class Credential:
    """A presented token and how it came (``bearer``: the Authorization header, or
    ``cookie``).

    The token is kept out of ``repr`` so a logged credential never shows it.
    """

    token: str
    source: Literal["bearer", "cookie"]

    def __repr__(self) -> str:
        return f"Credential(source={self.source!r}, token=<redacted>)"


def _header(headers: object, name: str) -> str | None:
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name:
            return value if isinstance(value, str) else None
    return None


def cookie_value(cookies: object, name: str = COOKIE_NAME) -> str | None:
    """The value of cookie ``name`` from payload 2.0's ``cookies`` list (each entry may
    hold several ``a=b; c=d`` pairs when a client sent one header). Anything that is
    not a list of strings holds no cookie."""
    if not isinstance(cookies, list | tuple):
        return None
    for entry in cookies:
        if not isinstance(entry, str):
            continue
        for pair in entry.split(";"):
            key, sep, value = pair.strip().partition("=")
            if sep and key == name and value:
                return value
    return None


def credential_from(headers: object, cookies: object) -> Credential | None:
    """The request's credential: the Authorization header wins over the cookie."""
    authorization = _header(headers, "authorization")
    if authorization is not None:
        if authorization[: len(_BEARER)].lower() == _BEARER:
            token = authorization[len(_BEARER) :].strip()
            return Credential(token, "bearer") if token else None
        return None
    from_cookie = cookie_value(cookies)
    return Credential(from_cookie, "cookie") if from_cookie else None


def header(headers: object, name: str) -> str | None:
    """A header by case-insensitive name (None when ``headers`` is not a mapping)."""
    return _header(headers, name.lower())


# Methods a browser sends cross-site without asking (no preflight, no side effects by
# the HTTP rules): a cookie may ride on them from anywhere.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SAME_SITE_FETCHES = frozenset({"same-origin", "none"})


def cookie_allowed(method: str, headers: object, allowed_origins: frozenset[str]) -> bool:
    """Whether a cookie credential may be used for this request (CSRF defence on top of
    SameSite): always for a safe method; otherwise the ``Origin`` must be an allowed
    one, or, without ``Origin``, ``Sec-Fetch-Site`` must say the request did not come
    from another site (``same-origin``, or ``none``: typed or bookmarked)."""
    if method.upper() in SAFE_METHODS:
        return True
    origin = header(headers, "origin")
    if origin is not None:
        return origin.rstrip("/") in allowed_origins
    return (header(headers, "sec-fetch-site") or "").lower() in _SAME_SITE_FETCHES
