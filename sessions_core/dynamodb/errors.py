"""The one place where DynamoDB and botocore errors become `SessionError`s.

Decisions are made on error codes and exception classes, never on message text.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
)

from sessions_core.errors import (
    SessionError,
    StoreConfigurationError,
    StoreUnavailableError,
)

__all__ = ["ConditionFailedError", "TableExistsError", "translate"]

# Transient: the request may succeed later. botocore has already retried these.
UNAVAILABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "LimitExceededException",
        "TransactionInProgressException",
        "ReplicatedWriteConflictException",
    }
)

CONFIGURATION_CODES = frozenset(
    {
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "MissingAuthenticationTokenException",
        "ExpiredTokenException",
        "IncompleteSignature",
    }
)


class ConditionFailedError(SessionError, code="condition_failed"):
    """The item changed before the write (internal: a conditional write's guard failed).

    ``item`` is the item as it stood (``ReturnValuesOnConditionCheckFailure=ALL_OLD``),
    or None when the server did not return it.
    """

    def __init__(self, item: dict[str, Any] | None) -> None:
        super().__init__()
        self.item = item


class TableExistsError(StoreConfigurationError, code="table_exists"):
    """The table already exists (internal: what makes create_table idempotent)."""


def error_code(error: ClientError) -> str:
    """The ``Error.Code`` of a ClientError ('' when absent)."""
    return str(error.response.get("Error", {}).get("Code", ""))


def translate(error: Exception, table_name: str) -> SessionError:
    """Map a botocore/DynamoDB failure to the `SessionError` the caller should see."""
    if isinstance(error, ClientError):
        code = error_code(error)
        if code == "ConditionalCheckFailedException":
            item = error.response.get("Item")
            return ConditionFailedError(item if isinstance(item, dict) else None)
        if code == "ResourceNotFoundException":
            return StoreConfigurationError(
                f"DynamoDB table {table_name!r} does not exist (or an index is missing); "
                "create it with `sessions create-table` or deploy template.yaml"
            )
        if code == "ResourceInUseException":
            return TableExistsError(f"DynamoDB table {table_name!r} already exists")
        if code in UNAVAILABLE_CODES:
            return StoreUnavailableError(f"DynamoDB is unavailable ({code})")
        if code in CONFIGURATION_CODES:
            return StoreConfigurationError(f"DynamoDB refused the request ({code})")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if isinstance(status, int) and status >= 500:
            return StoreUnavailableError(f"DynamoDB failed ({code or status})")
        return SessionError(f"DynamoDB rejected the request ({code})", code="store_error")
    if isinstance(error, ParamValidationError):
        # Our request was malformed before it left: a bug, not an outage.
        return SessionError("invalid DynamoDB request (a bug)", code="store_error")
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return StoreConfigurationError(
            "no AWS credentials were found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (any values do for a table on this machine)"
        )
    if isinstance(error, NoRegionError):
        return StoreConfigurationError("no AWS region is set: set AWS_REGION (e.g. eu-west-1)")
    if isinstance(error, ConnectionError | HTTPClientError | BotoCoreError):
        return StoreUnavailableError(f"DynamoDB could not be reached ({type(error).__name__})")
    return SessionError(f"unexpected store failure ({type(error).__name__})", code="store_error")
