"""schemathesis against the API's own OpenAPI document, over HTTP to `sessions serve`:
no 5xx, every 4xx is JSON ``{error, message}``, and rule 15's headers on every answer."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from handlers import docs
from handlers.api import app
from tests.serve_support import Served, start_serve

SCHEMA = schemathesis.openapi.from_dict(json.loads(docs.openapi_json(app)))
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    served: Served = start_serve(tmp_path_factory.mktemp("fuzz") / "serve.log")
    yield served.url
    served.process.terminate()
    served.process.wait(timeout=10)


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_fuzz_no_server_error_and_json_errors(case: Any, api_url: str) -> None:
    response = case.call(base_url=api_url)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    headers = response.headers  # lowercase names, lists of values
    assert headers.get("x-content-type-options") == ["nosniff"], (case.method, case.path)
    if re.search(r'"(token|accessToken)"\s*:', response.text):  # a credential answered
        assert headers.get("cache-control") == ["no-store"], (case.method, case.path)
    if response.status_code >= 400:
        answer = response.json()
        assert set(answer) == {"error", "message"}, answer
        assert isinstance(answer["error"], str) and isinstance(answer["message"], str)
