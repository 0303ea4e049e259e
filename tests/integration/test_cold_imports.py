"""What an entry point's cold start imports: its first request in a fresh interpreter,
as Lambda runs it (the programs `make bench` times)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from bench.coldstart import KEY, ROOT, _env, _programs, deployed_access_token
from sessions_core import SessionConfig, SessionManager
from tests.support import running_server, server_store


def test_authorizer_access_token_cold_start_imports_no_pydantic(
    protocol_servers: dict[str, Any],
) -> None:
    # GIVEN a session and an access token a deployment's authorizer would verify
    store = server_store(protocol_servers, "dynalite")
    token = SessionManager(SessionConfig(store, secret_key=KEY)).create(user_id="u").token
    access_token = deployed_access_token(store, token or "")
    program = _programs(token or "", access_token)["authorizer, access token: import + first"]
    # WHEN a fresh interpreter imports the authorizer and authorizes the token
    result = subprocess.run(
        [sys.executable, "-c", program + "\nimport sys\nprint(sorted(sys.modules))"],
        env={
            **_env(running_server(protocol_servers, "dynalite").url),
            "SESSIONS_TABLE": store.table_name,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    # THEN it was allowed without loading pydantic or the session models: verifying a
    # token and reading the feed need neither, and they are a fifth of the cold start
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = result.stdout.strip().splitlines()[-1]
    assert "'pydantic'" not in loaded and "'sessions_core.models'" not in loaded
