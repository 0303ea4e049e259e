"""`ServerTime`: how far this machine's clock is from DynamoDB's, heard from the ``Date``
header of every answer on one client.

Revokers run outside Lambda too (a laptop's CLI, a login backend): a clock minutes off
would file revocations where no reader looks, and write "revoked before" marks at the
wrong moment. So the feed and every time the manager writes follow DynamoDB's clock:
an offset of a second or more is applied (under that it is the header's own
resolution, and is left alone), and one beyond `TOLERANCE` is refused, naming both
clocks. Listening costs nothing; only a process that revokes before it has heard any
answer sends one small read first (`FeedTable.check_clock`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sessions_core.errors import ClockSkewError

TOLERANCE = timedelta(minutes=5)
RESOLUTION = timedelta(seconds=1)
# The header says the second; the moment it was sent is on average half-way through.
_HALF_SECOND = timedelta(milliseconds=500)
_NONE = timedelta(0)


def _system_now() -> datetime:
    return datetime.now(UTC)


class ServerTime:
    """The offset of DynamoDB's clock from this machine's, from one client's answers.

    Args:
        client: the botocore client whose answers it listens to.
        system_clock: this machine's clock (tests give a skewed one).
    """

    def __init__(self, client: Any, system_clock: Callable[[], datetime] | None = None) -> None:
        self._system = system_clock or _system_now
        self._raw: timedelta | None = None
        # What `offset` answers, worked out once per answer heard, not per call: the
        # manager's clock adds it on every validate.
        self._offset = _NONE
        client.meta.events.register(
            "after-call.dynamodb", self._heard, unique_id=f"sessions-server-time-{id(self)}"
        )

    @property
    def heard(self) -> bool:
        """True once an answer carried a ``Date``."""
        return self._raw is not None

    def offset(self) -> timedelta:
        """What to add to this machine's clock to get DynamoDB's, in whole
        milliseconds (zero when unknown or under a second)."""
        return self._offset

    def check(self) -> None:
        """Refuse a clock too far from DynamoDB's to be corrected safely.

        Raises:
            ClockSkewError: the offset is beyond `TOLERANCE`, with both clocks.
        """
        raw = self._raw
        if raw is None or abs(raw) <= TOLERANCE:
            return
        local = self._system()
        direction = "behind" if raw > timedelta(0) else "ahead of"
        raise ClockSkewError(
            f"this machine's clock ({local:%Y-%m-%d %H:%M:%S} UTC) is "
            f"{abs(raw).total_seconds():.0f} s {direction} DynamoDB's "
            f"({local + raw:%H:%M:%S} UTC); revocations are refused beyond "
            f"{TOLERANCE.total_seconds():.0f} s: set the clock right (NTP) and try again"
        )

    def _heard(self, http_response: Any = None, **_: Any) -> None:
        headers = getattr(http_response, "headers", None) or {}
        date = headers.get("Date") or headers.get("date")
        if not date:
            return
        server = parse_http_date(str(date))
        if server is None:
            return
        raw = self._raw = server + _HALF_SECOND - self._system()
        self._offset = (
            _NONE
            if abs(raw) < RESOLUTION
            else timedelta(milliseconds=round(raw.total_seconds() * 1000))
        )


_MONTHS = {
    m: n
    for n, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}


def parse_http_date(text: str) -> datetime | None:
    """An HTTP ``Date`` (``Mon, 07 Dec 2026 16:45:06 GMT``, RFC 9110's IMF-fixdate),
    or None for anything else (what DynamoDB sends; by hand, as on every answer)."""
    parts = text.split()
    if len(parts) != 6 or parts[5] != "GMT" or parts[2] not in _MONTHS:
        return None
    try:
        hour, minute, second = (int(x) for x in parts[4].split(":"))
        return datetime(
            int(parts[3]), _MONTHS[parts[2]], int(parts[1]), hour, minute, second, tzinfo=UTC
        )
    except ValueError:
        return None


def server_time_of(client: Any, system_clock: Callable[[], datetime] | None = None) -> ServerTime:
    """The one `ServerTime` listening to ``client`` (made on first use)."""
    found = getattr(client, "_sessions_server_time", None)
    if isinstance(found, ServerTime):
        return found
    made = ServerTime(client, system_clock)
    client._sessions_server_time = made
    return made


class DynamoDBClock:
    """A store's `StoreClock` on DynamoDB: ``server_time``'s offset, and a check that
    first sends ``prime`` (one small read) when no answer has told the time yet."""

    def __init__(self, server_time: ServerTime, prime: Callable[[], None]) -> None:
        self._time = server_time
        self._prime = prime

    def offset(self) -> timedelta:
        """What to add to this machine's clock to get DynamoDB's."""
        return self._time.offset()

    def check(self) -> None:
        """Learn DynamoDB's time if need be, then refuse a clock beyond `TOLERANCE`.

        Raises:
            ClockSkewError: this machine's clock is too far off.
            StoreUnavailableError, StoreConfigurationError: the prime read failed.
        """
        if not self._time.heard:
            self._prime()
        self._time.check()
