"""Fixtures of the handler tests: an EventBridge bus whose rule delivers to SQS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from sessions_core import SessionManager
from tests.support import wired

BUS = "sessions-test"


@pytest.fixture
def queue(api_manager: SessionManager, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An SQS queue the bus's rule delivers every session event to."""
    session = botocore.session.get_session()
    bus = session.create_client("events", region_name="us-east-1")
    sqs = session.create_client("sqs", region_name="us-east-1")
    bus.create_event_bus(Name=BUS)
    url = sqs.create_queue(QueueName="session-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    bus.put_rule(Name="all", EventBusName=BUS, EventPattern=json.dumps({"source": ["sessions"]}))
    bus.put_targets(Rule="all", EventBusName=BUS, Targets=[{"Id": "q", "Arn": arn}])
    monkeypatch.setenv("SESSIONS_EVENT_BUS", BUS)
    with wired(api_manager):  # the settings again, with the bus
        yield sqs, url


def delivered_events(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message on the queue (the session events the rule delivered)."""
    found = []
    while True:
        page = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not page:
            return found
        found.extend(json.loads(m["Body"]) for m in page)
