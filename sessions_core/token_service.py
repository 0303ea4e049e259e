"""`AccessTokens`: what a manager (issuing) and the authorizer (verifying) are given
to work with access tokens: the policy, the key set (cached), and the signers.

The key set is read from its source (the local key file, or the table's key-set item)
at most every 5 minutes, so a retired or compromised key stops being trusted without a
cold start; a token whose ``kid`` is unknown reads it again at most once a minute, so
random kids cannot turn into one read each.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sessions_core.access_tokens import (
    AccessToken,
    AccessTokenClaims,
    AccessTokenPolicy,
    claims_for,
    expires_at,
)
from sessions_core.errors import (
    InvalidAccessTokenError,
    KeyConfigurationError,
    RateLimitedError,
    SessionError,
    StoreUnavailableError,
)
from sessions_core.signing_keys import ALGORITHM, KEY_SET_REFRESH, KeyEntry, KeySet, Signer

if TYPE_CHECKING:
    from sessions_core.models import Session
    from sessions_core.token_verify import Verifier

logger = logging.getLogger("sessions_core")

REFRESH_EVERY = KEY_SET_REFRESH
UNKNOWN_KID_EVERY = timedelta(minutes=1)
# While the source fails, the last set read still serves this long past its refresh
# (the revocation feed's own staleness bound), and reads back off up to `MAX_BACKOFF`:
# an outage must neither deny every token at once nor make every request a read.
STALE_SET_SERVES = timedelta(seconds=30)
# Each signature is a KMS Sign, whose quota the account shares: one session gets this
# many a minute in one container (a client renews about every 4 minutes), then 429.
MINTS_PER_MINUTE = 20
MINT_WINDOW = timedelta(minutes=1)
MINTS_KEPT = 10_000
FIRST_BACKOFF = timedelta(seconds=1)
MAX_BACKOFF = timedelta(seconds=30)


class KeySource(Protocol):
    """Where a key set is kept, and how its private keys are reached."""

    def load(self, now: datetime) -> KeySet:
        """The key set as it is now.

        Raises:
            StoreUnavailableError, KeyConfigurationError: it cannot be read.
        """

    def signer(self, entry: KeyEntry) -> Signer:
        """The signer of ``entry``'s private key.

        Raises:
            KeyConfigurationError: this process cannot sign with it.
        """


class CachedKeys:
    """A key source's set, read at most every ``refresh_every`` (and, for an unknown
    kid, at most every ``unknown_every``); signers kept per kid."""

    def __init__(
        self,
        source: KeySource,
        clock: Callable[[], datetime],
        *,
        refresh_every: timedelta = REFRESH_EVERY,
        unknown_every: timedelta = UNKNOWN_KID_EVERY,
    ) -> None:
        self.source = source
        self.clock = clock
        self._refresh_every = refresh_every
        self._unknown_every = unknown_every
        self._lock = threading.Lock()
        self._set: KeySet | None = None
        self._read_at: datetime | None = None
        self._signers: dict[str, Signer] = {}
        self._retry_at: datetime | None = None
        self._failures = 0
        self.reads = 0

    def key_set(self) -> KeySet:
        """The set, read again when the last read is older than ``refresh_every``."""
        now = self.clock()
        with self._lock:
            if (
                self._set is None
                or self._read_at is None
                or now - self._read_at >= self._refresh_every
            ):
                self._read(now)
            assert self._set is not None  # noqa: S101 - _read sets it
            return self._set

    def key_for(self, kid: str) -> KeyEntry | None:
        """The published key ``kid``; an unknown one reads the set again if the last
        read is older than ``unknown_every``."""
        key_set = self.key_set()
        now = self.clock()
        found = key_set.find(kid, now)
        if found is not None:
            return found
        with self._lock:
            if self._read_at is not None and now - self._read_at >= self._unknown_every:
                self._read(now)
            assert self._set is not None  # noqa: S101 - key_set() read it
            return self._set.find(kid, now)

    def signer(self, entry: KeyEntry) -> Signer:
        """The signer of ``entry`` (asked of the source once per kid)."""
        with self._lock:
            found = self._signers.get(entry.kid)
            if found is None:
                found = self._signers[entry.kid] = self.source.signer(entry)
            return found

    def _read(self, now: datetime) -> None:
        """Read the set again; on a failure keep serving the last one while it is
        within `STALE_SET_SERVES` of its refresh, and wait longer before each retry.

        Raises:
            SessionError: the source failed and no set read recently enough is left.
        """
        usable = (
            self._set is not None
            and self._read_at is not None
            and now - self._read_at < self._refresh_every + STALE_SET_SERVES
        )
        if self._retry_at is not None and now < self._retry_at:
            if usable:
                return
            raise StoreUnavailableError("the signing key set cannot be read now")
        try:
            self._set = self.source.load(now)
        except SessionError as error:
            self._failures += 1
            self._retry_at = now + min(FIRST_BACKOFF * 2 ** (self._failures - 1), MAX_BACKOFF)
            logger.error(
                "signing key set unreadable (%s); retrying after %s", error.code, self._retry_at
            )
            if usable:
                return
            raise
        self._read_at = now
        self._retry_at, self._failures = None, 0
        self.reads += 1


JWKS_PATH = "/.well-known/jwks.json"
DISCOVERY_PATH = "/.well-known/openid-configuration"


class AccessTokens:
    """Issuing and verifying access tokens under ``policy`` with ``keys``.

    An empty ``policy.issuer`` means "the issuer the key set records" (a deployment
    whose API learns its own URL: see `key_services.deployed`).
    """

    def __init__(self, policy: AccessTokenPolicy, keys: CachedKeys) -> None:
        self.policy = policy
        self.keys = keys
        self._verifier: Verifier | None = None
        self._lock = threading.Lock()
        self._mints: dict[str, tuple[datetime, int]] = {}

    def current_policy(self) -> AccessTokenPolicy:
        """The policy with its issuer known.

        Raises:
            KeyConfigurationError: no issuer is configured and the key set records none.
            StoreUnavailableError: the key set cannot be read.
        """
        if self.policy.issuer:
            return self.policy
        issuer = self.keys.key_set().issuer
        if not issuer:
            raise KeyConfigurationError("the token issuer is not known: set SESSIONS_TOKEN_ISSUER")
        return replace(self.policy, issuer=issuer)

    def issue(
        self,
        session: Session,
        *,
        issued_at: datetime,
        audience: str | None,
        lifetime: timedelta | None,
    ) -> AccessToken:
        """A token for a session that validated at ``issued_at``.

        Raises:
            InvalidArgumentError: an audience or a lifetime that is not allowed.
            SessionExpiredError: less than a second of the session is left.
            KeyConfigurationError: no key signs now, or the issuer is not known.
            SigningUnavailableError: the key service did not sign.
            RateLimitedError: the session asked for too many this minute.
        """
        policy = self.current_policy()
        chosen, span = policy.audience(audience), policy.lifetime(lifetime)
        entry = self.keys.key_set().signing(issued_at)
        if entry is None:
            raise KeyConfigurationError("no signing key is in use now (see `sessions keys list`)")
        claims = claims_for(session, policy, audience=chosen, issued_at=issued_at, lifetime=span)
        self._admit_mint(session.id, issued_at)  # counted only when it will be signed
        from sessions_core.jws_encode import encode  # noqa: PLC0415 - PyJWT, on first use

        signed = encode(claims, entry, self.keys.signer(entry))
        return AccessToken(signed, expires_at(claims), session.id)

    def _admit_mint(self, session_id: str, now: datetime) -> None:
        """Count one signature for the session in this minute's window.

        Raises:
            RateLimitedError: the session has used its `MINTS_PER_MINUTE` here.
        """
        with self._lock:
            started, count = self._mints.get(session_id, (now, 0))
            if now - started >= MINT_WINDOW:
                started, count = now, 0
            if count >= MINTS_PER_MINUTE:
                left = MINT_WINDOW - (now - started)
                raise RateLimitedError(max(1, math.ceil(left.total_seconds())))
            if len(self._mints) >= MINTS_KEPT and session_id not in self._mints:
                self._mints.pop(next(iter(self._mints)))
            self._mints[session_id] = (started, count + 1)

    def verify(self, token: object, *, audience: str | None = None) -> AccessTokenClaims:
        """The claims of a valid token (`token_verify.Verifier.verify`).

        Raises:
            InvalidAccessTokenError: the token is not valid, or the key set or the
                issuer cannot be known now (fail closed).
        """
        return self.verify_signed(token, audience=audience)[0]

    def verify_signed(
        self, token: object, *, audience: str | None = None
    ) -> tuple[AccessTokenClaims, str]:
        """The claims of a valid token and the kid of the key that signed it.

        Raises:
            InvalidAccessTokenError: as `verify`.
        """
        try:
            policy = self.current_policy()
        except SessionError as error:
            raise InvalidAccessTokenError("the key set cannot be read now") from error
        if self._verifier is None or self._verifier.policy != policy:
            from sessions_core.token_verify import Verifier  # noqa: PLC0415 - PyJWT, on first use

            self._verifier = Verifier(policy, self.keys.key_for, self.keys.clock)
        return self._verifier.verify_signed(token, audience=audience)

    def jwks(self) -> dict[str, Any]:
        """The JWK Set of the published public keys (what ``/.well-known/jwks.json``
        serves, from memory)."""
        return self.keys.key_set().jwks(self.keys.clock())

    def discovery(self) -> dict[str, Any]:
        """The OpenID discovery document: exactly the five fields verifiers read (there
        is no authorization endpoint).

        Raises:
            KeyConfigurationError: the issuer is not known.
        """
        issuer = self.current_policy().issuer
        return {
            "issuer": issuer,
            "jwks_uri": issuer + JWKS_PATH,
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
        }
