"""`Settings`: the only reader of the environment. Every variable `template.yaml` sets,
its default, and how its text becomes a value are declared once, on the field; every
entry point (API, erase, authorizer, events, cleanup, the demo) and `sessions serve`
build what they need from one `Settings`.

Kept free of HTTP frameworks, pydantic and boto3: the authorizer imports it on its
cold path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast, get_args
from urllib.parse import urlsplit

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
from sessions_core.errors import KeyConfigurationError, SessionError
from sessions_core.key_files import SIGNING_KEYS_FILE, local_key_path
from sessions_core.keys import KeyRing, local_key_ring
from sessions_core.revocation_feed import DEFAULT_MAX_STALENESS, DEFAULT_POLL

DEFAULT_AUDIENCES = ("api",)
DEFAULT_CLIENT_ID = "sessions"

SECRET_KEY_ENV = "SESSIONS_SECRET_KEY"  # noqa: S105 - a variable name, not a secret
PREVIOUS_KEYS_ENV = "SESSIONS_PREVIOUS_SECRET_KEYS"
KEY_FILE_ENV = "SESSIONS_KEY_FILE"
DEFAULT_REGION = "us-east-1"


class SettingsError(SessionError, code="misconfigured"):
    """The configuration is not valid.

    A variable holds something that is not what it names (the message says which,
    and what it should be).
    """


# -- how a variable's text becomes a value ----------------------------------------------


def _text(raw: str) -> str:
    return raw


def _flag(raw: str) -> bool:
    if raw.lower() not in {"true", "false"}:
        raise ValueError("true or false")
    return raw.lower() == "true"


def _whole(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("a whole number, 0 or more")
    return value


def _seconds(raw: str) -> timedelta:
    return timedelta(seconds=_whole(raw))


def _positive_seconds(raw: str) -> timedelta:
    seconds = _whole(raw)
    if not seconds:
        raise ValueError("1 second or more")
    return timedelta(seconds=seconds)


def _seconds_or_none(raw: str) -> timedelta | None:
    """Seconds, where 0 means none (the feature off)."""
    seconds = _whole(raw)
    return timedelta(seconds=seconds) if seconds else None


def _days(raw: str) -> timedelta:
    days = _whole(raw)
    if not days:
        raise ValueError("1 day or more")
    return timedelta(days=days)


def _count_or_none(raw: str) -> int | None:
    return _whole(raw) or None


def _origins(raw: str) -> frozenset[str]:
    return frozenset(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(" or ".join(allowed))
        return raw

    return parse


def _issuer(raw: str) -> str:
    """An issuer URL: absolute, http(s), no query or fragment; a trailing slash is
    dropped (``iss`` is compared byte for byte)."""
    parts = urlsplit(raw)
    if parts.scheme not in {"https", "http"} or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("an https:// URL with no query or fragment, e.g. https://auth.example.com")
    return raw.rstrip("/")


def _names(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    if not names:
        raise ValueError("one name or more, comma-separated")
    return names


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


def _policy(raw: str) -> LimitPolicy:
    return cast(LimitPolicy, _choice(*get_args(LimitPolicy))(raw))


def _var(name: str, default: Any, parse: Callable[[str], Any] = _text) -> Any:
    """A field read from the variable ``name``: unset or blank means ``default``."""
    return field(default=default, metadata={"env": name, "parse": parse})


# -- the settings -----------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What the functions and `sessions serve` are told by their environment. Each
    field names its variable; see docs/configuration.md for what each one does."""

    table: str = _var("SESSIONS_TABLE", "sessions")
    # Several apps can share a table under different prefixes (set here only).
    prefix: str = _var("SESSIONS_PREFIX", DEFAULT_PREFIX)
    region: str = _var("AWS_REGION", DEFAULT_REGION)
    dynamodb_endpoint: str | None = _var("AWS_ENDPOINT_URL_DYNAMODB", None)
    events_endpoint: str | None = _var("AWS_ENDPOINT_URL_EVENTS", None)
    allowed_origins: frozenset[str] = _var("ALLOWED_ORIGINS", frozenset(), _origins)
    bind_to_user_agent: bool = _var("SESSIONS_BIND_USER_AGENT", False, _flag)
    default_expires_in: timedelta = _var(
        "SESSIONS_DEFAULT_TTL_SECONDS", DEFAULT_EXPIRES_IN, _seconds
    )
    max_lifetime: timedelta | None = _var(
        "SESSIONS_MAX_LIFETIME_SECONDS", DEFAULT_MAX_LIFETIME, _seconds_or_none
    )
    refresh_grace: timedelta = _var(
        "SESSIONS_REFRESH_GRACE_SECONDS", DEFAULT_REFRESH_GRACE, _seconds
    )
    cookie_same_site: str = _var("SESSIONS_COOKIE_SAMESITE", "Lax", _choice("Lax", "Strict"))
    read_only: bool = _var("SESSIONS_READ_ONLY", False, _flag)
    expiry_shards: int = _var("SESSIONS_EXPIRY_SHARDS", DEFAULT_EXPIRY_SHARDS, _whole)
    max_sessions_per_user: int | None = _var("SESSIONS_MAX_PER_USER", None, _count_or_none)
    on_session_limit: LimitPolicy = _var("SESSIONS_ON_LIMIT", "evict_oldest", _policy)
    activity_resolution: timedelta | None = _var(
        "SESSIONS_ACTIVITY_RESOLUTION_SECONDS", DEFAULT_ACTIVITY_RESOLUTION, _seconds_or_none
    )
    activity_retention: timedelta = _var(
        "SESSIONS_ACTIVITY_RETENTION_DAYS", DEFAULT_ACTIVITY_RETENTION, _days
    )
    reauthentication_max_age: timedelta | None = _var(
        "SESSIONS_REAUTH_MAX_AGE_SECONDS", DEFAULT_REAUTHENTICATION_MAX_AGE, _seconds_or_none
    )
    trust_cloudfront: bool = _var("SESSIONS_TRUST_CLOUDFRONT", False, _flag)
    event_bus: str = _var("SESSIONS_EVENT_BUS", "default")
    cleanup_max_deletes: int | None = _var("CLEANUP_MAX_DELETES", None, _count_or_none)
    # Access tokens: None means the API's own URL (learned from its events in Lambda,
    # `sessions serve`'s address locally).
    token_issuer: str | None = _var("SESSIONS_TOKEN_ISSUER", None, _issuer)
    token_audiences: tuple[str, ...] = _var("SESSIONS_TOKEN_AUDIENCES", DEFAULT_AUDIENCES, _names)
    token_client_id: str = _var("SESSIONS_TOKEN_CLIENT_ID", DEFAULT_CLIENT_ID)
    # Local runs: the signing key file (None: beside the deployment key file).
    signing_keys_file: Path | None = _var("SESSIONS_SIGNING_KEYS_FILE", None, _path)
    key_file: Path | None = _var(KEY_FILE_ENV, None, _path)
    # Deployed: the key the key set starts with, a KMS key (the template's) or, with
    # SigningKeyStore=secretsmanager, the secret that holds the private JWK Set.
    signing_key_id: str | None = _var("SESSIONS_SIGNING_KEY_ID", None)
    signing_key_secret: str | None = _var("SESSIONS_SIGNING_KEY_SECRET", None)
    url_suffix: str = _var("SESSIONS_URL_SUFFIX", "amazonaws.com")
    # The authorizer: the one audience it accepts (None: the first of the token
    # audiences), and how fresh its view of the revocation feed must be.
    authorizer_audience: str | None = _var("SESSIONS_AUTHORIZER_AUDIENCE", None)
    revocation_poll: timedelta = _var(
        "SESSIONS_REVOCATION_POLL_SECONDS", DEFAULT_POLL, _positive_seconds
    )
    revocation_max_staleness: timedelta = _var(
        "SESSIONS_REVOCATION_MAX_STALENESS_SECONDS", DEFAULT_MAX_STALENESS, _positive_seconds
    )
    # Set by Lambda itself: where the key set and the keys are (the table and KMS, or
    # this machine's files).
    lambda_function: str | None = _var("AWS_LAMBDA_FUNCTION_NAME", None)
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
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):
            name = spec.metadata.get("env")
            raw = env.get(name, "").strip() if name else ""
            if name == "AWS_REGION" and not raw:
                raw = env.get("AWS_DEFAULT_REGION", "").strip()
            if raw:
                try:
                    values[spec.name] = spec.metadata["parse"](raw)
                except ValueError as error:
                    raise SettingsError(f"{name} must be {error or 'valid'}") from error
        return cls(**values, keys=keys or key_ring(env))

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


def key_ring(env: Mapping[str, str]) -> KeyRing:
    """The per-deployment key: ``SESSIONS_SECRET_KEY`` (and the previous keys of a
    rotation); outside Lambda without it, the local key file (``SESSIONS_KEY_FILE``,
    else ``~/.config/serverless-sessions/secret-key``, created on first use).

    Raises:
        KeyConfigurationError: the key is set but blank or under 32 bytes, or a Lambda
            has none (deploy template.yaml, which generates it): nothing is derived
            from anything a reader of the table could know.
    """
    text = env.get(SECRET_KEY_ENV)
    if text is not None:
        return KeyRing.from_text(text, env.get(PREVIOUS_KEYS_ENV, ""))
    if env.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise KeyConfigurationError(
            f"{SECRET_KEY_ENV} is not set: deploy template.yaml, which generates the key "
            "in Secrets Manager and passes it to every function"
        )
    configured = env.get(KEY_FILE_ENV, "").strip()
    return local_key_ring(_path(configured) if configured else None)
