"""`sessions serve --enforce-iam` checks SigV4 as API Gateway does: the body's own hash,
the configured region, and real credentials (never placeholders)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sessions_local.sigv4_check import check

KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
URL = "http://127.0.0.1:3000/sessions"
ROOT = Path(__file__).resolve().parents[2]


def _signed(body: bytes, *, region: str = "us-east-1", hashed: bool = True) -> dict[str, str]:
    headers = {"host": "127.0.0.1:3000", "content-type": "application/json"}
    if hashed:
        headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    request = AWSRequest(method="POST", url=URL, data=body, headers=headers)
    SigV4Auth(KEYS, "execute-api", region).add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()}


def test_check_accepts_a_correctly_signed_request() -> None:
    body = b'{"userId": "alice"}'
    assert check("POST", URL, _signed(body), body, KEYS, region="us-east-1") is not None
    plain = _signed(body, hashed=False)
    assert check("POST", URL, plain, body, KEYS, region="us-east-1") is not None


def test_check_refuses_a_signed_request_replayed_with_another_body() -> None:
    # Before: the payload hash was taken from X-Amz-Content-Sha256 as sent, so a
    # captured request could carry any body.
    headers = _signed(b'{"userId": "alice"}')
    other = b'{"userId": "mallory"}'
    assert check("POST", URL, headers, other, KEYS, region="us-east-1") is None


def test_check_refuses_a_declared_hash_that_is_not_the_bodys() -> None:
    body = b'{"userId": "alice"}'
    headers = _signed(body)
    headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    assert check("POST", URL, headers, body, KEYS, region="us-east-1") is None


def test_check_refuses_a_request_signed_for_another_region() -> None:
    # Before: any region in the credential scope was accepted.
    body = b"{}"
    headers = _signed(body, region="eu-west-1")
    assert check("POST", URL, headers, body, KEYS, region="us-east-1") is None


def test_serve_enforce_iam_without_credentials_refuses_to_start(tmp_path: Path) -> None:
    # Before: it checked against the placeholder credentials serve sets for moto.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_ACCESS", "AWS_SECRET", "AWS_SESSION", "AWS_PROFILE"))
    }
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "none"))
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "none")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    result = subprocess.run(
        [sys.executable, "-m", "sessions_cli.main", "serve", "--enforce-iam", "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "AWS_ACCESS_KEY_ID" in result.stderr and "Traceback" not in result.stderr
