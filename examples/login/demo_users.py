"""DEMO ONLY: a fixed list of users and passwords for `sessions serve --demo`.

A real login backend checks a password hash, an OAuth callback or a passkey, then calls
`SessionManager.create`. Never deploy these credentials: the template's demo function
is off unless ``EnableDemo=true``.
"""

from __future__ import annotations

import hmac

DEMO_USERS = {
    "alice": "wonderland",
    "bob": "builder",
    "carol": "lighthouse",
}


_UNKNOWN = b"\x00" * 16


def check_password(username: str, password: str) -> bool:
    """True when the demo user exists and the password matches (constant time).

    Bytes on both sides: ``compare_digest`` refuses non-ASCII ``str``, and an unknown
    user must cost and answer exactly what a wrong password does.
    """
    expected = DEMO_USERS.get(username)
    given = password.encode("utf-8", "surrogatepass")
    if expected is None:
        hmac.compare_digest(given, _UNKNOWN)
        return False
    return hmac.compare_digest(given, expected.encode("utf-8"))
