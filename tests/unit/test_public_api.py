"""``from sessions_core import ...`` offers every name the Python API documents, the
access token ones included, and nothing it cannot import."""

from __future__ import annotations

import importlib

import pytest

import sessions_core

ACCESS_TOKEN_NAMES = ["AccessToken", "AccessTokenClaims", "InvalidAccessTokenError", "SigningKeys"]


@pytest.mark.parametrize("name", ACCESS_TOKEN_NAMES)
def test_sessions_core_access_token_name_is_exported(name: str) -> None:
    assert name in sessions_core.__all__
    assert getattr(importlib.import_module("sessions_core"), name) is not None


def test_sessions_core_every_exported_name_imports() -> None:
    for name in sessions_core.__all__:
        assert getattr(sessions_core, name) is not None, name
    assert sorted(sessions_core.__all__) == sorted(sessions_core.__dir__())


def test_signing_keys_is_the_key_set_with_thumbprint_kids() -> None:
    from sessions_core import SigningKeys
    from sessions_core.signing_keys import KeySet

    assert SigningKeys is KeySet and SigningKeys().entries == ()
