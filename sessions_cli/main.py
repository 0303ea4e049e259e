"""The ``sessions`` command: ``serve`` runs the API locally; the rest are operator
commands against the configured table."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from sessions_cli import operator, signing_keys_cmd
from sessions_core import SessionError, StoreUnavailableError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sessions", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    table = os.environ.get("SESSIONS_TABLE") or "sessions"

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--table", default=table, help=f"table name (default {table!r})")
        command.add_argument(
            "--endpoint-url",
            default=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"),
            help="DynamoDB endpoint (default: AWS_ENDPOINT_URL_DYNAMODB, else AWS)",
        )
        if name != "serve":
            command.add_argument("--json", action="store_true", help="print JSON for scripts")
            command.add_argument(
                "--secret-arn",
                default=os.environ.get("SESSIONS_SECRET_ARN"),
                help="for a table on AWS: the Secrets Manager secret holding the deployment's"
                " key (default: SESSIONS_SECRET_ARN)",
            )
        return command

    serve = add("serve", "serve the API of template.yaml on a local port")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--port",
        type=int,
        default=os.environ.get("PORT") or "3000",  # argparse checks it as it does --port
        help="port to listen on (default: PORT, else 3000)",
    )
    serve.add_argument(
        "--demo", action="store_true", help="also serve the example login and account page at /"
    )
    serve.add_argument(
        "--enforce-iam",
        action="store_true",
        help="check SigV4 signatures on the service routes against this environment's "
        "AWS credentials, as API Gateway does (403 when they do not match)",
    )

    create = add("create", "create a session for a user and print its token")
    create.add_argument("--user", required=True)
    create.add_argument("--expires-in", type=int, metavar="SECONDS")
    create.add_argument("--sliding", action="store_true", help="sliding expiration")
    create.add_argument("--metadata", metavar="JSON")
    create.set_defaults(run=operator.cmd_create)

    validate = add("validate", "check a token")
    validate.add_argument(
        "token", help="the token, or - to read it from standard input (keeps it out of ps)"
    )
    validate.set_defaults(run=operator.cmd_validate)

    listing = add("list", "list a user's active sessions")
    listing.add_argument("--user", required=True)
    listing.set_defaults(run=operator.cmd_list)

    revoke = add("revoke", "revoke one session by id")
    revoke.add_argument("session_id")
    revoke.set_defaults(run=operator.cmd_revoke)

    revoke_all = add("revoke-all", "revoke every session of a user")
    revoke_all.add_argument("--user", required=True)
    revoke_all.set_defaults(run=operator.cmd_revoke_all)

    erase = add("erase", "erase a user: every session, activity entry and login counter")
    erase.add_argument("--user", required=True)
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.add_argument(
        "--event-bus",
        help="also publish user.erased to this EventBridge bus (the stack's SessionsEventBus)",
    )
    erase.set_defaults(run=operator.cmd_erase)

    cleanup = add("cleanup", "delete expired sessions now (what the schedule runs)")
    cleanup.add_argument("--limit", type=int)
    cleanup.set_defaults(run=operator.cmd_cleanup)

    add("create-table", "create the table as template.yaml declares it").set_defaults(
        run=operator.cmd_create_table
    )
    signing_keys_cmd.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sessions`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        from sessions_local.server import ServeError, serve

        try:
            serve(
                host=args.host,
                port=args.port,
                table=args.table,
                endpoint_url=args.endpoint_url,
                demo=args.demo,
                enforce_iam=args.enforce_iam,
            )
        except (ServeError, SessionError) as error:
            # A bad key file or setting: one line naming it and the fix, no traceback.
            print(f"error: {error}", file=sys.stderr)
            return 2
        except OSError as error:
            print(
                f"error: cannot listen on {args.host}:{args.port} ({error.strerror})",
                file=sys.stderr,
            )
            return 2
        return 0
    try:
        code: int = args.run(args)
    except StoreUnavailableError as error:
        print(
            f"error: {error.message}. Is DynamoDB reachable at {args.endpoint_url or 'AWS'}?",
            file=sys.stderr,
        )
        return 3
    except (SessionError, ValueError, json.JSONDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # never a traceback: one line, and where to report it
        print(
            f"error: unexpected {type(error).__name__}: {error} (please report it with the "
            "command you ran)",
            file=sys.stderr,
        )
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
