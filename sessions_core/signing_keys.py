"""The signing keys of access tokens: which key signs now, which are published, and the
JWK Set verifiers fetch.

A `KeySet` lists public keys only, each with its ``kid`` (the RFC 7638 SHA-256
thumbprint of ``{"e", "kty", "n"}``, base64url without padding), when it starts signing
and when it stops being published, and where its private key is (``source``: this
machine's key file, a KMS key, a Secrets Manager secret). The private keys never pass
through here: a `Signer` holds or reaches one.

Rotation without a failed verification: a new key is published at once but signs only
after a lead (verifiers that cache the key set, API Gateway's JWT authorizer for up to
two hours, see it first); the key it replaces stays published until its last token has
expired.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

# API Gateway's HTTP API JWT authorizer may cache a key set for two hours, from an API
# container whose own view may be `KEY_SET_REFRESH` old (JWKS' max-age, 300 s, bounds
# other caches the same way).
DEFAULT_LEAD = timedelta(seconds=7_500)
# The longest access token.
MAX_TOKEN_LIFETIME = timedelta(seconds=3_600)
VERIFY_LEEWAY = timedelta(seconds=5)
# How often an issuer or a verifier of ours reads the key set again: a container may
# keep signing with a key this long after the set says it stopped.
KEY_SET_REFRESH = timedelta(minutes=5)
# How long a key stays published after it stops signing: a stale container's last
# token, for the longest lifetime, plus the verifiers' leeway.
RETIRE_AFTER = KEY_SET_REFRESH + MAX_TOKEN_LIFETIME + VERIFY_LEEWAY
ALGORITHM = "RS256"
# Where a key's private half is (`KeyEntry.source`): this machine's key file, a KMS key
# (``kms:<key arn>``), a Secrets Manager secret (``secretsmanager:<secret arn>``).
FILE_SOURCE = "file"
KMS_SOURCE = "kms:"
SECRET_SOURCE = "secretsmanager:"  # noqa: S105 - a prefix, not a secret


class Signer(Protocol):
    """Something that signs a JWS signing input with one RSA key (RS256)."""

    def sign(self, message: bytes) -> bytes:
        """The RSASSA-PKCS1-v1_5 SHA-256 signature of ``message``."""


def thumbprint(public_jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 thumbprint of an RSA public JWK (SHA-256, base64url, no padding):
    the same from a local key and from KMS ``GetPublicKey``."""
    members = {name: public_jwk[name] for name in ("e", "kty", "n")}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    digest = hashlib.sha256(canonical).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class KeyEntry:
    """One key of the set.

    Attributes:
        kid: the key's thumbprint.
        public_jwk: ``{"kty": "RSA", "n", "e"}``.
        signs_from: when it starts signing (published before: the lead).
        retires_at: when it stops being published (None: not scheduled).
        source: where the private key is: ``file``, ``kms:<key arn>`` or
            ``secretsmanager:<secret arn>``.
    """

    kid: str
    public_jwk: Mapping[str, str]
    signs_from: datetime
    retires_at: datetime | None = None
    source: str = FILE_SOURCE

    def published(self, now: datetime) -> bool:
        """True while verifiers should find it."""
        return self.retires_at is None or now < self.retires_at

    def jwk(self) -> dict[str, str]:
        """The public JWK as JWKS serves it (``use`` and ``alg`` included: some
        clients, PyJWKClient among them, skip keys without them)."""
        return {**self.public_jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}


@dataclass(frozen=True)
class KeySet:
    """The keys, newest last, and the issuer they sign for (when the set records it:
    a deployment whose issuer is not configured learns it here)."""

    entries: tuple[KeyEntry, ...] = ()
    issuer: str | None = None
    version: str = ""

    def signing(self, now: datetime) -> KeyEntry | None:
        """The key that signs at ``now``: the newest one whose lead is over."""
        ready = [
            (position, e)
            for position, e in enumerate(self.entries)
            if e.signs_from <= now and e.published(now)
        ]
        # Ties go to the later entry: a rollback moves the previous key after the one
        # it stops, signing from the same moment.
        chosen = max(ready, key=lambda pair: (pair[1].signs_from, pair[0]), default=None)
        return chosen[1] if chosen else None

    def published(self, now: datetime) -> list[KeyEntry]:
        """The keys verifiers should know at ``now``."""
        return [e for e in self.entries if e.published(now)]

    def find(self, kid: str, now: datetime) -> KeyEntry | None:
        """The published key ``kid``, if any."""
        return next((e for e in self.published(now) if e.kid == kid), None)

    def jwks(self, now: datetime) -> dict[str, Any]:
        """The JWK Set of the published keys."""
        return {"keys": [entry.jwk() for entry in self.published(now)]}

    def rotated(self, new: KeyEntry, now: datetime) -> KeySet:
        """The set with ``new`` added (published at once, signing from
        ``new.signs_from``), the keys that sign until then retired once their last token
        has expired, and keys that will never sign (no longer published, or superseded
        before they started) dropped."""
        retire_at = new.signs_from + RETIRE_AFTER
        entries = tuple(
            replace(e, retires_at=retire_at) if e.retires_at is None else e
            for e in self.entries
            if e.published(now) and e.signs_from <= now
        )
        return replace(self, entries=(*entries, new))

    def withdrawn(self, kid: str, now: datetime) -> KeySet:
        """The set without ``kid``, at once: neither published nor trusted (a leaked
        key). Its tokens stop verifying where the set is read again; the feed's key
        entry denies them before that.

        Raises:
            ValueError: no such key, or it is the only one that can sign now (add one
                with ``rotate-signing --lead 0`` first).
        """
        if not any(e.kid == kid for e in self.entries):
            raise ValueError(f"the key set has no key {kid!r} (see: sessions keys list)")
        left = replace(self, entries=tuple(e for e in self.entries if e.kid != kid))
        if left.signing(now) is None:
            raise ValueError(
                f"{kid} is the only key that signs now: add one that signs at once "
                "(sessions keys rotate-signing --lead 0), then withdraw this one"
            )
        return left

    def rolled_back(self, now: datetime) -> KeySet:
        """The set as before its newest rotation: the key that signed before it signs
        again; the newest is removed if it has not signed yet, else it stops signing now
        and stays published until its last token has expired.

        Raises:
            ValueError: there is no rotation to roll back, or the key before it has
                retired (rotate to a new key instead).
        """
        if len(self.entries) < 2:
            raise ValueError("there is no rotation to roll back: the set has one key")
        *older, newest = self.entries
        signed = newest.signs_from <= now
        moment = newest.signs_from - timedelta(milliseconds=1) if signed else now
        previous = KeySet(tuple(older)).signing(moment)
        if previous is None or not previous.published(now):
            raise ValueError(
                "the key that signed before the newest one has retired: rotate to a new key instead"
            )
        others = tuple(e for e in older if e.kid != previous.kid)
        restored = replace(previous, retires_at=None)
        if not signed:
            return replace(self, entries=(*others, restored))
        retired = replace(newest, retires_at=now + RETIRE_AFTER)
        return replace(self, entries=(*others, retired, replace(restored, signs_from=now)))


# The name the public API gives the key set: the current key, the next one and the
# retired ones, each with its thumbprint as ``kid``.
SigningKeys = KeySet
