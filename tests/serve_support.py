"""Helpers for tests that run `sessions serve` as its own process and talk HTTP to it
(the serve, browser and schemathesis tests share them)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    log: Path


@dataclass
class Reply:
    status: int
    headers: Any
    body: Any


def start_serve(log: Path, *extra: str, env: dict[str, str] | None = None) -> Served:
    """Start `sessions serve` on a free port with its embedded DynamoDB (and ``env`` on
    top of this process's environment); wait for it."""
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env = {**base, "SESSIONS_TABLE": "serve-test", **(env or {})}
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "sessions_cli.main", "serve", "--port", str(port), *extra],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{log.read_text()}")
        if "Press Ctrl+C" in log.read_text():
            return Served(f"http://127.0.0.1:{port}", process, log)
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"serve did not start:\n{log.read_text()}")


def call(
    served: Served, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> Reply:
    data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
    request = urllib.request.Request(
        served.url + path, data=data, method=method, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            status, reply_headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, reply_headers = error.read(), error.code, error.headers
    text = raw.decode()
    parsed = (
        json.loads(text)
        if text and reply_headers.get("Content-Type", "").startswith("application/json")
        else text
    )
    return Reply(status, reply_headers, parsed)


def wait_for_log(served: Served, text: str, timeout: float = 5.0) -> str:
    """The log once ``text`` is in it (the server writes after responding)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = served.log.read_text()
        if text in log:
            return log
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never logged:\n{served.log.read_text()}")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
