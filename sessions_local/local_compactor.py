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


def start_local_compactor(runtime: Runtime) -> str:
    """Pack the runtime's feed every second until the process ends; a banner line."""
    config = runtime.manager.config
    feed = config.namespaced_store.feed

    def run() -> None:
        while True:
            try:
                compact(feed, config.now())
            except SessionError as error:  # the next second tries again
                logger.warning("feed compaction failed: %s", error.code)
            time.sleep(1 - time.time() % 1)

    threading.Thread(target=run, name="feed-compactor", daemon=True).start()
    return "packed every second (as the stack's FeedCompactorFunction)"
