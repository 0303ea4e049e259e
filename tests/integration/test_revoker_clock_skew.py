"""A revoker whose clock is off (the operator CLI on a laptop, a login backend) files
its revocations on DynamoDB's time, which the ``Date`` of every answer tells it: 180 s
behind, the real authorizer handler denies the token within the poll; beyond five
minutes, the revocation is refused, naming both clocks, rather than filed where no
reader looks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from handlers.token_authorizer import FeedReader
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb.client import make_client
from sessions_core.errors import ClockSkewError
from sessions_core.revocation_feed import TokenFacts
from tests.integration.test_authorizer_access_tokens import POLL, _allowed, _authorize
from tests.support import LOCAL_INDEX_LAG, FakeClock


def _skewed(skew: timedelta) -> Callable[[], datetime]:
    return lambda: datetime.now(UTC) + skew


def _revoker(api_manager: SessionManager, clock: FakeClock, skew: timedelta) -> SessionManager:
    """A manager on the API's table whose machine's clock is ``skew`` off (its own
    client, as another process has)."""
    store = api_manager.config.store
    assert isinstance(store, DynamoDBSessionStore)
    own = DynamoDBSessionStore(
        store.table_name,
        client=make_client(region_name="us-east-1"),
        index_lag=LOCAL_INDEX_LAG,
        system_clock=_skewed(skew),
    )
    wrong = FakeClock(clock.now + skew)  # the revoker's idea of now, off as its machine's
    return SessionManager(
        SessionConfig(own, clock=lambda: wrong.now, secret_key=api_manager.config.keys)
    )


@pytest.mark.parametrize("skew", [timedelta(seconds=-180), timedelta(seconds=170)])
def test_a_revoker_minutes_off_is_honoured_within_the_poll_warm_and_cold(
    api_manager: SessionManager, clock: FakeClock, skew: timedelta
) -> None:
    # GIVEN a warm authorizer and an access token it allows
    session, token = _allowed(api_manager)
    # WHEN a revoker whose clock is minutes off signs the session out
    revoker = _revoker(api_manager, clock, skew)
    revoker.destroy(session.id)
    # THEN it was filed on DynamoDB's time, not the revoker's
    assert abs(revoker.config.now() - clock.now) < timedelta(seconds=2)
    # AND the next poll of the warm authorizer denies the token
    clock.advance(POLL + timedelta(seconds=1))
    assert not _authorize(token)["isAuthorized"]
    # AND a cold reader finds it too
    cold = FeedReader(api_manager.config.namespaced_store.feed)  # type: ignore[arg-type]
    cold.refresh(clock.now)
    facts = TokenFacts(
        session.id,
        api_manager.config.keys.ref_for_session("alice", session.id),
        session.created_at,
        clock.now,
    )
    assert cold.snapshot.denies(facts)


@pytest.mark.parametrize("skew", [timedelta(seconds=400), timedelta(seconds=-400)])
def test_a_revoker_beyond_five_minutes_is_refused_naming_both_clocks(
    api_manager: SessionManager, clock: FakeClock, skew: timedelta
) -> None:
    session = api_manager.create(user_id="alice")
    revoker = _revoker(api_manager, clock, skew)
    with pytest.raises(ClockSkewError) as refused:
        revoker.destroy(session.id)
    message = refused.value.message
    assert "DynamoDB's" in message and "this machine's clock" in message and "NTP" in message
    assert ("ahead of" if skew > timedelta(0) else "behind") in message
    # nothing was revoked: the session still validates
    assert api_manager.validate(session.token or "").valid


def test_a_revoker_with_the_right_time_sends_no_extra_request(
    api_manager: SessionManager, clock: FakeClock
) -> None:
    from tests.support import RequestCounter

    revoker = _revoker(api_manager, clock, timedelta(0))
    session = revoker.create(user_id="bob")  # answers heard: DynamoDB's time is known
    counter = RequestCounter(revoker.config.store.client)  # type: ignore[attr-defined]
    revoker.destroy(session.id)
    assert dict(counter.calls) == {"BatchWriteItem": 1, "UpdateItem": 1}
