"""``sessions keys``: rotating, listing and rolling back the signing keys, on this
machine's key file (what serve signs with) and on a deployment's key set (moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sessions_cli.main import main
from sessions_core.local_signing_keys import LocalSigningKeys


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "signing-keys.json"
    monkeypatch.setenv("SESSIONS_SIGNING_KEYS_FILE", str(path))
    return path


def _json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def test_rotate_adds_a_published_key_that_signs_after_the_default_lead(
    key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "list", "--json"]) == 0
    (first,) = _json(capsys)["keys"]
    assert first["state"] == "signing" and key_file.exists()
    assert main(["keys", "rotate-signing"]) == 0
    out = capsys.readouterr()
    assert "It is published now and signs from" in out.out and "(in 2 h 5 min)" in out.out
    assert out.err == ""
    assert main(["keys", "list", "--json"]) == 0
    states = [(k["kid"], k["state"]) for k in _json(capsys)["keys"]]
    assert states[0] == (first["kid"], "signing") and states[1][1] == "next"
    assert len(LocalSigningKeys(key_file).jwks()["keys"]) == 2


def test_rotate_with_lead_zero_warns_and_signs_at_once(
    key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "rotate-signing", "--lead", "0", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["added"]["state"] == "signing"
    assert out.err.startswith("warning: --lead 0") and "2 hours" in out.err


def test_rollback_restores_the_previous_key_and_says_so(
    key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "list", "--json"])
    first = _json(capsys)["keys"][0]["kid"]
    main(["keys", "rotate-signing", "--lead", "0"])
    capsys.readouterr()
    assert main(["keys", "rollback"]) == 0
    assert f"{first} signs again" in capsys.readouterr().out


def test_rollback_with_nothing_to_roll_back_is_one_plain_line_and_exit_2(
    key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "rollback"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: there is no rotation to roll back: the set has one key"]


def test_a_negative_lead_is_refused_before_anything_changes(
    key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["keys", "rotate-signing", "--lead", "-5"])
    assert stopped.value.code == 2
    assert "--lead must be 0 or more seconds" in capsys.readouterr().err
    assert not key_file.exists()


def test_a_deployed_table_without_a_key_set_says_what_creates_it(
    moto_client: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessions_core import DynamoDBSessionStore

    DynamoDBSessionStore("deployed", client=moto_client).create_table()
    assert main(["keys", "rotate-signing", "--table", "deployed"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "first token" in err[0]


def test_withdraw_removes_a_key_at_once_and_refuses_the_only_signer(
    key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "list", "--json"]) == 0
    (first,) = _json(capsys)["keys"]
    # the only key that signs cannot go: the message says what to do first
    assert main(["keys", "withdraw", first["kid"], "--yes"]) == 2
    assert "rotate-signing --lead 0" in capsys.readouterr().err
    assert main(["keys", "withdraw", first["kid"]]) == 2  # without --yes
    assert "--yes" in capsys.readouterr().err
    assert main(["keys", "rotate-signing", "--lead", "0"]) == 0
    capsys.readouterr()
    assert main(["keys", "withdraw", first["kid"], "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"Withdrew signing key {first['kid']}" in out and "docs/operations.md" in out
    kids = [jwk["kid"] for jwk in LocalSigningKeys(key_file).jwks()["keys"]]
    assert first["kid"] not in kids and len(kids) == 1
