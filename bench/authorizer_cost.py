"""The authorizer per credential: DynamoDB requests per 1,000 authorizations at 200 a
second in one container (counted on the wire, moto in process, the clock moved, not
waited for), and what a million authorizations cost in each mode, from those counts,
the warm durations the cold-start benchmark measured, and published on-demand prices
(printed with where they come from, so a reader can update them)."""

from __future__ import annotations

import math
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb.client import make_client
from tests.harness.consumed import ConsumedCapacity
from tests.support import FakeClock, RequestCounter, local_access_tokens, wired

RATE = 200  # authorizations a second in one container
CALLS = 6000  # 30 s at RATE: six polls' worth, reported per 1,000

# us-east-1 on-demand, as published when this was written (2026): check the pages.
PRICES = {
    "http_api_per_million": (1.00, "aws.amazon.com/api-gateway/pricing (first 300M/month)"),
    "lambda_requests_per_million": (0.20, "aws.amazon.com/lambda/pricing (arm64)"),
    "lambda_gb_second": (0.0000133334, "aws.amazon.com/lambda/pricing (arm64)"),
    "dynamodb_read_units_per_million": (0.125, "aws.amazon.com/dynamodb/pricing/on-demand"),
    "kms_rsa2048_sign_per_million": (3.00, "aws.amazon.com/kms/pricing ($0.03/10k)"),
    "cognito_essentials_per_mau": (0.015, "aws.amazon.com/cognito/pricing (after 10k free)"),
}
AUTHORIZER_GB = 0.25  # template.yaml: MemorySize 256
API_GB = 0.5
# A stated usage pattern: an active user sends a request every 10 s; a 5-minute
# access token is renewed at 80 % of its life, so one serves 24 requests.
REQUESTS_PER_TOKEN = 24
CACHE_SECONDS = 300
REQUESTS_PER_CACHED_ANSWER = CACHE_SECONDS // 10
ISSUE_MS = 25  # the API issuing one (a validate and a KMS signature; not measured here)
MAU = 1_000_000
REQUESTS_PER_MAU_PER_MONTH = 30 * 30 * 6  # 30 minutes a day, 6 requests a minute


def measure_authorizer_requests() -> dict[str, Any]:
    """DynamoDB requests (and keys read) per 1,000 authorizations at `RATE` a second,
    for a session token and for an access token."""
    from handlers import authorizer
    from sessions_core import key_files

    # The keys live only as long as the measurement (no secret left behind), and what
    # points at them is put back for the benchmarks that follow.
    with (
        tempfile.TemporaryDirectory(prefix="bench-keys-") as directory,
        mock.patch.object(key_files, "LOCAL_KEY_DIR", Path(directory)),
        mock.patch.dict(os.environ, {"SESSIONS_KEY_FILE": str(Path(directory) / "secret-key")}),
    ):
        out = _count_requests(authorizer)
    out["poll_seconds"] = 5
    out["formula"] = (
        "access-token read units per 1,000 authorizations in one container = "
        "8 (one Query per feed shard) x 1000 / max(1, rate x poll): polls are per container"
        " and interval, not per request"
    )
    return out


def _count_requests(authorizer: Any) -> dict[str, Any]:
    from moto import mock_aws

    clock = FakeClock()
    with mock_aws():
        store = DynamoDBSessionStore("bench-authorizer", client=make_client())
        store.create_table()
        manager = SessionManager(
            SessionConfig(store, clock=clock, access_tokens=local_access_tokens(clock))
        )
        session = manager.create(user_id="bench")
        access = manager.issue_access_token(session.token or "", expires_in=timedelta(hours=1))
        out: dict[str, Any] = {}
        with wired(manager):
            for name, token in (
                ("session_token", session.token or ""),
                ("access_token", access.access_token),
            ):
                event = {"headers": {"authorization": f"Bearer {token}"}}
                authorizer.handler(event, None)  # warm: a first read is a cold start's
                wire = RequestCounter(store.client)
                keys = _keys_read(store.client)
                meter = ConsumedCapacity(store.client)
                with meter.measuring() as units:
                    for _ in range(CALLS):
                        assert authorizer.handler(event, None)["isAuthorized"]
                        clock.advance(timedelta(seconds=1 / RATE))
                out[name] = {
                    "requests_per_1000": wire.total * 1000 / CALLS,
                    "keys_per_1000": keys[0] * 1000 / CALLS,
                    # billed units (an empty Query page at DynamoDB's one-unit minimum)
                    "read_units_per_1000": units.read * 1000 / CALLS,
                }
    return out


def _keys_read(client: Any) -> list[int]:
    counted = [0]

    def count(params: dict[str, Any], **_: Any) -> None:
        counted[0] += sum(len(t["Keys"]) for t in params.get("RequestItems", {}).values())

    client.meta.events.register("before-parameter-build.dynamodb.BatchGetItem", count)
    return counted


def cost_model(requests: dict[str, Any], warm_ms: dict[str, float]) -> dict[str, Any]:
    """Dollars per million authorizations, and a month for `MAU` users, per mode."""
    price = {name: value for name, (value, _) in PRICES.items()}
    invoke = price["lambda_requests_per_million"]

    def lambda_cost(ms: float, gb: float) -> float:
        return invoke + math.ceil(ms) / 1000 * gb * price["lambda_gb_second"] * 1e6

    def reads(name: str) -> float:
        units = requests[name]["read_units_per_1000"]
        return units * 1000 * price["dynamodb_read_units_per_million"] / 1e6

    issuing = (
        price["http_api_per_million"]
        + lambda_cost(ISSUE_MS, API_GB)
        + 2 * price["dynamodb_read_units_per_million"]
        + price["kms_rsa2048_sign_per_million"]
    ) / REQUESTS_PER_TOKEN
    session = lambda_cost(warm_ms["session_token"], AUTHORIZER_GB) + reads("session_token")
    access = lambda_cost(warm_ms["access_token"], AUTHORIZER_GB) + reads("access_token")
    modes = {
        "session token, our authorizer": (session, "at once: its next request is refused"),
        "access token, our authorizer": (
            access + issuing,
            "poll + 1 s (6 s); up to 30 s while DynamoDB errors",
        ),
        f"access token, our authorizer, {CACHE_SECONDS} s result cache": (
            access / REQUESTS_PER_CACHED_ANSWER + issuing,
            f"up to {CACHE_SECONDS} s + 6 s",
        ),
        "access token, API Gateway's JWT authorizer": (issuing, "the token's lifetime (300 s)"),
    }
    monthly = REQUESTS_PER_MAU_PER_MONTH * MAU / 1e6
    return {
        "prices": {
            name: {"value": value, "source": source} for name, (value, source) in PRICES.items()
        },
        "assumptions": {
            "requests_per_token": REQUESTS_PER_TOKEN,
            "requests_per_cached_answer": REQUESTS_PER_CACHED_ANSWER,
            "issue_ms": ISSUE_MS,
            "warm_ms": warm_ms,
            "mau": MAU,
            "requests_per_mau_per_month": REQUESTS_PER_MAU_PER_MONTH,
        },
        "per_million": {
            name: {"dollars": cost, "revocation_lag": lag, "per_month_for_mau": cost * monthly}
            for name, (cost, lag) in modes.items()
        },
        "http_api_per_million": price["http_api_per_million"],
        "cognito_essentials_for_mau": (MAU - 10_000) * price["cognito_essentials_per_mau"],
    }
