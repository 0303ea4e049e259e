"""When the key set cannot be read (DynamoDB errors, a tampered item), the last good set
serves within the same staleness bound as the revocation feed, reads back off, and
nothing raises but a clear error once no good set is left."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sessions_core.errors import StoreUnavailableError
from sessions_core.local_signing_keys import entry_of, new_private_jwk
from sessions_core.signing_keys import KeyEntry, KeySet, Signer
from sessions_core.token_service import REFRESH_EVERY, STALE_SET_SERVES, CachedKeys
from tests.support import FakeClock


class Flaky:
    """A key source that fails while ``down``, and counts its reads."""

    def __init__(self, clock: FakeClock) -> None:
        self.key = entry_of(new_private_jwk(clock.now - timedelta(hours=1)))
        self.down = False
        self.loads = 0

    def load(self, now: datetime) -> KeySet:
        self.loads += 1
        if self.down:
            raise StoreUnavailableError("throttled")
        return KeySet((self.key,))

    def signer(self, entry: KeyEntry) -> Signer:
        raise NotImplementedError


def test_key_set_outage_serves_the_last_set_backs_off_then_fails_closed(clock: FakeClock) -> None:
    source = Flaky(clock)
    keys = CachedKeys(source, clock)
    kid = source.key.kid
    assert keys.key_for(kid) is not None
    # WHEN the set is due and the source fails THEN the last set still serves
    source.down = True
    clock.advance(REFRESH_EVERY + timedelta(seconds=1))
    assert keys.key_for(kid) is not None
    tried = source.loads
    # AND a hundred requests within the backoff send no read
    for _ in range(100):
        assert keys.key_for(kid) is not None
    assert source.loads == tried
    # AND past the staleness bound, with the source still down, it fails closed
    clock.advance(STALE_SET_SERVES)
    with pytest.raises(StoreUnavailableError):
        for _ in range(10):
            keys.key_for(kid)
            clock.advance(seconds=5)
    # AND once the source answers again, the set serves again
    source.down = False
    clock.advance(seconds=60)
    assert keys.key_for(kid) is not None
