"""Refuses bad bodies before routing: too large (413), not UTF-8, not JSON, nested past
reason, or not an object (400). Powertools would answer some of these with 422 in its
own shape, and a deeply nested document would raise RecursionError inside it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from handlers.api_models import MAX_BODY_BYTES
from handlers.http_errors import ApiError, BadRequestError, PayloadTooLargeError
from handlers.route_spec import RouteSpec
from sessions_core.limits import MAX_JSON_DEPTH, nests_deeper_than


def _bad(message: str) -> ApiError:
    return BadRequestError(message)


def checked_event(event: dict[str, Any], route: RouteSpec | None) -> dict[str, Any]:
    """The event with its body checked and normalised to plain UTF-8 JSON text, for a
    ``route`` that reads a body (other routes ignore any body they are sent).

    Raises:
        ApiError: 400 or 413 as above.
    """
    if route is None or route.body is None:
        return event
    optional = not route.body_required
    raw = event.get("body") or ""
    if not isinstance(raw, str):
        raise _bad("the body must be a JSON object")
    encoded = bool(event.get("isBase64Encoded"))
    if optional and not raw:
        raw, encoded = "{}", False
    if encoded:
        if len(raw) > MAX_BODY_BYTES * 4 // 3 + 4:
            raise PayloadTooLargeError()
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as error:
            raise _bad("the body is not valid base64") from error
    else:
        data = raw.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BODY_BYTES:
        raise PayloadTooLargeError()
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
    # The body object itself is not one of the levels counted: it holds at most 32.
    if nests_deeper_than(parsed, MAX_JSON_DEPTH + 1):
        raise _bad(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    headers["content-type"] = "application/json"
    return {**event, "body": text, "isBase64Encoded": False, "headers": headers}
