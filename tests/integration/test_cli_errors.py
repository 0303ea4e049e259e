"""Every CLI failure is one plain line naming the cause and the fix, a non-zero exit and
no traceback: no credentials, an unreachable endpoint, a missing table, a table on AWS
without its key, a secret that cannot be read, a bad port. (No region cannot happen: the
region defaults to us-east-1, and a secret's is read from its ARN.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sessions_cli.main import main
from tests.support import running_server

NO_AWS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> pytest.MonkeyPatch:
    """An environment with no AWS credentials, region or config files."""
    for name in (*NO_AWS, "AWS_DEFAULT_REGION", "AWS_REGION", "SESSIONS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return monkeypatch


def _one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_a_table_on_aws_without_its_key_names_both_fixes(
    bare: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _one_line(capsys, ["list", "--user", "alice", "--table", "prod"])
    assert "--secret-arn" in line and "--endpoint-url" in line


def test_a_secret_without_credentials_says_which_variables(
    bare: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:key"
    line = _one_line(capsys, ["list", "--user", "alice", "--secret-arn", arn])
    assert "no AWS credentials" in line and "AWS_PROFILE" in line


def test_a_secret_arn_that_is_not_one_is_refused(
    bare: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _one_line(capsys, ["list", "--user", "alice", "--secret-arn", "prod-key"])
    assert "Secrets Manager secret ARN" in line


def test_no_credentials_for_dynamodb_says_which_variables(
    bare: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bare.setenv("SESSIONS_SECRET_KEY", "k" * 40)
    bare.setenv("AWS_REGION", "eu-west-1")
    line = _one_line(capsys, ["list", "--user", "alice", "--table", "prod"])
    assert "no AWS credentials were found" in line


def test_an_unreachable_endpoint_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    line = _one_line(capsys, ["list", "--user", "alice", "--endpoint-url", "http://127.0.0.1:9"])
    assert "could not be reached" in line and "http://127.0.0.1:9" in line


def test_a_missing_table_says_how_to_create_it(
    protocol_servers: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    server = running_server(protocol_servers, "moto_server")
    table = f"missing-{uuid.uuid4().hex[:6]}"
    line = _one_line(
        capsys, ["list", "--user", "a", "--endpoint-url", server.url, "--table", table]
    )
    assert "does not exist" in line and "sessions create-table" in line


def test_a_bad_port_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--port", "eighty"])
    assert stopped.value.code == 2
    assert "invalid int value" in capsys.readouterr().err


def test_serve_with_a_readable_signing_key_file_names_it_and_chmod(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a signing key file its group can read (a copy that may have leaked)
    keys = tmp_path / "signing-keys.json"
    keys.write_text('{"keys": []}')
    keys.chmod(0o640)
    monkeypatch.setenv("SESSIONS_SIGNING_KEYS_FILE", str(keys))
    # WHEN serve starts THEN one line names the file and the fix, and no traceback
    line = _one_line(capsys, ["serve", "--port", "0"])
    assert str(keys) in line and f"chmod 600 {keys}" in line


def test_serve_with_a_short_secret_key_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SESSIONS_SECRET_KEY", "too-short")
    line = _one_line(capsys, ["serve", "--port", "0"])
    assert "SESSIONS_SECRET_KEY holds 9 bytes" in line and "secrets.token_urlsafe" in line
