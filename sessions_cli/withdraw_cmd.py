"""``sessions keys withdraw KID --yes``: a leaked signing key leaves the key set at once
(no longer published nor trusted), and an entry on the revocation feed makes every
warm verifier deny the tokens it signed within the feed's lag, before it reads the key
set again. The procedure around it is in docs/operations.md ("A signing key leaked")."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import Any

from sessions_cli.operator import emit
from sessions_core.dynamodb.key_set_item import ConditionFailedError
from sessions_core.revocation_feed import key_entry


def add_withdraw(add: Any, key_source: Any) -> None:
    """The ``withdraw`` action under ``sessions keys`` (``add`` makes its parser,
    ``key_source(args)`` gives the key source the options name and where it is)."""
    withdraw = add(
        "withdraw",
        "remove a signing key at once (a leaked one): no longer published or trusted; its "
        "tokens are denied through the revocation feed within seconds",
    )
    withdraw.add_argument("kid", help="the key to withdraw (see: sessions keys list)")
    withdraw.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    withdraw.set_defaults(run=cmd_withdraw, key_source=key_source)


def cmd_withdraw(args: argparse.Namespace) -> int:
    """Withdraw ``args.kid`` from the key set, then file its feed entry.

    Raises:
        ValueError: not confirmed, no such key, the only signing key, or a race.
    """

    if not args.yes:
        raise ValueError(f"withdrawing {args.kid} invalidates every token it signed: add --yes")
    source, where = args.key_source(args)
    now = datetime.now(UTC)
    try:
        left = source.withdraw(now, args.kid)
    except ConditionFailedError as error:
        raise ValueError("the key set changed while this ran: run it again") from error
    feed = _feed_line(args)
    emit(
        args,
        {"withdrawn": args.kid, "keys": [e.kid for e in left.entries], "feed": feed},
        "\n".join(
            [
                f"Withdrew signing key {args.kid} from {where}: no longer published or trusted.",
                f"Revocation feed: {feed}.",
                "Verifiers that cached the JWKS (API Gateway's JWT authorizer: up to 2 hours)"
                " keep it until they fetch it again: see docs/operations.md.",
            ]
        ),
    )
    return 0


def _feed_line(args: argparse.Namespace) -> str:
    """File the key's entry on the table's feed when there is a table; what was done."""
    if not (args.table or args.endpoint_url):
        return "none written (no --table): verifiers drop the key when they read the file again"
    from handlers.settings import Settings
    from sessions_core.dynamodb.client import make_client
    from sessions_core.dynamodb.feed_table import FeedTable, feed_table_name

    settings = Settings.from_env()
    table = args.table or os.environ.get("SESSIONS_TABLE") or "sessions"
    client = make_client(endpoint_url=args.endpoint_url, region_name=settings.region)
    feed = FeedTable(feed_table_name(table), client, settings.prefix)
    feed.clock.check()

    def now() -> datetime:  # DynamoDB's time, as every revocation's
        return datetime.now(UTC) + feed.clock.offset()

    feed.append([key_entry(args.kid, now())], now)
    return f"an entry on {feed.table.name}: warm verifiers deny its tokens within their poll"
