"""Serverless sessions: the domain and its stores (no HTTP, no handlers).

A Python port of the ``SessionManager`` of ``@dotdo/sessions`` for AWS; see README.md.
"""

from sessions_core.activity import ActivityEvent
from sessions_core.config import SessionConfig
from sessions_core.dynamodb import DynamoDBSessionStore
from sessions_core.errors import (
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
from sessions_core.store import RevocationMarker, SessionStore
from sessions_core.tokens import generate_secure_token, hash_token

__all__ = [
    "ActivityEvent",
    "Device",
    "DynamoDBSessionStore",
    "InMemorySessionStore",
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
    "StoreConfigurationError",
    "StoreUnavailableError",
    "UserAgentMismatchError",
    "ValidationResult",
    "create_session",
    "destroy_session",
    "generate_secure_token",
    "hash_token",
    "refresh_session",
    "validate_session",
]
