"""A key that is refused says where it came from: the variable, the secret or the file
an operator has to fix, not only "a secret key needs at least 32 bytes"."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.setting_values import key_ring
from sessions_core import SessionConfig
from sessions_core.errors import KeyConfigurationError
from sessions_core.keys import KeyRing, local_key_ring
from sessions_core.memory_store import InMemorySessionStore

GOOD = "k" * 40


@pytest.mark.parametrize("value", ["", "   ", "short"])
def test_key_ring_bad_secret_key_variable_names_it(value: str) -> None:
    with pytest.raises(KeyConfigurationError) as refused:
        key_ring({"SESSIONS_SECRET_KEY": value})
    assert refused.value.message.startswith("SESSIONS_SECRET_KEY ")
    assert "at least 32 bytes" in refused.value.message


def test_key_ring_bad_previous_key_names_the_variable_and_which_one() -> None:
    with pytest.raises(KeyConfigurationError) as refused:
        key_ring({"SESSIONS_SECRET_KEY": GOOD, "SESSIONS_PREVIOUS_SECRET_KEYS": f"{GOOD},tiny"})
    assert "SESSIONS_PREVIOUS_SECRET_KEYS (key 2) holds 4 bytes" in refused.value.message


def test_local_key_ring_short_key_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "secret-key"
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(KeyConfigurationError) as refused:
        local_key_ring(path)
    assert f"the key file {path} holds 5 bytes" in refused.value.message


def test_session_config_short_secret_key_names_the_setting() -> None:
    with pytest.raises(KeyConfigurationError) as refused:
        SessionConfig(InMemorySessionStore(), secret_key="short")
    assert refused.value.message.startswith("SessionConfig.secret_key holds 5 bytes")


def test_key_ring_good_keys_are_accepted_and_never_shown() -> None:
    ring = KeyRing.from_text(f" {GOOD} ", f"{GOOD}x, ")
    assert "k" * 10 not in repr(ring) and "2 key(s)" in repr(ring)
