"""``sessions keys``: the access tokens' signing keys. On this machine's key file by
default (what ``sessions serve`` and local handlers sign with); with ``--table``, on a
deployment's key set (the table's key-set item, the keys in KMS or Secrets Manager,
reached with your AWS credentials)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sessions_cli.operator import emit, when
from sessions_cli.withdraw_cmd import add_withdraw
from sessions_core.dynamodb.key_set_item import ConditionFailedError
from sessions_core.signing_keys import DEFAULT_LEAD, KeyEntry, KeySet

LEAD_ZERO_WARNING = (
    "warning: --lead 0: the new key signs at once. API Gateway's JWT authorizer may keep "
    "the key set it fetched for up to 2 hours and reject tokens signed with the new key "
    "until then; other verifiers that fetch JWKS on an unknown kid are not affected."
)


def add_commands(sub: Any) -> None:
    """``keys rotate-signing``, ``list``, ``rollback`` and ``withdraw`` under ``sub``."""
    keys = sub.add_parser(
        "keys", help="the access tokens' signing keys", description=__doc__
    ).add_subparsers(dest="keys_command", required=True, metavar="ACTION")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        command: argparse.ArgumentParser = keys.add_parser(
            name, help=help_text, description=help_text
        )
        command.add_argument(
            "--table",
            help="a deployment's table (its key set); default: this machine's key file "
            "(SESSIONS_SIGNING_KEYS_FILE)",
        )
        command.add_argument(
            "--endpoint-url",
            default=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"),
            help="DynamoDB endpoint of --table (default: AWS)",
        )
        command.add_argument("--json", action="store_true", help="print JSON for scripts")
        return command

    rotate = add(
        "rotate-signing",
        "add a signing key: published now, signing after --lead; the current one retires "
        "once its last token has expired",
    )
    rotate.add_argument(
        "--lead",
        type=_seconds,
        default=DEFAULT_LEAD,
        metavar="SECONDS",
        help=f"how long verifiers see the new key before it signs (default "
        f"{int(DEFAULT_LEAD.total_seconds())}: API Gateway may cache keys for 2 hours)",
    )
    rotate.set_defaults(run=cmd_rotate)
    add("list", "the keys of the set: which signs, which are published, until when").set_defaults(
        run=cmd_list
    )
    add(
        "rollback",
        "undo the newest rotation: the previous key signs again; a new key that already "
        "signed stays published until its tokens have expired",
    ).set_defaults(run=cmd_rollback)
    add_withdraw(add, _keys)


def _seconds(raw: str) -> timedelta:
    value = int(raw)
    if value < 0:
        raise argparse.ArgumentTypeError("--lead must be 0 or more seconds")
    return timedelta(seconds=value)


def _keys(args: argparse.Namespace) -> tuple[Any, str]:
    """The key source ``args`` name, and where it is in words."""
    from handlers.settings import Settings

    settings = Settings.from_env()
    if not args.table:
        from sessions_core.local_signing_keys import LocalSigningKeys

        path = settings.local_signing_keys_file
        return LocalSigningKeys(path), str(path)
    from functools import cache

    from handlers.aws_clients import service_client
    from sessions_core.dynamodb.client import make_client
    from sessions_core.dynamodb.key_set_item import KeySetItem
    from sessions_core.dynamodb.layout import Layout
    from sessions_core.dynamodb.table import Table
    from sessions_core.key_services.deployed import DeployedKeys

    client = make_client(endpoint_url=args.endpoint_url, region_name=settings.region)
    item = KeySetItem(Table(args.table, client), Layout(settings.prefix))
    source = DeployedKeys(
        item,
        kms=cache(lambda: service_client(settings, "kms")),
        secrets=cache(lambda: service_client(settings, "secretsmanager")),
    )
    return source, f"the key set of table {args.table!r}"


def _state(entry: KeyEntry, key_set: KeySet, now: datetime) -> str:
    signing = key_set.signing(now)
    if signing is not None and entry.kid == signing.kid:
        return "signing"
    if entry.signs_from > now:
        return "next"
    return "retiring" if entry.published(now) else "retired"


def _key_json(entry: KeyEntry, key_set: KeySet, now: datetime) -> dict[str, Any]:
    return {
        "kid": entry.kid,
        "state": _state(entry, key_set, now),
        "signsFrom": entry.signs_from.isoformat().replace("+00:00", "Z"),
        "retiresAt": entry.retires_at.isoformat().replace("+00:00", "Z")
        if entry.retires_at
        else None,
        "where": entry.source,
    }


def _lines(key_set: KeySet, now: datetime) -> list[str]:
    lines = []
    for entry in key_set.entries:
        state = _state(entry, key_set, now)
        since = "" if entry.signs_from <= now else f", signs from {when(entry.signs_from)}"
        retires = f", retires {when(entry.retires_at)}" if entry.retires_at else ""
        lines.append(f"  {entry.kid}  {state}{since}{retires}  ({entry.source})")
    return lines


def cmd_list(args: argparse.Namespace) -> int:
    source, where = _keys(args)
    now = datetime.now(UTC)
    key_set = source.load(now)
    emit(
        args,
        {"keys": [_key_json(e, key_set, now) for e in key_set.entries]},
        "\n".join([f"{len(key_set.entries)} signing key(s) in {where}:", *_lines(key_set, now)]),
    )
    return 0


def cmd_rotate(args: argparse.Namespace) -> int:
    source, where = _keys(args)
    now = datetime.now(UTC)
    if not args.lead:
        print(LEAD_ZERO_WARNING, file=sys.stderr)
    try:
        rotated = source.rotate(now, args.lead)
    except ConditionFailedError as error:
        raise ValueError(
            "the key set changed while this ran (another rotation?): run it again"
        ) from error
    new = rotated.entries[-1]
    emit(
        args,
        {
            "added": _key_json(new, rotated, now),
            "keys": [_key_json(e, rotated, now) for e in rotated.entries],
        },
        "\n".join(
            [
                f"Added signing key {new.kid} to {where}.",
                f"It is published now and signs from {when(new.signs_from)}.",
                *_lines(rotated, now),
                "Running APIs (and sessions serve) read the key set again within 5 minutes.",
            ]
        ),
    )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    source, where = _keys(args)
    now = datetime.now(UTC)
    try:
        rolled = source.roll_back(now)
    except ConditionFailedError as error:
        raise ValueError("the key set changed while this ran: run it again") from error
    signing = rolled.signing(now)
    emit(
        args,
        {"keys": [_key_json(e, rolled, now) for e in rolled.entries]},
        "\n".join(
            [
                f"Rolled back the newest rotation of {where}; "
                f"{signing.kid if signing else 'no key'} signs again.",
                *_lines(rolled, now),
            ]
        ),
    )
    return 0
