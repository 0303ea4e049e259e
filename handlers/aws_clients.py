"""The botocore clients of services other than DynamoDB (EventBridge, KMS, Secrets
Manager), bounded like the DynamoDB one, built once per runtime on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import botocore.session

from sessions_core.dynamodb.client import client_config

if TYPE_CHECKING:
    from handlers.settings import Settings


def service_client(settings: Settings, service: str, *, endpoint_url: str | None = None) -> Any:
    """A botocore client of ``service`` bounded like the DynamoDB one (timeouts,
    standard retries), in the settings' region, with their local credentials if any."""
    key, secret = settings.local_credentials or (None, None)
    return botocore.session.get_session().create_client(
        service,
        endpoint_url=endpoint_url,
        region_name=settings.region,
        config=client_config(),
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )
