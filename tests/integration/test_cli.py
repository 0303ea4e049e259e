"""The operator commands (`sessions create`, `validate`, ...) against moto_server."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest

from sessions_cli.main import main
from sessions_cli.protocol_servers import ProtocolServer
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
