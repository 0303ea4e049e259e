"""The path of a request, normalised once: routing, the service guard and the body
guard all read the same one (a named stage, ``//sessions`` and a trailing slash cannot
make them disagree)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_SLASHES = re.compile(r"/{2,}")


def normalised_path(event: Mapping[str, Any]) -> str:
    """The path of a payload-2.0 event as every part of the API reads it: ``rawPath``
    less a named stage, repeated slashes collapsed, no trailing slash."""
    raw = event.get("rawPath")
    path = raw if isinstance(raw, str) and raw else "/"
    context = event.get("requestContext")
    stage = context.get("stage") if isinstance(context, dict) else None
    if isinstance(stage, str) and stage and stage != "$default":
        prefix = "/" + stage
        if path == prefix or path.startswith(prefix + "/"):
            path = path[len(prefix) :] or "/"
    return clean_path(path)


def clean_path(path: str) -> str:
    """``path`` with repeated slashes collapsed and no trailing slash (as API Gateway
    routes ``/sessions/`` and ``/sessions`` alike)."""
    return _SLASHES.sub("/", path).rstrip("/") or "/"


def normalised(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with its path replaced by `normalised_path` (and the stage by
    ``$default``, so nothing downstream strips it twice)."""
    path = normalised_path(event)
    context = event.get("requestContext")
    context = dict(context) if isinstance(context, dict) else {}
    http = context.get("http")
    context["http"] = {**(http if isinstance(http, dict) else {}), "path": path}
    context["stage"] = "$default"
    return {**event, "rawPath": path, "requestContext": context}
