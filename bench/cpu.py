"""Our CPU per call beside the unavoidable work, on the in-memory store (no I/O)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import Figure, per_call_us
from sessions_core import InMemorySessionStore, SessionConfig, SessionManager

EVENTS = Path(__file__).resolve().parent.parent / "tests" / "events"


def floor_loop(token: str, table: dict[str, tuple[str, datetime]]) -> bool:
    """What any validate must do: split, SHA-256, look up, constant-time compare, and
    compare a date."""
    session_id, _, _ = token.partition(".")
    digest = hashlib.sha256(token.encode()).hexdigest()
    stored_hash, expires_at = table[session_id]
    return hmac.compare_digest(digest, stored_hash) and datetime.now(UTC) < expires_at


def ratio(ours: Figure, floor: Figure) -> float:
    return ours.median / floor.median


def measure_cpu(calls: int = 20_000) -> dict[str, Any]:
    """validate vs the floor loop; the API handler vs manager.validate."""
    manager = SessionManager(SessionConfig(InMemorySessionStore()))
    session = manager.create(user_id="bench")
    token = session.token or ""
    table = {session.id: (session.token_hash or "", session.expires_at)}
    floor = per_call_us(lambda: floor_loop(token, table), calls)
    validate = per_call_us(lambda: manager.validate(token), calls)
    handler_figure, direct = _handler_vs_direct(manager, token, calls // 10)
    return {
        "floor_us": floor.as_dict(),
        "validate_us": validate.as_dict(),
        "validate_over_floor": ratio(validate, floor),
        "api_handler_us": handler_figure.as_dict(),
        "manager_validate_us": direct.as_dict(),
        "api_handler_over_validate": ratio(handler_figure, direct),
    }


def _handler_vs_direct(manager: SessionManager, token: str, calls: int) -> tuple[Figure, Figure]:
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from handlers.api import handler, wiring
    from handlers.settings import Settings
    from handlers.wiring import Runtime
    from sessions_cli.gateway import LocalContext

    wiring.use(Runtime(Settings.from_env(), manager))
    event = json.loads((EVENTS / "validate_session.json").read_text().replace("TOKEN", token))
    context = LocalContext("ApiFunction")
    if handler(event, context)["statusCode"] != 200:
        raise RuntimeError("the recorded validate event did not answer 200")
    handler_figure = per_call_us(lambda: handler(dict(event), context), calls)
    direct = per_call_us(lambda: manager.validate(token), calls)
    return handler_figure, direct
