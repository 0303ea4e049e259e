"""The session cookie: ``__Host-session`` (HttpOnly, Secure, SameSite, Path=/)."""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from handlers.credentials import COOKIE_NAME


def session_cookie(token: str, expires_at: datetime, now: datetime, same_site: str) -> Cookie:
    """The cookie that carries ``token`` until the session's expiry."""
    return _cookie(token, max(0, int((expires_at - now).total_seconds())), same_site)


def cleared_cookie(same_site: str) -> Cookie:
    """The cookie that deletes the session cookie (logout)."""
    return _cookie("", 0, same_site)


def _cookie(value: str, max_age: int, same_site: str) -> Cookie:
    return Cookie(
        name=COOKIE_NAME,
        value=value,
        path="/",
        secure=True,
        http_only=True,
        same_site=SameSite.STRICT_MODE if same_site == "Strict" else SameSite.LAX_MODE,
        max_age=max_age,
    )
