"""Cold start: a fresh interpreter importing each Lambda module and building its
client, beside ``import boto3; boto3.client('dynamodb')``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.measure import repeat

ROOT = Path(__file__).resolve().parent.parent
LAMBDA_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "SESSIONS_TABLE": "sessions",
    "POWERTOOLS_SERVICE_NAME": "sessions",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
}
PROGRAMS = {
    "boto3 + client (floor)": "import boto3; boto3.client('dynamodb')",
    "authorizer": "import handlers.authorizer as h; h.wiring.runtime()",
    "api handler": "import handlers.api as h; h.wiring.runtime()",
}


def _env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "PYENV_VERSION"}}
    return {**keep, **LAMBDA_ENV, "PYTHONPATH": str(ROOT)}


def measure_cold_start(runs: int = 15) -> dict[str, Any]:
    """Median wall time per program, interleaved so drift hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in PROGRAMS}
    for _ in range(runs):
        for name, code in PROGRAMS.items():
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=_env(), check=True, cwd=ROOT)
            samples[name].append((time.perf_counter() - started) * 1000)
    figures = {name: repeat(values, "ms") for name, values in samples.items()}
    floor = figures["boto3 + client (floor)"].median
    return {
        name: {**figure.as_dict(), "over_floor": figure.median / floor}
        for name, figure in figures.items()
    } | {
        "top_imports": {name: top_imports(PROGRAMS[name]) for name in ("authorizer", "api handler")}
    }


def top_imports(code: str, count: int = 8) -> list[dict[str, Any]]:
    """The modules with the largest self time under ``-X importtime``."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=_env(),
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
