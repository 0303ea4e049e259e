"""The one place where failures of the key services (KMS, Secrets Manager) become
`SessionError`s, decided on error codes and exception classes, never on message text:
throttling and outages are `SigningUnavailableError` (a 503: try again), anything else
is a `KeyConfigurationError` (the deployment is wrong: no permission, a disabled key, a
missing secret). Codes an operation wants to handle itself are passed through."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from sessions_core.errors import KeyConfigurationError, SessionError, SigningUnavailableError

# Transient: KMS's request quota (shared per account and Region), or an outage.
UNAVAILABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "LimitExceededException",
        "KMSInternalException",
        "DependencyTimeoutException",
        "KeyUnavailableException",
        "ServiceUnavailableException",
        "InternalServiceError",
        "InternalFailure",
    }
)


def error_code(error: BaseException) -> str:
    """The AWS error code of a botocore ``ClientError`` (empty for anything else)."""
    return (
        str(error.response.get("Error", {}).get("Code", ""))
        if isinstance(error, ClientError)
        else ""
    )


def translate(error: ClientError | BotoCoreError, what: str) -> SessionError:
    """The `SessionError` of a key service's failure on ``what`` (a key or secret)."""
    code = error_code(error)
    if code in UNAVAILABLE_CODES or not isinstance(error, ClientError):
        return SigningUnavailableError(f"{what}: {code or type(error).__name__}")
    return KeyConfigurationError(f"{what} was refused: {code}")


@contextmanager
def translated(what: str, *, passing: frozenset[str] = frozenset()) -> Iterator[None]:
    """Run key service calls on ``what``; a failure becomes its `SessionError`, except
    the codes in ``passing``, which the caller handles."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        if error_code(error) in passing:
            raise
        raise translate(error, what) from error
