"""The operator commands (`sessions create`, `validate`, ...) against moto_server."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest

from sessions_cli.main import main
from tests.harness.protocol_servers import ProtocolServer
from tests.support import running_server


@pytest.fixture
def table_args(protocol_servers: dict[str, Any]) -> list[str]:
    server: ProtocolServer = running_server(protocol_servers, "moto_server")
    args = ["--endpoint-url", server.url, "--table", f"cli-{uuid.uuid4().hex[:8]}"]
    assert main(["create-table", *args]) == 0
    return args


def _json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def test_cli_validate_reads_the_token_from_stdin(
    table_args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    capsys.readouterr()
    assert main(["create", "--user", "alice", "--json", *table_args]) == 0
    token = _json(capsys)["token"]
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    assert main(["validate", "-", "--json", *table_args]) == 0
    assert _json(capsys)["valid"] is True
    monkeypatch.setattr("sys.stdin", io.StringIO("not-a-token\n"))
    assert main(["validate", "-", *table_args]) == 1
    assert "Not valid: invalid_token" in capsys.readouterr().out


def test_cli_revoke_all_uses_the_same_key_as_the_sessions_it_revokes(
    table_args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main(["create", "--user", "bob", "--json", *table_args])
    token = _json(capsys)["token"]
    assert main(["revoke-all", "--user", "bob", "--json", *table_args]) == 0
    assert _json(capsys) == {"revoked": 1}
    assert main(["validate", token, "--json", *table_args]) == 1
    assert _json(capsys)["error"] == "session_revoked"


def test_cli_table_on_aws_without_its_key_refuses_in_plain_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SESSIONS_SECRET_KEY", raising=False)
    monkeypatch.delenv("SESSIONS_SECRET_ARN", raising=False)
    code = main(["revoke-all", "--user", "bob", "--endpoint-url", "https://dynamodb.example"])
    assert code == 2
    assert "--secret-arn" in capsys.readouterr().err


def test_cli_erase_without_yes_and_no_terminal_refuses_and_erases_nothing(
    table_args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["create", "--user", "carol", "--json", *table_args])
    token = _json(capsys)["token"]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["erase", "--user", "carol", *table_args]) == 2
    assert "confirm with --yes" in capsys.readouterr().err
    assert main(["validate", token, *table_args]) == 0


def test_cli_erase_answered_no_erases_nothing(
    table_args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["create", "--user", "carol", "--json", *table_args])
    token = _json(capsys)["token"]
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["erase", "--user", "carol", *table_args]) == 1
    assert "Nothing erased." in capsys.readouterr().out
    assert main(["validate", token, *table_args]) == 0


def test_cli_erase_with_yes_stops_the_tokens_and_publishes_user_erased(
    table_args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    import botocore.session

    endpoint = table_args[table_args.index("--endpoint-url") + 1]
    events = botocore.session.get_session().create_client(
        "events", endpoint_url=endpoint, region_name="us-east-1"
    )
    bus = f"bus-{uuid.uuid4().hex[:8]}"
    events.create_event_bus(Name=bus)
    main(["create", "--user", "carol", "--json", *table_args])
    token = _json(capsys)["token"]
    code = main(["erase", "--user", "carol", "--yes", "--event-bus", bus, *table_args])
    out = capsys.readouterr().out
    assert code == 0
    assert "Erased 1 item(s) of user 'carol'" in out and f"Published user.erased to {bus}" in out
    assert main(["validate", token, "--json", *table_args]) == 1
    assert _json(capsys)["error"] == "invalid_token"  # the item itself is gone
    assert main(["erase", "--user", "carol", "--yes", "--json", *table_args]) == 0
    assert _json(capsys) == {"erased": 0, "published": False}


def test_cli_list_shows_devices_and_activity_and_json_is_the_apis(
    table_args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
    from sessions_core.dynamodb.client import make_client

    endpoint, table = table_args[1], table_args[3]
    store = DynamoDBSessionStore(table, client=make_client(endpoint_url=endpoint))
    SessionManager(SessionConfig(store)).create(
        user_id="dora",
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
        ip_address="203.0.113.7",
    )
    capsys.readouterr()
    assert main(["list", "--user", "dora", *table_args]) == 0
    words = capsys.readouterr().out
    assert "Firefox on Linux, 203.0.113.7; last active" in words
    assert main(["list", "--user", "dora", "--json", *table_args]) == 0
    (session,) = _json(capsys)["sessions"]
    assert session["device"]["label"] == "Firefox on Linux"
    assert "lifetime" not in session and "boundUserAgent" not in session
    assert None not in session.values()
    assert {"userId", "createdAt", "expiresAt", "lastActiveAt"} <= set(session)
