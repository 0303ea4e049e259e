"""Keys are real or refused: no blank, short or derived deployment key; local key files
private to their owner, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.settings import Settings
from sessions_core.errors import KeyConfigurationError
from sessions_core.keys import KeyRing, local_key_ring


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "a" * 16, "b" * 31])
def test_key_blank_or_short_is_refused_with_how_to_make_one(text: str) -> None:
    # Before: 16 x "a" was accepted, and a blank key fell back to one derived from the
    # table's name (every deployment with that name shared it).
    with pytest.raises(KeyConfigurationError, match=r"secrets\.token_urlsafe"):
        KeyRing.from_text(text)


def test_key_previous_short_one_is_refused_too() -> None:
    with pytest.raises(KeyConfigurationError):
        KeyRing.from_text("k" * 32, "short")


@pytest.mark.parametrize("value", ["", "   "])
def test_settings_blank_key_in_the_environment_is_refused(value: str) -> None:
    with pytest.raises(KeyConfigurationError):
        Settings.from_env({"SESSIONS_SECRET_KEY": value, "SESSIONS_TABLE": "t"})


def test_settings_lambda_without_a_key_is_refused_not_derived() -> None:
    env = {"SESSIONS_TABLE": "t", "AWS_LAMBDA_FUNCTION_NAME": "api"}
    with pytest.raises(KeyConfigurationError, match=r"template\.yaml"):
        Settings.from_env(env)


def test_api_without_a_key_in_lambda_answers_500_without_details(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from handlers import api
    from tests.integration.api_support import body, event, invoke

    monkeypatch.delenv("SESSIONS_SECRET_KEY", raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "api")
    previous = api.wiring.use(None)
    try:
        result = invoke(event("me_session_cookie", token="x"))
    finally:
        api.wiring.use(previous)
    assert result["statusCode"] == 500 and body(result)["error"] == "internal_error"


@pytest.fixture
def umask_zero() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_local_key_file_is_created_0600_in_a_0700_directory_under_umask_0(
    tmp_path: Path, umask_zero: None
) -> None:
    # Before: under umask 0 the directory was created 0777.
    path = tmp_path / "fresh" / "secret-key"
    local_key_ring(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_local_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "secret-key"
    local_key_ring(path)
    path.chmod(mode)
    with pytest.raises(KeyConfigurationError, match="chmod 600"):
        local_key_ring(path)


def test_local_key_file_with_a_short_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret-key"
    path.write_text("short")
    path.chmod(0o600)
    with pytest.raises(KeyConfigurationError, match=str(path)):
        local_key_ring(path)


def test_local_key_file_is_shared_by_two_rings(tmp_path: Path) -> None:
    path = tmp_path / "secret-key"
    first, second = local_key_ring(path), local_key_ring(path)
    assert first.user_ref("u") == second.user_ref("u")


def test_key_file_in_a_directory_others_can_write_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(KeyConfigurationError, match=f"chmod 700 {shared}"):
        local_key_ring(shared / "secret-key")


def test_key_file_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "keys"
    home.mkdir(mode=0o700)
    real = home / "real-key"
    real.write_text("k" * 48)
    real.chmod(0o600)
    (home / "secret-key").symlink_to(real)
    with pytest.raises(KeyConfigurationError, match="symbolic link"):
        local_key_ring(home / "secret-key")


def test_key_directory_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    with pytest.raises(KeyConfigurationError, match="symbolic link"):
        local_key_ring(tmp_path / "linked" / "secret-key")
