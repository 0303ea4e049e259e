"""The feed compactor for `sessions serve`: what the stack's scheduled function does,
in a background thread, every second (`sessions_core.feed_compactor`)."""

from __future__ import annotations

import logging
import threading
import time

from handlers.wiring import Runtime
from sessions_core.errors import SessionError
from sessions_core.feed_compactor import compact

logger = logging.getLogger("sessions.compactor")


def start_local_compactor(runtime: Runtime) -> tuple[str, threading.Event]:
    """Pack the runtime's feed every second until the returned event is set (serve
    sets it when it stops); a banner line, and that event."""
    config = runtime.manager.config
    feed = config.namespaced_store.feed
    stop = threading.Event()

    def run() -> None:
        failing = ""
        while not stop.is_set():
            try:
                compact(feed, config.now())
                failing = ""
            except SessionError as error:  # the next second tries again
                if error.code != failing:  # once per cause, not once a second
                    logger.warning("feed compaction failed: %s", error.code)
                failing = error.code
            stop.wait(1 - time.time() % 1)

    threading.Thread(target=run, name="feed-compactor", daemon=True).start()
    return "packed every second (as the stack's FeedCompactorFunction)", stop
