"""DynamoDB requests and capacity per operation, beside the original design's cost."""

from __future__ import annotations

from typing import Any

from bench.measure import Meter
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionLimitError, SessionManager

# The original's KV layout, from its algorithm (not measured: it ran on Workers KV).
# save() wrote prefix+id -> JSON and prefix+"token:"+hash -> id; validate read both;
# refresh read both and wrote both; listing keys never written found nothing.
ORIGINAL = {
    "create": "2 writes",
    "validate": "2 reads",
    "validate, sliding due": "2 reads (never slid)",
    "refresh": "2 reads + 2 writes",
    "refresh within grace": "2 reads + 2 writes (no grace)",
    "destroy": "1 read + 1 write",
    "malformed token": "2 reads",
    "list": "1 list (found nothing)",
    "revoke-all": "1 list (revoked nothing)",
    "purge": "none (KV TTL)",
    "validate, activity due": "2 reads (no activity)",
    "limit": "no limit",
    "erase": "none (destroy each session)",
}


def measure_costs(client: Any, table: str, clock: Any) -> list[dict[str, Any]]:
    """One row per operation: requests, RCU, WCU (median-free: counts are exact)."""
    store = DynamoDBSessionStore(table, client=client)
    store.create_table()
    manager = SessionManager(SessionConfig(store, clock=clock))
    meter = Meter(client)
    rows: list[dict[str, Any]] = []

    def row(name: str, original_key: str | None = None) -> None:
        rows.append(
            {
                "operation": name,
                **meter.snapshot(),
                "original": ORIGINAL.get(original_key or name, ""),
            }
        )
        meter.reset()

    meter.reset()
    session = manager.create(user_id="bench", metadata={"device": "Firefox on Linux"})
    row("create")
    manager.validate(session.token or "")
    row("validate")
    manager.validate("not-a-token")
    row("malformed token")
    clock.advance(minutes=11)
    meter.reset()
    manager.validate(session.token or "")
    row("validate, activity due (once per 10 min)", "validate, activity due")
    sliding = manager.create(user_id="slider", sliding_expiration=True)
    clock.advance(hours=13)
    meter.reset()
    manager.validate(sliding.token or "")
    row("validate, sliding due (with activity)", "validate, sliding due")
    refreshed = manager.refresh(session.token or "")
    row("refresh")
    manager.refresh(session.token or "")
    row("refresh within grace")
    manager.destroy(refreshed.id)
    row("destroy")
    for count in (1, 10, 100):
        user = f"lister{count}"
        for _ in range(count):
            manager.create(user_id=user, metadata={"device": "Firefox on Linux"})
        meter.reset()
        manager.list_for_user(user)
        row(f"list ({count})", "list")
        manager.destroy_all_for_user(user)
        row(f"revoke-all ({count})", "revoke-all")
        for _ in range(count):
            manager.create(user_id=f"leaver{count}")
        meter.reset()
        manager.erase_user(f"leaver{count}")
        row(f"erase ({count})", "erase")
    _limit_rows(store, clock, meter, row)
    clock.advance(days=2)
    meter.reset()
    purged = manager.purge_expired()
    row(f"purge ({purged} expired, 2 days after the last run)", "purge")
    meter.close()
    return rows


def _limit_rows(store: Any, clock: Any, meter: Meter, row: Any) -> None:
    """What a per-user limit of 3 costs: below it, at it (evicting), at it (deny)."""
    limited = SessionManager(SessionConfig(store, clock=clock, max_sessions_per_user=3))
    denying = SessionManager(
        SessionConfig(store, clock=clock, max_sessions_per_user=3, on_session_limit="deny")
    )
    for _ in range(2):
        clock.advance(seconds=1)
        limited.create(user_id="capped")
    meter.reset()
    last = limited.create(user_id="capped")
    row("create, limit 3, below it", "limit")
    clock.advance(seconds=1)
    meter.reset()
    limited.create(user_id="capped")
    row("create, limit 3, at it: evicts the least recently active", "limit")
    try:
        denying.create(user_id="capped")
    except SessionLimitError:
        row("create, limit 3, at it: deny (409)", "limit")
    limited.destroy(last.id)
    row("destroy a session counted by a limit", "limit")
