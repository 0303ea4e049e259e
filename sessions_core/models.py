"""Pydantic models: the session record, its public view, and a validation result.

All datetimes are timezone-aware UTC (naive ones are refused); JSON uses camelCase and
ISO 8601. Secrets (the token and token hashes) stay out of ``repr`` and out of JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware (UTC)")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_aware_utc)]

ValidationError = Literal[
    "invalid_token", "session_expired", "session_revoked", "user_agent_mismatch"
]

# Why a session was revoked: recorded once, never overwritten by a later revocation.
RevokedReason = Literal[
    "logout", "revoked", "revoke_others", "revoke_all", "reuse_detected", "session_limit"
]

# defer_build: the schema is built on first validation, not at import. The hot paths
# (a store read, a validation answer) use model_construct on trusted values and never
# build it, which keeps pydantic's schema work out of the authorizer's cold start.
MODEL_CONFIG = ConfigDict(
    frozen=True,
    populate_by_name=True,
    alias_generator=to_camel,
    ser_json_timedelta="float",
    defer_build=True,
)


DeviceType = Literal["desktop", "mobile", "tablet", "bot", "unknown"]


class Device(BaseModel):
    """What a session's user agent says about the device, as people read it.

    ``label`` is the short name a device list shows ("Chrome on macOS").
    """

    model_config = MODEL_CONFIG

    browser: str | None = None
    os: str | None = None
    type: DeviceType = "unknown"
    label: str


class SessionView(BaseModel):
    """What a client may see of a session, declared once: `PublicSession` is exactly
    this (and whether it is the caller's own), `Session` this and what the service
    keeps besides. ``ip_address`` and ``country`` are where it was last seen;
    ``last_active_at`` when (to `activity_resolution`)."""

    model_config = MODEL_CONFIG

    id: str
    user_id: str
    created_at: UtcDatetime
    expires_at: UtcDatetime
    metadata: dict[str, Any] | None = None
    last_active_at: UtcDatetime | None = None
    sliding_expiration: bool = False
    revoked_at: UtcDatetime | None = None
    revoked_reason: RevokedReason | None = None
    device: Device | None = None
    ip_address: str | None = None
    country: str | None = None
    absolute_expires_at: UtcDatetime | None = None
    authenticated_at: UtcDatetime | None = None
    aal: int = 1


class Session(SessionView):
    """One session: the stored record plus, right after create or refresh, its token.

    ``token`` is only set on the object that `create`/`refresh` return; stores never
    hold it. ``lifetime`` is the session's own window (its ``expires_in``): refresh and
    sliding move the expiry to ``now + lifetime``, never past ``absolute_expires_at``
    (``created_at`` + the session's max lifetime).
    """

    token: str | None = Field(default=None, repr=False, exclude=True)
    token_hash: str | None = Field(default=None, repr=False)
    bound_user_agent: str | None = None
    lifetime: timedelta = timedelta(hours=24)
    # Created under a per-user limit: valid only while admitted in its user's item.
    limited: bool = Field(default=False, exclude=True)
    # Which "sign out everywhere" caused the tombstone, when one did (its marker's id).
    revoked_by: str | None = Field(default=None, exclude=True)
    # Rotation state: how many times the session has been rotated (its current token's
    # generation; every token carries its own, stamped) and when it last was. A token
    # of an earlier generation is a replay, but for the immediate predecessor within
    # the grace window after ``rotated_at``.
    generation: int = Field(default=0, exclude=True)
    rotated_at: UtcDatetime | None = Field(default=None, exclude=True)
    # Digests of retired tokens issued before tokens carried their generation (at most
    # 16, newest first; never grows once the session's tokens are stamped).
    retired: tuple[str, ...] = Field(default=(), repr=False, exclude=True)

    def is_expired(self, now: datetime) -> bool:
        """True once ``now`` has reached ``expires_at``."""
        return now >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        """True when the session carries a revocation tombstone."""
        return self.revoked_at is not None

    def without_secrets(self) -> Session:
        """A copy without the token or any token hash (for listings)."""
        return self.model_copy(update=_NO_SECRETS)


_NO_SECRETS = {"token": None, "token_hash": None, "retired": ()}
_VIEW = tuple(SessionView.model_fields)


class PublicSession(SessionView):
    """What a client may see of a session: never a token or a hash. The one view of a
    session the HTTP API answers with, too.

    ``current`` is set only where a caller lists their own sessions (the one they are
    using is marked).
    """

    current: bool | None = Field(default=None, description="set where you list your own")

    @classmethod
    def of(cls, session: Session, *, current: bool | None = None) -> PublicSession:
        """The public view of ``session`` (built from trusted values: no validation)."""
        values = {name: getattr(session, name) for name in _VIEW}
        return cls.model_construct(**values, current=current)


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """The answer of a validation: ``valid`` with the session, or an ``error`` code.

    A plain frozen dataclass, not a pydantic model: it is built on every request and
    never parsed from input, so there is nothing for validation to do.
    """

    valid: bool
    session: Session | None = None
    error: ValidationError | None = None
