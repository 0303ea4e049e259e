"""Refuses bad bodies before routing: too large (413), not UTF-8, not JSON, nested past
reason, or not an object (400). Powertools would answer some of these with 422 in its
own shape, and a deeply nested document would raise RecursionError inside it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from handlers.api_models import MAX_BODY_BYTES
from handlers.http_errors import ApiError

# Routes whose body is a JSON object; other routes ignore any body they are sent.
JSON_BODY_ROUTES = frozenset(
    {("POST", "/sessions"), ("POST", "/sessions/validate"), ("POST", "/sessions/refresh")}
)
# Routes whose JSON object body is optional: no body reads as ``{}``.
OPTIONAL_BODY_ROUTES = (("POST", re.compile(r"^/sessions/[^/]+/reauthenticate$")),)


def _bad(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def checked_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its body checked and normalised to plain UTF-8 JSON text.

    Raises:
        ApiError: 400 or 413 as above.
    """
    http = event.get("requestContext", {}).get("http", {})
    route = (str(http.get("method", "")).upper(), str(event.get("rawPath", "")).rstrip("/"))
    optional = any(route[0] == m and pattern.match(route[1]) for m, pattern in OPTIONAL_BODY_ROUTES)
    if route not in JSON_BODY_ROUTES and not optional:
        return event
    raw = event.get("body") or ""
    if not isinstance(raw, str):
        raise _bad("the body must be a JSON object")
    encoded = bool(event.get("isBase64Encoded"))
    if optional and not raw:
        raw, encoded = "{}", False
    if encoded:
        if len(raw) > MAX_BODY_BYTES * 4 // 3 + 4:
            raise ApiError(413, "payload_too_large", "the body is larger than 16 KiB")
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as error:
            raise _bad("the body is not valid base64") from error
    else:
        data = raw.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", "the body is larger than 16 KiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _bad("the body is not UTF-8") from error
    if not text.strip():
        raise _bad("the body must be a JSON object")
    try:
        parsed = json.loads(text)
    except RecursionError as error:
        raise _bad("the body is nested too deeply") from error
    except ValueError as error:
        raise _bad("the body is not valid JSON") from error
    if not isinstance(parsed, dict):
        raise _bad("the body must be a JSON object")
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    headers["content-type"] = "application/json"
    return {**event, "body": text, "isBase64Encoded": False, "headers": headers}
