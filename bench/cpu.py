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
        "hostile_us": measure_hostile_tokens(calls),
        "floor_us": floor.as_dict(),
        "validate_us": validate.as_dict(),
        "validate_over_floor": ratio(validate, floor),
        "api_handler_us": handler_figure.as_dict(),
        "manager_validate_us": direct.as_dict(),
        "api_handler_over_validate": ratio(handler_figure, direct),
    }


def measure_hostile_tokens(calls: int = 20_000) -> dict[str, Any]:
    """validate's CPU for a valid token beside the worst a presenter can choose: a
    forged secret for a real id, a secret stamped under another key, a token retired
    100 rotations ago (on the session it already revoked), a 100 kB string; with a
    key ring of two keys (a rotation in progress: every stamp is checked under both)."""
    from datetime import timedelta

    from sessions_core.keys import KeyRing
    from sessions_core.tokens import generate_secure_token, token_of

    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    ring = KeyRing(b"n" * 32, [b"o" * 32])
    manager = SessionManager(
        SessionConfig(InMemorySessionStore(), secret_key=ring, clock=lambda: clock[0])
    )
    first = manager.create(user_id="bench").token or ""
    tokens = [first]
    for _ in range(100):
        clock[0] += timedelta(minutes=1)
        tokens.append(manager.refresh(tokens[-1]).token or "")
    victim = manager.create(user_id="victim")
    replayed = manager.create(user_id="replayed")
    old = replayed.token or ""
    clock[0] += timedelta(minutes=1)
    manager.refresh(old)
    clock[0] += timedelta(minutes=1)
    manager.validate(old)  # revokes: later replays cost the check, and no write
    cases = {
        "valid": tokens[-1],
        "forged secret, real id": f"{victim.id}.{generate_secure_token()}",
        "stamped under another key": token_of(
            victim.id, KeyRing(b"x" * 32).stamp(victim.id, b"\0" * 16, 0)
        ),
        "retired, session revoked": old,
        "100 kB string": "x" * 100_000,
    }
    return {
        name: per_call_us(lambda t=t: manager.validate(t), calls).as_dict()
        for name, t in cases.items()
    }


def _handler_vs_direct(manager: SessionManager, token: str, calls: int) -> tuple[Figure, Figure]:
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from handlers.api import handler, wiring
    from handlers.settings import Settings
    from handlers.wiring import Runtime
    from sessions_local.gateway import LocalContext

    wiring.use(Runtime(Settings.from_env(), manager))
    event = json.loads((EVENTS / "validate_session.json").read_text().replace("TOKEN", token))
    context = LocalContext("ApiFunction")
    if handler(event, context)["statusCode"] != 200:
        raise RuntimeError("the recorded validate event did not answer 200")
    handler_figure = per_call_us(lambda: handler(dict(event), context), calls)
    direct = per_call_us(lambda: manager.validate(token), calls)
    return handler_figure, direct
