"""Safe deploys, checked on the template SAM actually produces: every function behind
its alias with a canary rolled back by alarms that exist, the API and the authorizer
invoking that alias, no dependency cycle after the transform, and a runbook entry for
every alarm."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from cfnlint.decode import decode
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parents[2]
ALIAS = "live"


class _NoManagedPolicies:
    """The template names no managed policy, so the transform needs no IAM lookup."""

    def load(self) -> dict[str, str]:
        return {}


@cache
def _source() -> dict[str, Any]:
    template, problems = decode(str(ROOT / "template.yaml"))
    assert not problems and template is not None
    source: dict[str, Any] = json.loads(json.dumps(template))
    return source


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def _transformed(source: dict[str, Any], **parameters: str) -> dict[str, Any]:
    """What CloudFormation's SAM transform makes of ``source`` (code as `sam package`
    leaves it: in S3)."""
    template = copy.deepcopy(source)
    for function in _functions(template).values():
        function["Properties"]["CodeUri"] = "s3://bucket/code.zip"
    result: dict[str, Any] = transform(template, dict(parameters), _NoManagedPolicies())
    return result


def _references(node: Any) -> set[str]:
    """Every logical id ``node`` refers to (Ref, GetAtt, Sub), parameters included."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value.split(".")[0])
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text)}
                if isinstance(value, list):
                    found |= _references(value[1])
            else:
                found |= _references(value)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item)
    return found


def _dependency_graph(template: dict[str, Any]) -> nx.DiGraph:
    """Resource -> what CloudFormation must create first (properties, update policies
    and DependsOn alike)."""
    resources = template["Resources"]
    graph = nx.DiGraph()
    for name, resource in resources.items():
        graph.add_node(name)
        depends = resource.get("DependsOn", [])
        needs = _references(resource) | set([depends] if isinstance(depends, str) else depends)
        graph.add_edges_from((name, other) for other in needs if other in resources)
    return graph


def test_every_function_has_the_alias_and_a_preference_whose_alarms_exist() -> None:
    source = _source()
    globals_ = source["Globals"]["Function"]
    assert globals_["AutoPublishAlias"] == ALIAS
    assert globals_["DeploymentPreference"]["Type"] == {"Ref": "DeploymentStrategy"}
    strategy = source["Parameters"]["DeploymentStrategy"]
    assert strategy["Default"] == "Canary10Percent5Minutes"
    assert "AllAtOnce" in strategy["AllowedValues"]
    resources = source["Resources"]
    for name, function in _functions(source).items():
        alarms = function["Properties"]["DeploymentPreference"]["Alarms"]
        assert alarms, f"{name} rolls back on no alarm"
        for alarm in alarms:
            assert resources[alarm["Ref"]]["Type"] == "AWS::CloudWatch::Alarm"
            assert resources[alarm["Ref"]].get("Condition") == function.get("Condition")
            watched = resources[alarm["Ref"]]["Properties"]["Dimensions"][0]["Value"]
            assert watched == {"Ref": name}, f"{alarm['Ref']} does not watch {name}"


def test_the_transform_puts_every_function_behind_a_rolling_back_deployment_group() -> None:
    resources = _transformed(_source())["Resources"]
    for name in _functions(_source()):
        alias = resources[f"{name}Alias{ALIAS}"]
        assert alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"] == {
            "Ref": f"{name}DeploymentGroup"
        }
        group = resources[f"{name}DeploymentGroup"]["Properties"]
        assert group["AlarmConfiguration"]["Enabled"] is True
        assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
        assert group["DeploymentConfigName"]["Fn::Sub"][1] == {
            "ConfigName": "Canary10Percent5Minutes"
        }


def test_all_at_once_is_one_parameter_away() -> None:
    resources = _transformed(_source(), DeploymentStrategy="AllAtOnce")["Resources"]
    group = resources["ApiFunctionDeploymentGroup"]["Properties"]
    assert group["DeploymentConfigName"]["Fn::Sub"][1] == {"ConfigName": "AllAtOnce"}


def test_the_api_the_authorizer_the_stream_and_the_schedule_invoke_the_alias() -> None:
    resources = _transformed(_source())["Resources"]
    body = json.dumps(resources["SessionsApi"]["Properties"]["Body"])
    invoked = set(re.findall(r"\$\{([A-Z]\w*Function\w*)\}", body))
    invoked |= set(re.findall(r'"Ref": "(\w+Function\w*)"', body))
    assert {"ApiFunctionAliaslive", "AuthorizerFunctionAliaslive"} <= invoked
    assert all(name.endswith(f"Alias{ALIAS}") for name in invoked), invoked
    for resource in resources.values():
        if resource["Type"] == "AWS::Lambda::Permission":
            assert resource["Properties"]["FunctionName"]["Ref"].endswith(f"Alias{ALIAS}")
        if resource["Type"] == "AWS::Lambda::EventSourceMapping":
            assert resource["Properties"]["FunctionName"] == {"Ref": "EventsFunctionAliaslive"}
        if resource["Type"] == "AWS::Scheduler::Schedule":
            target = resource["Properties"]["Target"]["Arn"]
            assert target in (
                {"Ref": "CleanupFunctionAliaslive"},
                {"Ref": "FeedCompactorFunctionAliaslive"},
            )
    assert _source()["Outputs"]["AuthorizerFunctionArn"]["Value"] == {
        "Ref": "AuthorizerFunction.Alias"
    }


@pytest.mark.parametrize(
    "parameters",
    [{}, {"KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd", "EnableDemo": "true"}],
    ids=["defaults", "customer-key-and-demo"],
)
def test_the_transformed_template_has_no_dependency_cycle(parameters: dict[str, str]) -> None:
    graph = _dependency_graph(_transformed(_source(), **parameters))
    assert list(nx.simple_cycles(graph)) == []


def test_an_api_metric_rollback_alarm_would_close_a_cycle() -> None:
    # The check above can fail: the tempting rollback trigger makes one.
    source = copy.deepcopy(_source())
    api = source["Resources"]["ApiFunction"]["Properties"]
    api["DeploymentPreference"]["Alarms"].append({"Ref": "ApiServerErrorRateAlarm"})
    cycles = list(nx.simple_cycles(_dependency_graph(_transformed(source))))
    assert any({"SessionsApi", "ApiServerErrorRateAlarm"} <= set(c) for c in cycles)


@pytest.mark.parametrize(
    "alarm",
    sorted(
        name
        for name, resource in _source()["Resources"].items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    ),
)
def test_the_runbook_says_what_to_do_for_every_alarm(alarm: str) -> None:
    runbook = (ROOT / "docs" / "operations.md").read_text()
    assert re.search(rf"^#+ .*`{alarm}`", runbook, re.MULTILINE), f"no runbook entry: {alarm}"


def test_the_authorizer_never_caches_and_its_cached_twin_keys_on_the_header() -> None:
    body = _transformed(_source())["Resources"]["SessionsApi"]["Properties"]["Body"]
    schemes = body["components"]["securitySchemes"]
    plain = schemes["SessionAuthorizer"]["x-amazon-apigateway-authorizer"]
    cached = schemes["CachedSessionAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert (plain["identitySource"], plain["authorizerResultTtlInSeconds"]) == ([], 0)
    assert cached["identitySource"] == ["$request.header.Authorization"]
    assert cached["authorizerResultTtlInSeconds"] == {"Ref": "AuthorizerCacheSeconds"}
    assert _source()["Parameters"]["AuthorizerCacheSeconds"]["Default"] == 0
