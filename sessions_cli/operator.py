"""Operator commands against the configured table: plain words, or ``--json``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from handlers.bus import publish_user_erased
from handlers.setting_values import PREVIOUS_KEYS_ENV, SECRET_KEY_ENV
from handlers.settings import Settings
from handlers.wiring import Runtime, build_manager
from sessions_core import DynamoDBSessionStore, PublicSession, Session, SessionManager
from sessions_core.keys import KeyRing

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


def is_local(endpoint_url: str | None) -> bool:
    """True for an endpoint on this machine (embedded moto, dynalite, DynamoDB Local)."""
    host = urlsplit(endpoint_url or "").hostname or ""
    return host in {"127.0.0.1", "localhost", "::1"}


def settings_for(args: argparse.Namespace) -> Settings:
    """The service's settings (the environment, as a function reads it) for the table
    of ``--table`` at ``--endpoint-url``, keyed as the deployment is: its
    ``SESSIONS_SECRET_KEY``; else the secret ``--secret-arn`` names (read with your AWS
    credentials); else, for a table on this machine, the local key file that
    `sessions serve` uses.

    Raises:
        ValueError: a table on AWS and no way to its key (the commands would otherwise
            write revocation marks where the service never looks).
        SettingsError, KeyConfigurationError: the environment is not valid.
    """
    env = dict(os.environ)
    local = is_local(args.endpoint_url)
    keys = None
    if SECRET_KEY_ENV not in env:
        if args.secret_arn:
            keys = _key_from_secret(args.secret_arn, env.get(PREVIOUS_KEYS_ENV, ""))
        elif not local:
            raise ValueError(
                "this table is on AWS: give its key with --secret-arn ARN (the "
                f"SessionsSecretKey resource of your stack) or {SECRET_KEY_ENV}; for a "
                "table on this machine, pass --endpoint-url (e.g. http://127.0.0.1:8000)"
            )
    settings = Settings.from_env(env, keys=keys)
    has_credentials = botocore.session.get_session().get_credentials() is not None
    return settings.replace(
        table=args.table,
        dynamodb_endpoint=args.endpoint_url,
        events_endpoint=args.endpoint_url if local else settings.events_endpoint,
        local_credentials=("local", "local") if local and not has_credentials else None,
    )


def _key_from_secret(arn: str, previous: str) -> KeyRing:
    """The deployment key from the secret ``arn`` (its region is the ARN's).

    Raises:
        ValueError: the secret cannot be read, with why in plain words.
    """
    parts = arn.split(":")
    region = parts[3] if len(parts) > 3 and parts[2] == "secretsmanager" else None
    if not region:
        raise ValueError(f"--secret-arn must be a Secrets Manager secret ARN, not {arn!r}")
    client: SecretsManagerClient = botocore.session.get_session().create_client(  # type: ignore[assignment]
        "secretsmanager", region_name=region
    )
    try:
        text = client.get_secret_value(SecretId=arn)["SecretString"]
    except NoCredentialsError as error:
        raise ValueError(
            "no AWS credentials to read the key's secret with: set AWS_PROFILE, or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        ) from error
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        raise ValueError(
            f"cannot read the secret {arn} ({code}): check the ARN and that your role may "
            "call secretsmanager:GetSecretValue on it"
        ) from error
    except BotoCoreError as error:
        raise ValueError(
            f"Secrets Manager in {region} could not be reached ({type(error).__name__})"
        ) from error
    return KeyRing.from_text(
        text, previous, source=f"the secret {arn}", previous_source="SESSIONS_PREVIOUS_SECRET_KEYS"
    )


def runtime_for(args: argparse.Namespace) -> Runtime:
    """What a function would build from `settings_for`: its manager and clients."""
    settings = settings_for(args)
    return Runtime(settings, build_manager(settings))


def manager_for(args: argparse.Namespace) -> SessionManager:
    """A manager on the configured table, keyed as the deployment is."""
    return runtime_for(args).manager


def store_for(args: argparse.Namespace) -> DynamoDBSessionStore:
    """The table named by ``--table`` (else SESSIONS_TABLE, else ``sessions``)."""
    store = manager_for(args).config.store
    assert isinstance(store, DynamoDBSessionStore)  # noqa: S101 - build_manager makes one
    return store


def when(moment: datetime) -> str:
    left = moment - datetime.now(UTC)
    stamp = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    if left <= timedelta(0):
        return f"{stamp} (passed)"
    hours, minutes = divmod(round(left.total_seconds() / 60), 60)
    return f"{stamp} (in {hours} h {minutes} min)"


def _session_json(session: Session) -> dict[str, Any]:
    """A session as the API answers it (camelCase, its public fields, no nulls)."""
    view: dict[str, Any] = PublicSession.of(session).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    return view


def emit(args: argparse.Namespace, data: Any, words: str) -> None:
    print(json.dumps(data, indent=2) if args.json else words)


def cmd_create(args: argparse.Namespace) -> int:
    metadata = json.loads(args.metadata) if args.metadata else None
    if metadata is not None and not isinstance(metadata, dict):
        raise ValueError("--metadata must be a JSON object")
    session = manager_for(args).create(
        user_id=args.user,
        expires_in=timedelta(seconds=args.expires_in) if args.expires_in else None,
        metadata=metadata,
        sliding_expiration=args.sliding,
    )
    emit(
        args,
        {"token": session.token, "session": _session_json(session)},
        f"Created session {session.id} for user {session.user_id!r}.\n"
        f"Expires {when(session.expires_at)}.\n"
        f"Token (shown once, store it safely):\n{session.token}",
    )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from_stdin = args.token == "-"  # noqa: S105 - the conventional "read stdin" argument
    token = sys.stdin.readline().strip() if from_stdin else args.token
    result = manager_for(args).validate(token)
    if result.session is None:
        emit(args, {"valid": False, "error": result.error}, f"Not valid: {result.error}.")
        return 1
    session = result.session
    emit(
        args,
        {"valid": True, "session": _session_json(session)},
        f"Valid: session {session.id} of user {session.user_id!r}, "
        f"expires {when(session.expires_at)}.",
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    sessions = manager_for(args).list_for_user(args.user)
    lines = [f"{len(sessions)} active session(s) for user {args.user!r}."]
    for s in sessions:
        device = s.device.label if s.device else "unknown device"
        place = ", ".join(p for p in (s.ip_address, s.country) if p) or "unknown place"
        active = s.last_active_at or s.created_at
        lines.append(
            f"  {s.id}  {device}, {place}; last active {active:%Y-%m-%d %H:%M} UTC,"
            f" signed in {s.created_at:%Y-%m-%d %H:%M} UTC, expires {when(s.expires_at)}"
        )
    emit(args, {"sessions": [_session_json(s) for s in sessions]}, "\n".join(lines))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    manager = manager_for(args)
    existing = manager.get(args.session_id)
    manager.destroy(args.session_id)
    found = existing is not None
    emit(
        args,
        {"sessionId": args.session_id, "found": found},
        f"Revoked session {args.session_id}."
        if found
        else f"No session {args.session_id}; nothing to do.",
    )
    return 0


def cmd_revoke_all(args: argparse.Namespace) -> int:
    revoked = manager_for(args).destroy_all_for_user(args.user)
    emit(args, {"revoked": revoked}, f"Revoked {revoked} session(s) of user {args.user!r}.")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            raise ValueError("erasing cannot be undone: confirm with --yes")
        answer = input(
            f"Erase everything held about user {args.user!r}? This cannot be undone. [y/N] "
        )
        if answer.strip().lower() not in {"y", "yes"}:
            print("Nothing erased.")
            return 1
    runtime = runtime_for(args)
    manager = runtime.manager
    erased = manager.erase_user(args.user)
    published = bool(args.event_bus) and publish_user_erased(
        args.user, manager.config.now(), bus=args.event_bus, client=runtime.events
    )
    if not args.event_bus:
        note = "No user.erased event published (pass --event-bus to publish one)."
    elif published:
        note = f"Published user.erased to {args.event_bus}."
    else:
        note = f"EventBridge refused user.erased on {args.event_bus}: run the erasure again."
    emit(
        args,
        {"erased": erased, "published": published},
        f"Erased {erased} item(s) of user {args.user!r}; their tokens no longer work.\n{note}",
    )
    return 0 if published or not args.event_bus else 1


def cmd_cleanup(args: argparse.Namespace) -> int:
    deleted = manager_for(args).purge_expired(limit=args.limit)
    emit(args, {"deleted": deleted}, f"Deleted {deleted} expired item(s).")
    return 0


def cmd_create_table(args: argparse.Namespace) -> int:
    created = store_for(args).create_table()
    emit(
        args,
        {"table": args.table, "created": created},
        f"Created table {args.table!r}." if created else f"Table {args.table!r} already exists.",
    )
    return 0
