"""`Settings`: the only reader of the environment. Every variable `template.yaml` sets,
its default, and how its text becomes a value are declared once, on the field; every
entry point (API, erase, authorizer, events, cleanup, the demo) and `sessions serve`
build what they need from one `Settings`.

Kept free of HTTP frameworks, pydantic and boto3: the authorizer imports it on its
cold path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from handlers import setting_values as values
from handlers.setting_values import KEY_FILE_ENV, SettingsError, key_ring, var
from sessions_core.config import (
    DEFAULT_ACTIVITY_RESOLUTION,
    DEFAULT_ACTIVITY_RETENTION,
    DEFAULT_EXPIRES_IN,
    DEFAULT_EXPIRY_SHARDS,
    DEFAULT_MAX_LIFETIME,
    DEFAULT_PREFIX,
    DEFAULT_REAUTHENTICATION_MAX_AGE,
    DEFAULT_REFRESH_GRACE,
    LimitPolicy,
)
from sessions_core.dynamodb.feed_table import feed_table_name
from sessions_core.key_files import SIGNING_KEYS_FILE, local_key_path
from sessions_core.keys import KeyRing, local_key_ring
from sessions_core.revocation_feed import DEFAULT_MAX_STALENESS, DEFAULT_POLL

DEFAULT_AUDIENCES = ("api",)
DEFAULT_CLIENT_ID = "sessions"

DEFAULT_REGION = "us-east-1"

__all__ = ["Settings", "SettingsError"]


# -- the settings -----------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What the functions and `sessions serve` are told by their environment. Each
    field names its variable; see docs/configuration.md for what each one does."""

    table: str = var("SESSIONS_TABLE", "sessions", help="the sessions table")
    feed_table: str | None = var(
        "SESSIONS_FEED_TABLE",
        None,
        help="the revocation feed's table (empty: the sessions table's name + -feed)",
    )
    feed_replicas: int = var(
        "SESSIONS_FEED_REPLICAS",
        1,
        values.positive_whole,
        help="copies of the packed feed the compactor writes (each authorizer reads one)",
    )
    feed_reads: str = var(
        "SESSIONS_FEED_READS",
        "entries",
        values.choice("entries", "packed"),
        help="what a warm authorizer reads: new entries, or only packed seconds (fleets)",
    )
    # Several apps can share a table under different prefixes (set here only).
    prefix: str = var(
        "SESSIONS_PREFIX",
        DEFAULT_PREFIX,
        help="the namespace of every key (several apps can share a table)",
    )
    region: str = var("AWS_REGION", DEFAULT_REGION, help="the region (AWS_DEFAULT_REGION too)")
    dynamodb_endpoint: str | None = var(
        "AWS_ENDPOINT_URL_DYNAMODB", None, help="a DynamoDB endpoint other than AWS's (a local one)"
    )
    events_endpoint: str | None = var(
        "AWS_ENDPOINT_URL_EVENTS", None, help="an EventBridge endpoint other than AWS's"
    )
    allowed_origins: frozenset[str] = var(
        "ALLOWED_ORIGINS",
        frozenset(),
        values.origins,
        help="comma-separated origins whose cookie requests may change state",
    )
    bind_to_user_agent: bool = var(
        "SESSIONS_BIND_USER_AGENT",
        False,
        values.flag,
        help="refuse a token presented with another user agent",
    )
    default_expires_in: timedelta = var(
        "SESSIONS_DEFAULT_TTL_SECONDS",
        DEFAULT_EXPIRES_IN,
        values.seconds,
        help="a session's lifetime when its create names none",
    )
    max_lifetime: timedelta | None = var(
        "SESSIONS_MAX_LIFETIME_SECONDS",
        DEFAULT_MAX_LIFETIME,
        values.seconds_or_none,
        help="absolute timeout after creation, whatever sliding and refresh do (0: none)",
    )
    refresh_grace: timedelta = var(
        "SESSIONS_REFRESH_GRACE_SECONDS",
        DEFAULT_REFRESH_GRACE,
        values.seconds,
        help="how long a rotated-out token still works",
    )
    cookie_same_site: str = var(
        "SESSIONS_COOKIE_SAMESITE",
        "Lax",
        values.choice("Lax", "Strict"),
        help="the session cookie's SameSite (Lax or Strict)",
    )
    read_only: bool = var(
        "SESSIONS_READ_ONLY",
        False,
        values.flag,
        help="validate without writing (a read replica, an incident)",
    )
    expiry_shards: int = var(
        "SESSIONS_EXPIRY_SHARDS",
        DEFAULT_EXPIRY_SHARDS,
        values.whole,
        help="partitions of the expiry index (raise only)",
    )
    max_sessions_per_user: int | None = var(
        "SESSIONS_MAX_PER_USER", None, values.count_or_none, help="sessions per user (0: no limit)"
    )
    on_session_limit: LimitPolicy = var(
        "SESSIONS_ON_LIMIT",
        "evict_oldest",
        values.policy,
        help="at the limit: evict_oldest or deny",
    )
    activity_resolution: timedelta | None = var(
        "SESSIONS_ACTIVITY_RESOLUTION_SECONDS",
        DEFAULT_ACTIVITY_RESOLUTION,
        values.seconds_or_none,
        help="how often a session's last activity is written (0: never)",
    )
    activity_retention: timedelta = var(
        "SESSIONS_ACTIVITY_RETENTION_DAYS",
        DEFAULT_ACTIVITY_RETENTION,
        values.days,
        help="how long the security log keeps events",
    )
    reauthentication_max_age: timedelta | None = var(
        "SESSIONS_REAUTH_MAX_AGE_SECONDS",
        DEFAULT_REAUTHENTICATION_MAX_AGE,
        values.seconds_or_none,
        help="how recent a sign-in sensitive actions need (0: off)",
    )
    trust_cloudfront: bool = var(
        "SESSIONS_TRUST_CLOUDFRONT",
        False,
        values.flag,
        help="read CloudFront-Viewer-Country as the client's country",
    )
    event_bus: str = var(
        "SESSIONS_EVENT_BUS", "default", help="the EventBridge bus of the session events"
    )
    cleanup_max_deletes: int | None = var(
        "CLEANUP_MAX_DELETES",
        None,
        values.count_or_none,
        help="most items one cleanup run deletes (0: all)",
    )
    # Access tokens: None means the API's own URL (learned from its events in Lambda,
    # `sessions serve`'s address locally).
    token_issuer: str | None = var(
        "SESSIONS_TOKEN_ISSUER",
        None,
        values.issuer,
        help="the access tokens' iss (empty: the API's own URL)",
    )
    token_audiences: tuple[str, ...] = var(
        "SESSIONS_TOKEN_AUDIENCES",
        DEFAULT_AUDIENCES,
        values.names,
        help="comma-separated audiences tokens may be issued for; the first is the default",
    )
    token_client_id: str = var(
        "SESSIONS_TOKEN_CLIENT_ID", DEFAULT_CLIENT_ID, help="the access tokens' client_id"
    )
    # Local runs: the signing key file (None: beside the deployment key file).
    signing_keys_file: Path | None = var(
        "SESSIONS_SIGNING_KEYS_FILE",
        None,
        values.path,
        help="the local signing key set (default: beside the deployment key file)",
    )
    key_file: Path | None = var(
        KEY_FILE_ENV,
        None,
        values.path,
        help="the local deployment key file (default ~/.config/serverless-sessions/secret-key)",
    )
    # Deployed: the key the key set starts with, a KMS key (the template's) or, with
    # SigningKeyStore=secretsmanager, the secret that holds the private JWK Set.
    signing_key_id: str | None = var(
        "SESSIONS_SIGNING_KEY_ID",
        None,
        help="deployed: the KMS key the signing key set starts with",
    )
    signing_key_secret: str | None = var(
        "SESSIONS_SIGNING_KEY_SECRET",
        None,
        help="deployed: the secret holding the signing keys (SigningKeyStore=secretsmanager)",
    )
    url_suffix: str = var(
        "SESSIONS_URL_SUFFIX",
        "amazonaws.com",
        help="the domain suffix of the API's own URL (the default issuer)",
    )
    # The authorizer: the one audience it accepts (None: the first of the token
    # audiences), and how fresh its view of the revocation feed must be.
    authorizer_audience: str | None = var(
        "SESSIONS_AUTHORIZER_AUDIENCE",
        None,
        help="the one audience the authorizer accepts (empty: the first token audience)",
    )
    revocation_poll: timedelta = var(
        "SESSIONS_REVOCATION_POLL_SECONDS",
        DEFAULT_POLL,
        values.positive_seconds,
        help="the authorizer reads the revocation feed again after this long",
    )
    revocation_max_staleness: timedelta = var(
        "SESSIONS_REVOCATION_MAX_STALENESS_SECONDS",
        DEFAULT_MAX_STALENESS,
        values.positive_seconds,
        help="past this, a feed it cannot read denies access tokens",
    )
    # Set by Lambda itself: where the key set and the keys are (the table and KMS, or
    # this machine's files).
    lambda_function: str | None = var(
        "AWS_LAMBDA_FUNCTION_NAME",
        None,
        help="set by Lambda: deployed keys and key set, no local files",
    )
    # Credentials for a local endpoint that needs some but never real ones (serve's
    # embedded moto); None: botocore's own chain.
    local_credentials: tuple[str, str] | None = None
    keys: KeyRing = field(default_factory=local_key_ring, repr=False)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, keys: KeyRing | None = None
    ) -> Settings:
        """Read every field from ``env`` (the process's environment by default); the
        deployment key too, unless ``keys`` is given (the operator CLI reads it from
        Secrets Manager).

        Raises:
            SettingsError: a variable holds something that is not what it names.
            KeyConfigurationError: the deployment key is missing, blank or short.
        """
        if env is None:
            import os  # noqa: PLC0415 - the one place the environment is read

            env = dict(os.environ)
        return cls(**values.parsed(dataclasses.fields(cls), env), keys=keys or key_ring(env))

    @property
    def feed_table_name(self) -> str:
        """The revocation feed's table: ``SESSIONS_FEED_TABLE``, else the sessions
        table's name with ``-feed`` (as template.yaml names it)."""
        return self.feed_table or feed_table_name(self.table)

    @property
    def in_lambda(self) -> bool:
        """True inside a deployed function."""
        return self.lambda_function is not None

    @property
    def local_signing_keys_file(self) -> Path:
        """The local signing key set: ``SESSIONS_SIGNING_KEYS_FILE``, else beside the
        deployment key file."""
        if self.signing_keys_file is not None:
            return self.signing_keys_file
        if self.key_file is not None:
            return self.key_file.with_name(SIGNING_KEYS_FILE)
        return local_key_path(SIGNING_KEYS_FILE)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (what `sessions serve` decides for itself)."""
        return dataclasses.replace(self, **changes)
