"""The floors in pyproject.toml are versions the code runs on: the minimum-versions job
(`make test-min-versions`, part of `make ci`) installs exactly these and runs the unit
and contract tests; here, that its constraints say what pyproject.toml says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.min_versions.constraints import floors


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_constraints_pin_every_runtime_dependency_and_the_local_extra() -> None:
    pinned = floors()
    assert {"boto3", "pydantic", "aws-lambda-powertools", "ua-parser", "PyJWT", "moto"} <= set(
        pinned
    )


@pytest.mark.parametrize(
    ("package", "needed", "why"),
    [
        ("PyJWT", "2.14", "PyJWKClient(cooldown_duration=...) in sessions_client.verifier"),
        ("aws-lambda-powertools", "3.25", "RequestUnsupportedContentType in handlers.api"),
        ("boto3", "1.37", "botocore Config(account_id_endpoint_mode=...) in the stream poller"),
    ],
)
def test_floor_is_at_least_the_release_the_code_needs(package: str, needed: str, why: str) -> None:
    assert _version(floors()[package]) >= _version(needed), why


def test_a_requirement_without_a_floor_is_refused(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\ndependencies = ["boto3"]\n[project.optional-dependencies]\nlocal = []\n'
    )
    with pytest.raises(ValueError, match="boto3"):
        floors(pyproject)
