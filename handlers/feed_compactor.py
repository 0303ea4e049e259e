"""The feed compactor Lambda (a schedule, every minute): packs each settled second of
the revocation feed into its segment (`sessions_core.feed_compactor`), second after
second, until a few seconds before its timeout; the next invocation takes over. A cold
authorizer then reads about 8 bytes a revoked session, and a fleet reading packed
seconds learns a revocation within its poll plus about three seconds.

Two invocations at once (a slow one overlapping the next) pack the same seconds to
the same segments: harmless. While none runs, readers read the entries themselves
(more read units, the same answers); readers that read only packed seconds deny access
tokens once packing is older than their staleness bound.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from handlers.wiring import Wiring
from sessions_core.errors import SessionError
from sessions_core.feed_compactor import compact

logger = logging.getLogger("sessions.compactor")
logger.setLevel(logging.INFO)

# Stop this long before the timeout: a pass is a few requests.
_MARGIN_MS = 5_000

wiring = Wiring()


def handler(event: Any, context: Any) -> dict[str, int]:
    """Pack until the time is nearly up (``{"once": true}``: one pass); how many
    seconds held entries and how many passes failed (each logged by its code)."""
    runtime = wiring.runtime()
    feed = runtime.feed
    once = isinstance(event, dict) and bool(event.get("once"))
    packed = failed = 0
    while True:
        try:
            packed += compact(feed, runtime.clock())
        except SessionError as error:
            failed += 1
            logger.error("feed compaction failed: %s", error.code)
        if once or context.get_remaining_time_in_millis() < _MARGIN_MS:
            return {"packed": packed, "failed": failed}
        # The next second settles a second from now.
        time.sleep(1 - time.time() % 1)
