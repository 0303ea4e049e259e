"""template.yaml ↔ code: the table, the routes, the handlers, the bundled requirements."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from sessions_core.config import DEFAULT_PREFIX
from sessions_core.dynamodb.feed_table import feed_table_name
from sessions_core.dynamodb.schema import (
    TTL_ATTRIBUTE,
    create_feed_table_request,
    create_table_request,
)
from tests.harness.template import load_template, routes

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")


def _table() -> dict[str, Any]:
    props: dict[str, Any] = TEMPLATE["Resources"]["SessionsTable"]["Properties"]
    return props


def _sorted(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item[key])


def test_template_table_matches_create_table_definition() -> None:
    code = create_table_request("t")
    table = _table()
    assert _sorted(table["AttributeDefinitions"], "AttributeName") == _sorted(
        code["AttributeDefinitions"], "AttributeName"
    )
    assert table["KeySchema"] == code["KeySchema"]
    assert _sorted(table["GlobalSecondaryIndexes"], "IndexName") == _sorted(
        code["GlobalSecondaryIndexes"], "IndexName"
    )
    assert table["BillingMode"] == code["BillingMode"]


def test_template_feed_table_matches_create_table_and_is_named_after_the_sessions_table() -> None:
    # GIVEN the feed table as code creates it, WHEN compared with the template's
    code = create_feed_table_request("t")
    feed = TEMPLATE["Resources"]["FeedTable"]["Properties"]
    assert _sorted(feed["AttributeDefinitions"], "AttributeName") == _sorted(
        code["AttributeDefinitions"], "AttributeName"
    )
    assert feed["KeySchema"] == code["KeySchema"]
    assert feed["BillingMode"] == code["BillingMode"]
    # THEN a library that knows the sessions table derives this one's name as the stack does
    assert feed["TableName"] == {"Sub": "${SessionsTable}-feed"}
    assert feed_table_name("x") == "x-feed"
    assert feed["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert feed["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert feed["SSESpecification"]["SSEEnabled"] is True


def test_template_table_has_ttl_pitr_sse_and_retain() -> None:
    table = _table()
    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert TEMPLATE["Resources"]["SessionsTable"]["DeletionPolicy"] == "Retain"


def _handler_routes() -> set[tuple[str, str]]:
    from handlers.api import app

    found = set()
    for route in app._static_routes + app._dynamic_routes:  # Powertools' route table
        for method in route.method.split("|") if isinstance(route.method, str) else route.method:
            path = route.openapi_path.replace("<", "{").replace(">", "}")
            found.add((method.upper(), path))
    return found


def _table_routes(demo: bool = False) -> set[tuple[str, str, str, str | None]]:
    from examples.login.routes import DEMO_ROUTES
    from handlers.route_table import FALLBACK, ROUTES

    specs = [*ROUTES, FALLBACK, *(DEMO_ROUTES if demo else ())]
    return {(s.method, s.path, s.function, "AWS_IAM" if s.auth == "iam" else None) for s in specs}


@pytest.mark.parametrize("demo", [False, True])
def test_template_routes_are_the_route_table(demo: bool) -> None:
    # The router, the guards, OpenAPI and `sessions serve` read the table; the
    # template must deploy exactly it (each route to the function the table names).
    conditions = frozenset({"DemoEnabled"}) if demo else frozenset()
    declared = {(r.method, r.path, r.function, r.authorizer) for r in routes(TEMPLATE, conditions)}
    assert declared == _table_routes(demo)


def test_template_handlers_are_the_route_tables() -> None:
    from examples.login.routes import DEMO_FUNCTION, DEMO_HANDLER
    from handlers.route_table import HANDLERS

    for function, handler in {**HANDLERS, DEMO_FUNCTION: DEMO_HANDLER}.items():
        assert TEMPLATE["Resources"][function]["Properties"]["Handler"] == handler


def test_every_table_route_has_a_handler_route_and_back() -> None:
    from handlers.route_table import ROUTES

    declared = {(r.method, r.path) for r in ROUTES}
    assert declared == _handler_routes()


def test_fallback_route_catches_the_rest_without_auth() -> None:
    (fallback,) = [r for r in routes(TEMPLATE) if r.path == "$default"]
    assert fallback.method == "ANY" and fallback.authorizer is None


def test_service_routes_use_iam_and_client_routes_do_not() -> None:
    for route in routes(TEMPLATE):
        public = route.path in {"/openapi.json", "/docs", "$default"}
        if route.path.startswith(("/sessions", "/users")):
            assert route.authorizer == "AWS_IAM", route
        elif route.path.startswith("/me") or public:
            assert route.authorizer is None, route


def test_no_proxy_routes() -> None:
    assert all("proxy+" not in r.path for r in routes(TEMPLATE))


@pytest.mark.parametrize(
    "function",
    ["ApiFunction", "EraseFunction", "AuthorizerFunction", "CleanupFunction", "EventsFunction"],
)
def test_every_function_handler_imports(function: str) -> None:
    dotted = TEMPLATE["Resources"][function]["Properties"]["Handler"]
    module_name, _, attribute = dotted.rpartition(".")
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_globals_deploy_python313_on_arm64_with_json_logs() -> None:
    function_globals = TEMPLATE["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["arm64"]
    for name in ("ApiFunction", "AuthorizerFunction", "CleanupFunction"):
        props = TEMPLATE["Resources"][name]["Properties"]
        assert props["LoggingConfig"]["LogFormat"] == "JSON"


def test_authorizer_policy_never_writes_sessions_or_scans() -> None:
    # It revokes on token reuse and slides expiries (conditional UpdateItems), deletes
    # a session its user's erasure left behind and reads the key set; on the feed it
    # queries and files a reuse's entry. It never creates, lists or scans sessions.
    props = TEMPLATE["Resources"]["AuthorizerFunction"]["Properties"]
    statements = [s for p in props["Policies"] for s in p.get("Statement", [])]
    by_table = {
        str(s["Resource"]): set(s["Action"])
        for s in statements
        if "Resource" in s and s["Effect"] == "Allow"
    }
    assert by_table == {
        "{'GetAtt': 'SessionsTable.Arn'}": {
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        },
        "{'GetAtt': 'FeedTable.Arn'}": {"dynamodb:Query", "dynamodb:BatchWriteItem"},
    }


def test_template_functions_get_the_generated_key_and_a_30_day_timeout() -> None:
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["SESSIONS_SECRET_KEY"] == {
        "Sub": "{{resolve:secretsmanager:${SessionsSecretKey}:SecretString}}"
    }
    secret = TEMPLATE["Resources"]["SessionsSecretKey"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    assert variables["SESSIONS_MAX_LIFETIME_SECONDS"] == {"Ref": "MaxSessionLifetimeSeconds"}
    assert TEMPLATE["Parameters"]["MaxSessionLifetimeSeconds"]["Default"] == 2592000


def test_template_api_is_throttled_and_its_access_log_holds_no_credential() -> None:
    api = TEMPLATE["Resources"]["SessionsApi"]["Properties"]
    assert set(api["DefaultRouteSettings"]) == {"ThrottlingRateLimit", "ThrottlingBurstLimit"}
    log_format = api["AccessLogSettings"]["Format"]
    json.loads(log_format.replace("$context.", "context_"))  # one JSON object per line
    for credential in ("header", "cookie", "authorization", "querystring", "body", "token"):
        assert credential not in log_format.lower()


def test_authorizer_imports_no_http_framework() -> None:
    code = (
        "import sys, handlers.authorizer; "
        "heavy = ('aws_lambda_powertools', 'moto', 'yaml', 'ua_parser'); "
        "bad = [m for m in sys.modules if m.startswith(heavy)]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_lambda_requirements_match_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        d.split(">")[0].split("<")[0].split("=")[0].strip(): d for d in project["dependencies"]
    }
    for name in ("lambda-api.txt", "lambda-authorizer.txt", "lambda-cleanup.txt"):
        lines = (ROOT / "requirements" / name).read_text().splitlines()
        for line in (raw for raw in lines if raw and not raw.startswith("#")):
            package = line.split(">")[0].split("<")[0].split("=")[0].strip()
            assert declared.get(package) == line, f"{name}: {line} differs from pyproject"


def test_template_passes_cfn_lint() -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), str(ROOT / "template.yaml")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_function_is_off_by_default_and_its_routes_import() -> None:
    assert TEMPLATE["Parameters"]["EnableDemo"]["Default"] == "false"
    assert TEMPLATE["Resources"]["DemoLoginFunction"]["Condition"] == "DemoEnabled"
    assert all(r.function != "DemoLoginFunction" for r in routes(TEMPLATE))
    demo = [
        r for r in routes(TEMPLATE, frozenset({"DemoEnabled"})) if r.function == "DemoLoginFunction"
    ]
    assert {(r.method, r.path) for r in demo} >= {("GET", "/"), ("POST", "/login")}
    module_name, _, attribute = demo[0].handler.rpartition(".")
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_template_events_function_reads_the_stream_as_the_code_expects() -> None:
    from handlers.stream_processor import passes_filter

    table = _table()
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    function = TEMPLATE["Resources"]["EventsFunction"]["Properties"]
    assert function["Handler"] == "handlers.events.handler"
    assert "Events" not in function  # a SAM stream event would grant stream actions on *
    stream = TEMPLATE["Resources"]["EventsStreamMapping"]["Properties"]
    assert stream["EventSourceArn"] == {"GetAtt": "SessionsTable.StreamArn"}
    assert stream["FunctionName"] == {"Ref": "EventsFunction.Alias"}
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["BisectBatchOnFunctionError"] is True
    assert stream["MaximumRetryAttempts"] >= 1
    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == {
        "GetAtt": "EventsFailureQueue.Arn"
    }
    # The mapping's filter and the local poller's agree: sessions in, the rest out.
    patterns = [json.loads(f["Pattern"]) for f in stream["FilterCriteria"]["Filters"]]
    images = {next(iter(p["dynamodb"])) for p in patterns}
    assert images == {"NewImage", "OldImage"}
    session = {"dynamodb": {"NewImage": {"tokenHash": {"S": "h"}}}}
    activity = {"dynamodb": {"NewImage": {"activityUser": {"S": "u"}}}}
    assert passes_filter(session) and not passes_filter(activity)
    shared = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    # The events function keeps activity as long as the API lists it: one variable.
    assert shared["SESSIONS_ACTIVITY_RETENTION_DAYS"] == {"Ref": "ActivityRetentionDays"}
    assert "SESSIONS_EVENT_BUS" in shared  # user.erased comes from the erase function


def test_template_alarms_cover_the_api_functions_table_stream_and_reuse() -> None:
    alarms = {
        name: r["Properties"]
        for name, r in TEMPLATE["Resources"].items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }
    functions = [
        name
        for name, r in TEMPLATE["Resources"].items()
        if r["Type"] == "AWS::Serverless::Function" and "Condition" not in r
    ]
    watched = {
        (a.get("MetricName"), a["Dimensions"][0]["Value"]["Ref"])
        for a in alarms.values()
        if a.get("Namespace") == "AWS/Lambda"
    }
    for function in functions:
        assert ("Errors", function) in watched and ("Throttles", function) in watched
    assert ("IteratorAge", "EventsFunction") in watched
    metrics = json.dumps(alarms)
    for needed in ('"5xx"', "ReadThrottleEvents", "WriteThrottleEvents", "ReuseDetected"):
        assert needed in metrics
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == {
            "If": ["NotifyByEmail", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]
        }


@pytest.mark.parametrize(
    "function",
    [
        "AuthorizerFunction",
        "EraseFunction",
        "CleanupFunction",
        "EventsFunction",
        "DemoLoginFunction",
    ],
)
def test_only_the_api_may_write_the_signing_key_set(function: str) -> None:
    # GIVEN a role that writes the sessions table but is not the API's
    props = TEMPLATE["Resources"][function]["Properties"]
    statements = [
        s for p in props["Policies"] if isinstance(p, dict) for s in p.get("Statement", [])
    ]
    denied = [s for s in statements if s["Effect"] == "Deny"]
    # THEN it is denied every write to the key set's item, whatever else it may write
    assert any(
        {
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
        }
        <= set(s["Action"])
        and s["Condition"]["ForAnyValue:StringEquals"]["dynamodb:LeadingKeys"]
        == [f"{DEFAULT_PREFIX}signing-keys"]
        for s in denied
    ), function
    api = TEMPLATE["Resources"]["ApiFunction"]["Properties"]["Policies"]
    assert not any(
        s.get("Effect") == "Deny"
        for p in api
        if isinstance(p, dict)
        for s in p.get("Statement", [])
    )
