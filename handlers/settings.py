"""Configuration from the environment, named as `template.yaml` declares it.

Kept free of HTTP frameworks and of boto3: the authorizer imports it on the hot path.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import cast, get_args

from sessions_core.config import (
    DEFAULT_ACTIVITY_RESOLUTION,
    DEFAULT_MAX_LIFETIME,
    DEFAULT_REAUTHENTICATION_MAX_AGE,
    LimitPolicy,
)
from sessions_core.dynamodb.items import DEFAULT_EXPIRY_SHARDS
from sessions_core.errors import KeyConfigurationError
from sessions_core.keys import KeyRing, default_key_ring, local_key_ring

DEFAULT_TABLE = "sessions"
SECRET_KEY_ENV = "SESSIONS_SECRET_KEY"  # noqa: S105 - a variable name, not a secret
PREVIOUS_KEYS_ENV = "SESSIONS_PREVIOUS_SECRET_KEYS"
KEY_FILE_ENV = "SESSIONS_KEY_FILE"

logger = logging.getLogger("sessions.settings")


@dataclass(frozen=True)
class Settings:
    """What the handlers read from the environment.

    Attributes:
        table: ``SESSIONS_TABLE``.
        allowed_origins: ``ALLOWED_ORIGINS`` (comma-separated): origins whose
            cookie-authenticated requests may change state.
        bind_to_user_agent: ``SESSIONS_BIND_USER_AGENT`` ("true"/"false").
        default_expires_in: ``SESSIONS_DEFAULT_TTL_SECONDS`` (default 86400).
        max_lifetime: ``SESSIONS_MAX_LIFETIME_SECONDS`` (unset: 30 days; 0: none).
        refresh_grace: ``SESSIONS_REFRESH_GRACE_SECONDS`` (default 30).
        cookie_same_site: ``SESSIONS_COOKIE_SAMESITE`` ("Lax" or "Strict").
        read_only: ``SESSIONS_READ_ONLY`` ("true": validate never writes).
        keys: ``SESSIONS_SECRET_KEY`` (and ``SESSIONS_PREVIOUS_SECRET_KEYS`` during a
            rotation): the per-deployment key the template generates. Outside Lambda
            without it, the local key file; inside Lambda without it, see `key_ring`.
        expiry_shards: ``SESSIONS_EXPIRY_SHARDS`` (8): partitions of the expiry index;
            only ever raise it (cleanup reads the shards below the count).
        max_sessions_per_user: ``SESSIONS_MAX_PER_USER`` (unset or 0: no limit).
        on_session_limit: ``SESSIONS_ON_LIMIT`` (``evict_oldest`` or ``deny``).
        activity_resolution: ``SESSIONS_ACTIVITY_RESOLUTION_SECONDS`` (600; 0: never
            write activity).
        reauthentication_max_age: ``SESSIONS_REAUTH_MAX_AGE_SECONDS`` (900; 0: off):
            how recent a sign-in a sensitive client route asks for.
        trust_cloudfront: ``SESSIONS_TRUST_CLOUDFRONT`` ("true" only behind CloudFront):
            read ``CloudFront-Viewer-Country`` as the client's country.
    """

    table: str
    allowed_origins: frozenset[str]
    bind_to_user_agent: bool
    default_expires_in: timedelta
    max_lifetime: timedelta | None
    refresh_grace: timedelta
    cookie_same_site: str
    read_only: bool = False
    keys: KeyRing = field(default_factory=default_key_ring, repr=False)
    expiry_shards: int = DEFAULT_EXPIRY_SHARDS
    max_sessions_per_user: int | None = None
    on_session_limit: LimitPolicy = "evict_oldest"
    activity_resolution: timedelta | None = DEFAULT_ACTIVITY_RESOLUTION
    reauthentication_max_age: timedelta | None = DEFAULT_REAUTHENTICATION_MAX_AGE
    trust_cloudfront: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the settings.

        Raises:
            ValueError: a variable holds something that is not what it names.
        """
        env = dict(os.environ) if env is None else env
        max_lifetime_text = env.get("SESSIONS_MAX_LIFETIME_SECONDS", "").strip()
        max_lifetime = (
            int(max_lifetime_text)
            if max_lifetime_text
            else int(DEFAULT_MAX_LIFETIME.total_seconds())
        )
        table = env.get("SESSIONS_TABLE") or DEFAULT_TABLE
        same_site = env.get("SESSIONS_COOKIE_SAMESITE", "Lax")
        if same_site not in {"Lax", "Strict"}:
            raise ValueError("SESSIONS_COOKIE_SAMESITE must be Lax or Strict")
        return cls(
            table=table,
            allowed_origins=frozenset(
                o.strip().rstrip("/")
                for o in env.get("ALLOWED_ORIGINS", "").split(",")
                if o.strip()
            ),
            bind_to_user_agent=env.get("SESSIONS_BIND_USER_AGENT", "false").lower() == "true",
            default_expires_in=timedelta(
                seconds=int(env.get("SESSIONS_DEFAULT_TTL_SECONDS") or 86_400)
            ),
            max_lifetime=timedelta(seconds=max_lifetime) if max_lifetime > 0 else None,
            refresh_grace=timedelta(seconds=int(env.get("SESSIONS_REFRESH_GRACE_SECONDS") or 30)),
            cookie_same_site=same_site,
            read_only=env.get("SESSIONS_READ_ONLY", "false").lower() == "true",
            keys=key_ring(env),
            expiry_shards=int(env.get("SESSIONS_EXPIRY_SHARDS") or DEFAULT_EXPIRY_SHARDS),
            max_sessions_per_user=int(env.get("SESSIONS_MAX_PER_USER") or 0) or None,
            on_session_limit=_policy(env.get("SESSIONS_ON_LIMIT") or "evict_oldest"),
            activity_resolution=_seconds_or_none(
                env.get("SESSIONS_ACTIVITY_RESOLUTION_SECONDS"), DEFAULT_ACTIVITY_RESOLUTION
            ),
            reauthentication_max_age=_seconds_or_none(
                env.get("SESSIONS_REAUTH_MAX_AGE_SECONDS"), DEFAULT_REAUTHENTICATION_MAX_AGE
            ),
            trust_cloudfront=env.get("SESSIONS_TRUST_CLOUDFRONT", "false").lower() == "true",
        )


def _policy(text: str) -> LimitPolicy:
    if text not in get_args(LimitPolicy):
        raise ValueError("SESSIONS_ON_LIMIT must be evict_oldest or deny")
    return cast(LimitPolicy, text)


def _seconds_or_none(text: str | None, default: timedelta) -> timedelta | None:
    """Seconds from the environment: unset means ``default``, 0 means none."""
    if text is None or not text.strip():
        return default
    seconds = int(text)
    return timedelta(seconds=seconds) if seconds > 0 else None


def key_ring(env: dict[str, str]) -> KeyRing:
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
    configured = env.get(KEY_FILE_ENV)
    return local_key_ring(Path(configured) if configured else None)
