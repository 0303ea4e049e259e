"""CPU per access token, beside a validate (in-memory store, no I/O): issuing with a
local key (one validate plus claims, RS256 signing, encoding), verifying one seen for the
first time (no store request: signature, type, issuer, audience, times) and again (a
client sends the same token for minutes: its key and times are checked again, not its
signature), and refusing a forged one. Deployed
with KMS, signing is a request to KMS instead (milliseconds, not measured here)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.measure import per_call_us
from sessions_core import InMemorySessionStore, SessionConfig, SessionManager
from sessions_core.access_tokens import AccessTokenPolicy
from sessions_core.errors import InvalidAccessTokenError
from sessions_core.local_signing_keys import LocalSigningKeys
from sessions_core.token_service import AccessTokens, CachedKeys


def measure_tokens(calls: int = 2_000) -> dict[str, Any]:
    """Microseconds per validate, issue, verify and refusal of a forged token."""
    # The signing key lives only as long as the measurement: no private key left behind.
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as directory:
        return _measure(LocalSigningKeys(Path(directory) / "signing-keys.json"), calls)


def _measure(keys: LocalSigningKeys, calls: int) -> dict[str, Any]:
    manager = SessionManager(SessionConfig(InMemorySessionStore()))
    tokens = AccessTokens(
        AccessTokenPolicy("https://auth.example.com", ("api",)),
        CachedKeys(keys, manager.config.now),
    )
    manager = SessionManager(SessionConfig(manager.config.store, access_tokens=tokens))
    session = manager.create(user_id="bench")
    token = session.token or ""
    access = manager.issue_access_token(token).access_token
    header, payload, signature = access.split(".")
    forged = f"{header}.{payload}.{signature[:-6]}AAAAAA"

    def refuse() -> None:
        try:
            manager.verify_access_token(forged)
        except InvalidAccessTokenError:
            return
        raise AssertionError("a forged token verified")

    validate = per_call_us(lambda: manager.validate(token), calls * 5)
    issue = per_call_us(lambda: manager.issue_access_token(token), calls)
    fresh = iter([manager.issue_access_token(token).access_token for _ in range(calls * 5)])
    first_sight = per_call_us(lambda: manager.verify_access_token(next(fresh)), calls)
    verify = per_call_us(lambda: manager.verify_access_token(access), calls)
    forged_figure = per_call_us(refuse, calls)
    return {
        "validate_us": validate.as_dict(),
        "issue_us": issue.as_dict(),
        "verify_first_sight_us": first_sight.as_dict(),
        "verify_us": verify.as_dict(),
        "refuse_forged_us": forged_figure.as_dict(),
        "issue_over_validate": issue.median / validate.median,
        "verify_over_validate": verify.median / validate.median,
        "token_bytes": len(access),
    }
