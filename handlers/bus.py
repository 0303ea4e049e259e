"""The EventBridge bus the session events go to (`Settings.event_bus`), and the one
event that does not come from the stream, ``user.erased``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from handlers.aws_clients import service_client

if TYPE_CHECKING:
    from handlers.settings import Settings

SOURCE = "sessions"


def make_event_bridge(settings: Settings) -> Any:
    """An EventBridge client bounded like the DynamoDB one, in the settings' region (at
    ``events_endpoint`` when set: a local server such as moto's)."""
    return service_client(settings, "events", endpoint_url=settings.events_endpoint)


def user_erased_entry(user_id: str, at: datetime, bus: str) -> dict[str, Any]:
    """The ``user.erased`` entry for ``bus``: the user id and when, and nothing else
    about them."""
    detail = {"type": "user.erased", "userId": user_id, "at": at.isoformat().replace("+00:00", "Z")}
    return {
        "Source": SOURCE,
        "DetailType": "user.erased",
        "Detail": json.dumps(detail, separators=(",", ":")),
        "EventBusName": bus,
    }


def publish_user_erased(user_id: str, at: datetime, *, bus: str, client: Any) -> bool:
    """Publish ``user.erased`` on ``bus`` through ``client``; False when EventBridge
    refused it (the erasure stands: the caller says so, and erasing again publishes
    again)."""
    try:
        answer = client.put_events(Entries=[user_erased_entry(user_id, at, bus)])
    except Exception:  # botocore's failures: the erasure itself has happened
        return False
    return not answer.get("FailedEntryCount")
