"""Cleanup cost with the same expired sessions in a table of N and of 10·N live ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bench.measure import Clock, Meter
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager


def measure_cleanup(client: Any, live: int = 200, expired: int = 50) -> dict[str, Any]:
    """Requests and items read by one purge, at ``live`` and ``10 * live``."""
    out: dict[str, Any] = {}
    for size in (live, live * 10):
        clock = Clock()
        store = DynamoDBSessionStore(f"bench-cleanup-{size}", client=client)
        store.create_table()
        manager = SessionManager(SessionConfig(store, clock=clock))
        manager.purge_expired()  # the schedule has run before
        for i in range(size):
            manager.create(user_id=f"live{i}", expires_in=timedelta(days=30))
        for i in range(expired):
            manager.create(user_id=f"gone{i}", expires_in=timedelta(minutes=30))
        clock.advance(hours=1)
        meter = Meter(client)
        deleted = manager.purge_expired()
        out[f"live={size}"] = {"deleted": deleted, **meter.snapshot()}
        meter.close()
    small, large = out[f"live={live}"], out[f"live={live * 10}"]
    out["unchanged"] = (
        small["requests"] == large["requests"] and small["items_read"] == large["items_read"]
    )
    return out


def measure_idle_cleanup(client: Any, idle_days: int = 400, every: int = 5) -> dict[str, Any]:
    """One run after ``idle_days`` without any: sessions expiring every ``every`` days
    over the pause; requests beyond the expired items (target: at most 100)."""
    clock = Clock()
    store = DynamoDBSessionStore("bench-idle-cleanup", client=client)
    store.create_table()
    manager = SessionManager(SessionConfig(store, clock=clock, max_lifetime=None))
    for day in range(0, idle_days, every):
        manager.create(user_id=f"u{day}", expires_in=timedelta(days=day, hours=1))
    clock.advance(days=idle_days)
    meter = Meter(client)
    deleted = manager.purge_expired()
    figures = {"idle_days": idle_days, "deleted": deleted, **meter.snapshot()}
    meter.close()
    figures["beyond_expired"] = figures["requests"] - deleted
    return figures
