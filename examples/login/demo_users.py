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
}


def check_password(username: str, password: str) -> bool:
    """True when the demo user exists and the password matches (constant time)."""
    expected = DEMO_USERS.get(username)
    if expected is None:
        hmac.compare_digest(password, "x" * 10)  # same work for unknown users
        return False
    return hmac.compare_digest(password.encode(), expected.encode())
