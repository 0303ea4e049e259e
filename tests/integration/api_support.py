"""Helpers for calling the API handler with the recorded events in tests/events/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sessions_local.gateway import LocalContext

EVENTS = Path(__file__).resolve().parent.parent / "events"


def event(name: str, *, token: str = "", session_id: str = "", **overrides: Any) -> dict[str, Any]:
    """A recorded event with its TOKEN / SESSION_ID placeholders filled in."""
    text = (EVENTS / f"{name}.json").read_text(encoding="utf-8")
    text = text.replace("TOKEN", token).replace("SESSION_ID", session_id)
    data: dict[str, Any] = json.loads(text)
    data.update(overrides)
    return data


def invoke(data: dict[str, Any]) -> dict[str, Any]:
    """Call the API handler as Lambda would."""
    from handlers.api import handler

    result: dict[str, Any] = handler(data, LocalContext("ApiFunction"))
    return result


def invoke_erase(data: dict[str, Any]) -> dict[str, Any]:
    """Call the erase function's handler as Lambda would."""
    from handlers.erase import handler

    result: dict[str, Any] = handler(data, LocalContext("EraseFunction"))
    return result


def demo_event(path: str, raw: str, *, encoded: bool = False) -> dict[str, Any]:
    """A POST to the demo login from the app's own page (the api_manager's origin)."""
    data = event("me_session_cookie")
    data.pop("cookies", None)
    data.update(rawPath=path, routeKey=f"POST {path}", isBase64Encoded=encoded, body=raw)
    data["requestContext"]["http"].update(method="POST", path=path)
    data["headers"].update(
        {"origin": "https://app.example.com", "content-type": "application/json"}
    )
    return data


def invoke_demo(data: dict[str, Any]) -> dict[str, Any]:
    """Call the demo login's handler as Lambda would."""
    from examples.login.handler import handler

    result: dict[str, Any] = handler(data, LocalContext("DemoLoginFunction"))
    return result


def body(result: dict[str, Any]) -> Any:
    """The JSON body of a handler result."""
    return json.loads(result["body"]) if result.get("body") else None
