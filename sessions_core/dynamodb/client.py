"""Building the boto3 DynamoDB client the stores use, with explicit timeouts and retries.

The botocore bundled with some Lambda runtimes still defaults to "legacy" retries,
whose backoff can exceed what API Gateway waits (29 s); the settings here keep a call
bounded to roughly ``attempts * (connect + read timeout)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import botocore.session
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DEFAULT_REGION = "us-east-1"


def client_config(
    *, max_attempts: int = 3, connect_timeout: float = 1.0, read_timeout: float = 2.0
) -> Config:
    """botocore settings: standard retry mode, bounded attempts and timeouts.

    ``max_attempts`` counts the first try (botocore's ``total_max_attempts``).
    """
    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        tcp_keepalive=True,
    )


def make_client(
    *,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    config: Config | None = None,
    credentials: tuple[str, str] | None = None,
) -> DynamoDBClient:
    """A DynamoDB client for ``region_name`` (else botocore's configured region, else
    us-east-1), at ``endpoint_url`` when given (botocore also honours
    ``AWS_ENDPOINT_URL_DYNAMODB`` itself), signing with ``credentials`` (an access key
    and secret) or botocore's own chain.

    The same client ``boto3.client("dynamodb")`` returns, built from botocore directly:
    importing boto3 also imports s3transfer, about a fifth of a cold start.
    """
    key, secret = credentials or (None, None)
    session = botocore.session.get_session()
    region = region_name or session.get_config_variable("region") or DEFAULT_REGION
    client: DynamoDBClient = session.create_client(  # type: ignore[assignment]
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=region,
        config=config or client_config(),
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )
    return client
