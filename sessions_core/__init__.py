"""Serverless sessions: the domain and its stores (no HTTP, no handlers).

A Python port of the ``SessionManager`` of ``@dotdo/sessions`` for AWS; see README.md.

Names are imported on first use, so ``import sessions_core.models`` (what the service
client needs) does not load the manager, the stores or botocore.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sessions_core.access_tokens import AccessToken, AccessTokenClaims
    from sessions_core.activity import ActivityEvent
    from sessions_core.config import SessionConfig
    from sessions_core.dynamodb import DynamoDBSessionStore
    from sessions_core.errors import (
        InvalidAccessTokenError,
        InvalidArgumentError,
        InvalidTokenError,
        SessionError,
        SessionExpiredError,
        SessionLimitError,
        SessionNotFoundError,
        SessionRevokedError,
        StoreConfigurationError,
        StoreUnavailableError,
        UserAgentMismatchError,
        UserErasedError,
    )
    from sessions_core.manager import SessionManager
    from sessions_core.memory_store import InMemorySessionStore
    from sessions_core.models import Device, PublicSession, Session, ValidationResult
    from sessions_core.original import (
        create_session,
        destroy_session,
        refresh_session,
        validate_session,
    )
    from sessions_core.signing_keys import SigningKeys
    from sessions_core.store import RevocationMarker, SessionStore
    from sessions_core.tokens import generate_secure_token, hash_token

_WHERE = {
    "AccessToken": "sessions_core.access_tokens",
    "AccessTokenClaims": "sessions_core.access_tokens",
    "ActivityEvent": "sessions_core.activity",
    "Device": "sessions_core.models",
    "DynamoDBSessionStore": "sessions_core.dynamodb",
    "InMemorySessionStore": "sessions_core.memory_store",
    "InvalidAccessTokenError": "sessions_core.errors",
    "InvalidArgumentError": "sessions_core.errors",
    "InvalidTokenError": "sessions_core.errors",
    "PublicSession": "sessions_core.models",
    "RevocationMarker": "sessions_core.store",
    "Session": "sessions_core.models",
    "SessionConfig": "sessions_core.config",
    "SessionError": "sessions_core.errors",
    "SessionExpiredError": "sessions_core.errors",
    "SessionLimitError": "sessions_core.errors",
    "SessionManager": "sessions_core.manager",
    "SessionNotFoundError": "sessions_core.errors",
    "SessionRevokedError": "sessions_core.errors",
    "SessionStore": "sessions_core.store",
    "SigningKeys": "sessions_core.signing_keys",
    "StoreConfigurationError": "sessions_core.errors",
    "StoreUnavailableError": "sessions_core.errors",
    "UserAgentMismatchError": "sessions_core.errors",
    "UserErasedError": "sessions_core.errors",
    "ValidationResult": "sessions_core.models",
    "create_session": "sessions_core.original",
    "destroy_session": "sessions_core.original",
    "generate_secure_token": "sessions_core.tokens",
    "hash_token": "sessions_core.tokens",
    "refresh_session": "sessions_core.original",
    "validate_session": "sessions_core.original",
}

__all__ = [
    "AccessToken",
    "AccessTokenClaims",
    "ActivityEvent",
    "Device",
    "DynamoDBSessionStore",
    "InMemorySessionStore",
    "InvalidAccessTokenError",
    "InvalidArgumentError",
    "InvalidTokenError",
    "PublicSession",
    "RevocationMarker",
    "Session",
    "SessionConfig",
    "SessionError",
    "SessionExpiredError",
    "SessionLimitError",
    "SessionManager",
    "SessionNotFoundError",
    "SessionRevokedError",
    "SessionStore",
    "SigningKeys",
    "StoreConfigurationError",
    "StoreUnavailableError",
    "UserAgentMismatchError",
    "UserErasedError",
    "ValidationResult",
    "create_session",
    "destroy_session",
    "generate_secure_token",
    "hash_token",
    "refresh_session",
    "validate_session",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sessions_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
