"""Cold start as Lambda sees it: a fresh interpreter importing the handler and serving
its first request (authorizer: one valid bearer token; API: ``GET /me/session``),
beside the floor ``import boto3; boto3.client("dynamodb").get_item(...)``, all on the
same dynalite, interleaved, medians. And the warm authorizer per request beside a bare
``GetItem`` and a bare two-key ``BatchGetItem``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.measure import repeat
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb.client import make_client
from tests.harness.protocol_servers import start_dynalite

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "tests" / "events"
TABLE = "bench-cold"
KEY = "c" * 64
ISSUER = "https://bench.execute-api.us-east-1.amazonaws.com"
LAMBDA_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "SESSIONS_TABLE": TABLE,
    "SESSIONS_SECRET_KEY": KEY,
    "ALLOWED_ORIGINS": "https://app.example.com",
    "POWERTOOLS_SERVICE_NAME": "sessions",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "PYDANTIC_DISABLE_PLUGINS": "__all__",  # as template.yaml sets it
}
# The parts of a Lambda context Powertools reads, defined in the child (importing our
# own test helper would add to what is measured).
CONTEXT = (
    "class Context:\n"
    "    function_name = 'bench'; function_version = '$LATEST'; memory_limit_in_mb = 512\n"
    "    invoked_function_arn = 'arn:aws:lambda:us-east-1:000000000000:function:bench'\n"
    "    aws_request_id = 'r'; log_group_name = 'g'; log_stream_name = 's'\n"
    "    def get_remaining_time_in_millis(self): return 5000\n"
)


def _programs(token: str, access_token: str) -> dict[str, str]:
    authorizer = (EVENTS / "authorizer_request.json").read_text().replace("TOKEN", token)
    api = (EVENTS / "me_session_cookie.json").read_text().replace("TOKEN", token)
    bearer = json.loads((EVENTS / "authorizer_request.json").read_text())
    bearer.pop("cookies")
    bearer["headers"]["authorization"] = f"Bearer {access_token}"
    return {
        "floor: boto3 client + get_item": (
            "import boto3\n"
            f"boto3.client('dynamodb').get_item(TableName={TABLE!r}, Key={{'id': {{'S': 'x'}}}})"
        ),
        "authorizer: import + first request": CONTEXT
        + "import json\nimport handlers.authorizer as h\n"
        + f"assert h.handler(json.loads({authorizer!r}), Context())['isAuthorized']",
        "authorizer, access token: import + first": CONTEXT
        + "import json\nimport handlers.authorizer as h\n"
        + f"assert h.handler(json.loads({json.dumps(bearer)!r}), Context())['isAuthorized']",
        "api: import + GET /me/session": CONTEXT
        + "import json\nimport handlers.api as h\n"
        + f"assert h.handler(json.loads({api!r}), Context())['statusCode'] == 200",
    }


def _env(endpoint: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "PYENV_VERSION"}}
    return {**keep, **LAMBDA_ENV, "AWS_ENDPOINT_URL_DYNAMODB": endpoint, "PYTHONPATH": str(ROOT)}


def over_floor(samples: dict[str, list[float]]) -> dict[str, Any]:
    """Each case's figures (ms) and its median over the floor's."""
    figures = {name: repeat(values, "ms") for name, values in samples.items()}
    floor = figures["floor: boto3 client + get_item"].median
    return {
        name: {**figure.as_dict(), "over_floor": figure.median / floor}
        for name, figure in figures.items()
    }


def measure_cold_start(runs: int = 15, warm_calls: int = 300) -> dict[str, Any]:
    """Medians of fresh interpreters (interleaved) and of warm authorizer requests."""
    server = start_dynalite()
    try:
        store = DynamoDBSessionStore(TABLE, client=make_client(endpoint_url=server.url))
        store.create_table()
        manager = SessionManager(SessionConfig(store, secret_key=KEY))
        token = manager.create(user_id="bench", user_agent="Firefox/140.0").token or ""
        access_token = deployed_access_token(store, token)
        programs = _programs(token, access_token)
        samples: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(runs):
            for name, code in programs.items():
                started = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-c", code], env=_env(server.url), check=True, cwd=ROOT
                )
                samples[name].append((time.perf_counter() - started) * 1000)
        out = over_floor(samples)
        out["warm"] = _warm(server.url, token, warm_calls, access_token)
        out["top_imports"] = {
            name: top_imports(programs[name], server.url)
            for name in (
                "authorizer: import + first request",
                "authorizer, access token: import + first",
                "api: import + GET /me/session",
            )
        }
        return out
    finally:
        server.stop()


def _warm(endpoint: str, token: str, calls: int, access_token: str) -> dict[str, Any]:
    """The authorizer handler per warm request vs the bare reads it stands for."""
    bearer = json.loads((EVENTS / "authorizer_request.json").read_text())
    bearer.pop("cookies")
    bearer["headers"]["authorization"] = f"Bearer {access_token}"
    code = (
        CONTEXT
        + "import json, statistics, time, boto3\nimport handlers.authorizer as h\n"
        + f"event = json.loads({(EVENTS / 'authorizer_request.json').read_text().replace('TOKEN', token)!r})\n"
        + f"bearer = json.loads({json.dumps(bearer)!r})\n"
        + "c = boto3.client('dynamodb'); ctx = Context()\n"
        + f"key = {{'id': {{'S': 'session:' + {token.split('.', maxsplit=1)[0]!r}}}}}\n"
        + "work = {\n"
        + " 'authorizer': lambda: h.handler(event, ctx),\n"
        + " 'authorizer, access token': lambda: h.handler(bearer, ctx),\n"
        + f" 'get_item': lambda: c.get_item(TableName={TABLE!r}, Key=key, ConsistentRead=True),\n"
        + f" 'batch_get_item (2 keys)': lambda: c.batch_get_item(RequestItems={{{TABLE!r}: "
        + "{'Keys': [key, {'id': {'S': 'session:user:x'}}], 'ConsistentRead': True}}),\n"
        + "}\n"
        + "for f in work.values(): f(); f()\n"
        + "out = {k: [] for k in work}\n"
        + f"for _ in range({calls}):\n"
        + "    for k, f in work.items():\n"
        + "        t = time.perf_counter(); f(); out[k].append((time.perf_counter() - t) * 1000)\n"
        + "print(json.dumps({k: statistics.median(v) for k, v in out.items()}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(endpoint),
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    medians: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    floor = medians["get_item"]
    return {name: {"median_ms": ms, "over_get_item": ms / floor} for name, ms in medians.items()}


def deployed_access_token(store: DynamoDBSessionStore, token: str) -> str:
    """An access token for the session ``token`` names, signed with a key whose public
    half is in the table's key set, as a deployment's would be (the private key is a
    local one here: KMS is not what a cold start of the authorizer touches)."""
    import tempfile

    from sessions_core.access_tokens import AccessTokenPolicy
    from sessions_core.dynamodb.key_set_item import KeySetItem
    from sessions_core.dynamodb.layout import Layout
    from sessions_core.local_signing_keys import LocalSigningKeys
    from sessions_core.signing_keys import KeySet
    from sessions_core.token_service import AccessTokens, CachedKeys

    # The private key is needed only to sign this one token: it leaves no file behind.
    with tempfile.TemporaryDirectory(prefix="bench-keys-") as directory:
        keys = LocalSigningKeys(Path(directory) / "keys.json")
        manager = SessionManager(SessionConfig(store, secret_key=KEY))
        published = KeySet(keys.load(manager.config.now()).entries, issuer=ISSUER)
        KeySetItem(store.table, Layout(store.prefix)).save(published, replacing=None)
        cached = CachedKeys(keys, manager.config.now)
        tokens = AccessTokens(AccessTokenPolicy(ISSUER, ("api",)), cached)
        issuing = SessionManager(SessionConfig(store, secret_key=KEY, access_tokens=tokens))
        return issuing.issue_access_token(token, expires_in=timedelta(hours=1)).access_token


def top_imports(code: str, endpoint: str, count: int = 8) -> list[dict[str, Any]]:
    """The modules with the largest self time under ``-X importtime``."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=_env(endpoint),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    rows = []
    for line in result.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if found:
            rows.append((int(found.group(1)), int(found.group(2)), found.group(4)))
    rows.sort(reverse=True)
    return [
        {"module": m, "self_ms": s / 1000, "cumulative_ms": c / 1000} for s, c, m in rows[:count]
    ]
