"""template.yaml: every function logs to a group the template declares, with a retention.

A function without ``LoggingConfig.LogGroup`` logs to ``/aws/lambda/<name>``, which
Lambda creates on first use with no retention: its logs are kept forever.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = sorted(
    name for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"
)


def _ref(value: Any) -> str | None:
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return str(value["Ref"])
    return None


def test_template_has_functions_to_check() -> None:
    assert {"ApiFunction", "AuthorizerFunction", "SampleFunction"} <= set(FUNCTIONS)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_logs_to_a_declared_group_with_retention(function: str) -> None:
    props = RESOURCES[function]["Properties"]
    group = _ref(props.get("LoggingConfig", {}).get("LogGroup"))
    assert group is not None, f"{function} has no LoggingConfig.LogGroup: its logs never expire"
    declared = RESOURCES.get(group)
    assert declared is not None and declared["Type"] == "AWS::Logs::LogGroup", group
    assert "RetentionInDays" in declared["Properties"], f"{group} keeps logs forever"
    # A group that exists only under a condition must share its function's condition.
    assert declared.get("Condition") == RESOURCES[function].get("Condition"), group
