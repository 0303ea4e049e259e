"""The EventBridge bus the session events go to (``SESSIONS_EVENT_BUS``): one client per
cold start, and the one event that does not come from the stream, ``user.erased``."""

from __future__ import annotations

import json
import os
from datetime import datetime
from functools import cache
from typing import Any

import botocore.session

from sessions_core.dynamodb.client import client_config, configured_region

SOURCE = "sessions"


def bus_name() -> str:
    """``SESSIONS_EVENT_BUS`` (the account's default bus when unset)."""
    return os.environ.get("SESSIONS_EVENT_BUS") or "default"


def make_event_bridge(endpoint_url: str | None = None) -> Any:
    """An EventBridge client bounded like the DynamoDB one (``endpoint_url``: a local
    server such as moto_server)."""
    return botocore.session.get_session().create_client(
        "events",
        endpoint_url=endpoint_url,
        region_name=configured_region(),
        config=client_config(),
    )


@cache
def event_bridge() -> Any:
    """One EventBridge client per cold start."""
    return make_event_bridge()


def user_erased_entry(user_id: str, at: datetime, bus: str | None = None) -> dict[str, Any]:
    """The ``user.erased`` entry for ``bus`` (`bus_name` when None): the user id and
    when, and nothing else about them."""
    detail = {"type": "user.erased", "userId": user_id, "at": at.isoformat().replace("+00:00", "Z")}
    return {
        "Source": SOURCE,
        "DetailType": "user.erased",
        "Detail": json.dumps(detail, separators=(",", ":")),
        "EventBusName": bus or bus_name(),
    }


def publish_user_erased(
    user_id: str, at: datetime, *, bus: str | None = None, client: Any = None
) -> bool:
    """Publish ``user.erased`` through ``client`` (`event_bridge` when None); False when
    EventBridge refused it (the erasure stands: the caller says so, and erasing again
    publishes again)."""
    try:
        answer = (client or event_bridge()).put_events(
            Entries=[user_erased_entry(user_id, at, bus)]
        )
    except Exception:  # botocore's failures: the erasure itself has happened
        return False
    return not answer.get("FailedEntryCount")
