"""Cold start of the artifact as deployed: each function built by the Makefile's own
recipe (for this machine's platform, x86_64, so that it runs here), started by the
template's runtime Python (3.13) with a read-only bytecode cache
(``PYTHONDONTWRITEBYTECODE=1``, as Lambda's /var/task is), beside the floor
``import boto3; client; get_item`` with boto3 precompiled as the runtime's is; and the
same artifact without its bytecode, as the recipes built it before. Import + first
request, interleaved, medians, on one dynalite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.coldstart import LAMBDA_ENV, ROOT, _programs, deployed_access_token, over_floor
from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.dynamodb.client import make_client
from tests.artifact_check import runtime_tag
from tests.harness.protocol_servers import start_dynalite

TABLE = "bench-cold"
KEY = "c" * 64
_PLATFORM = "manylinux2014_x86_64"


def _runtime() -> tuple[str, dict[str, str]]:
    """The runtime's interpreter, and the environment that selects it (pyenv)."""
    version = "3." + runtime_tag().removeprefix("cpython-3")
    pyenv = subprocess.run(
        ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=False
    )
    chosen = next((v for v in pyenv.stdout.split() if v.startswith(version)), None)
    env = {"PYENV_VERSION": chosen} if chosen else {}
    return f"python{version}", env


def _build(function: str, into: Path) -> None:
    subprocess.run(
        ["make", "--no-print-directory", f"build-{function}", f"ARTIFACTS_DIR={into}",
         f"LAMBDA_PLATFORM={_PLATFORM}"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip


def _boto3(into: Path, python: str, env: dict[str, str]) -> None:
    """boto3 as the runtime ships it: installed for 3.13 and precompiled."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--target", str(into), "--platform", _PLATFORM, "--implementation", "cp",
         "--python-version", python.removeprefix("python"), "--only-binary=:all:", "boto3"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", str(into)],
        env={**os.environ, **env}, check=True, capture_output=True,
    )  # fmt: skip


def _size_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6


def measure_artifact_cold_start(runs: int = 11) -> dict[str, Any]:
    """Medians of the as-deployed cold starts, with and without bytecode, beside the
    floor; each artifact's size. ``{"skipped": why}`` without the runtime's Python."""
    python, pyenv = _runtime()
    if subprocess.run([python, "-c", "pass"], env={**os.environ, **pyenv}, check=False).returncode:
        return {"skipped": f"no {python} on this machine (pyenv install it)"}
    server = start_dynalite()
    with tempfile.TemporaryDirectory(prefix="bench-artifact-") as directory:
        work = Path(directory)
        try:
            return _measure(server.url, work, python, pyenv, runs)
        finally:
            server.stop()


def _measure(endpoint: str, work: Path, python: str, pyenv: dict[str, str], runs: int) -> Any:
    store = DynamoDBSessionStore(TABLE, client=make_client(endpoint_url=endpoint))
    store.create_table()
    manager = SessionManager(SessionConfig(store, secret_key=KEY))
    token = manager.create(user_id="bench", user_agent="Firefox/140.0").token or ""
    programs = _programs(token, deployed_access_token(store, token))
    runtime = work / "runtime"
    _boto3(runtime, python, pyenv)
    artifacts = {}
    for function in ("AuthorizerFunction", "ApiFunction"):
        built = work / function
        _build(function, built)
        bare = work / f"{function}-no-bytecode"
        shutil.copytree(built, bare, ignore=shutil.ignore_patterns("__pycache__"))
        artifacts[function] = (built, bare)
    cases = {"floor: boto3 client + get_item": (programs["floor: boto3 client + get_item"], None)}
    for name, function in (
        ("authorizer: import + first request", "AuthorizerFunction"),
        ("authorizer, access token: import + first", "AuthorizerFunction"),
        ("api: import + GET /me/session", "ApiFunction"),
    ):
        built, bare = artifacts[function]
        cases[name] = (programs[name], built)
        cases[f"{name} (no bytecode)"] = (programs[name], bare)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, (code, artifact) in cases.items():
            path = str(runtime) if artifact is None else f"{artifact}{os.pathsep}{runtime}"
            env = {
                "PATH": os.environ.get("PATH", ""),
                "HOME": os.environ.get("HOME", ""),
                **pyenv,
                **LAMBDA_ENV,
                "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
                "PYTHONPATH": path,
                "PYTHONDONTWRITEBYTECODE": "1",
            }
            started = time.perf_counter()
            subprocess.run([python, "-c", code], env=env, check=True, cwd=work)
            samples[name].append((time.perf_counter() - started) * 1000)
    out = over_floor(samples)
    out["python"] = python
    out["size_mb"] = {f: round(_size_mb(built), 1) for f, (built, _) in artifacts.items()}
    return out
