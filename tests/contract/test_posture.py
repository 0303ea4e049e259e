"""The security posture template.yaml promises and the README states: the optional
customer key on everything that stores data, reserved concurrency on every function,
a failure destination with an alarm on every asynchronous path, and a written reason
(also in the README) for every finding of the IaC scanner that is skipped rather than
fixed. `make ci` runs the scanner itself (checkov); these fail `make test` first."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.harness.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "template.yaml").read_text()
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
CUSTOMER_KEY = {"If": ["UseKms", {"Ref": "KmsKeyArn"}, {"Ref": "AWS::NoValue"}]}
SKIP = re.compile(r"#\s*checkov:skip=(?P<check>CKV_\w+)(?::(?P<reason>.*))?$")


def _skips() -> list[tuple[str, str, str]]:
    """(resource, check id, reason) of every inline skip, in template order."""
    found, resource = [], ""
    for line in TEXT.splitlines():
        if heading := re.match(r"^  (\w+):\s*$", line):
            resource = heading.group(1)
        if match := SKIP.search(line):
            found.append((resource, match["check"], (match["reason"] or "").strip()))
    return found


def _of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


@pytest.mark.parametrize(
    ("resource", "check", "reason"), _skips(), ids=[f"{r}-{c}" for r, c, _ in _skips()]
)
def test_every_scanner_skip_has_a_specific_reason_in_the_template_and_readme(
    resource: str, check: str, reason: str
) -> None:
    assert len(reason.split()) >= 8, f"{resource} skips {check} without a real reason"
    assert resource in RESOURCES
    readme = (ROOT / "docs" / "security.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("|") and check in line]
    assert any(resource in row for row in rows), (
        f"docs/security.md posture table lacks {check} {resource}"
    )


def test_the_customer_key_reaches_everything_that_stores_data() -> None:
    table = RESOURCES["SessionsTable"]["Properties"]["SSESpecification"]
    assert table["SSEType"] == "KMS" and table["KMSMasterKeyId"] == CUSTOMER_KEY
    assert RESOURCES["SessionsSecretKey"]["Properties"]["KmsKeyId"] == CUSTOMER_KEY
    assert RESOURCES["SessionsEventBus"]["Properties"]["KmsKeyIdentifier"] == CUSTOMER_KEY
    assert RESOURCES["AlarmTopic"]["Properties"]["KmsMasterKeyId"] == CUSTOMER_KEY
    assert TEMPLATE["Globals"]["Function"]["KmsKeyArn"] == CUSTOMER_KEY
    for name, group in _of_type("AWS::Logs::LogGroup").items():
        assert group["Properties"].get("KmsKeyId") == CUSTOMER_KEY, name
    for name, queue in _of_type("AWS::SQS::Queue").items():
        assert queue["Properties"]["KmsMasterKeyId"] == CUSTOMER_KEY, name


def test_functions_get_the_key_permissions_only_with_a_customer_key() -> None:
    for name in ("KmsTableUsePolicy", "KmsQueueSendPolicy"):
        assert RESOURCES[name]["Condition"] == "UseKms"
    sends_to_a_queue = {"CleanupFunction", "EventsFunction"}
    for name, function in _of_type("AWS::Serverless::Function").items():
        attached = [p for p in function["Properties"].get("Policies", []) if "If" in p]
        wanted = ["KmsTableUsePolicy"]
        if name in sends_to_a_queue:
            wanted.append("KmsQueueSendPolicy")
        assert [p for p in attached if p["If"][0] == "UseKms"] == [
            {"If": ["UseKms", {"Ref": policy}, {"Ref": "AWS::NoValue"}]} for policy in wanted
        ], name
        # Only the API signs access tokens (the key store the stack chose).
        signs = [p["If"][0] for p in attached if p["If"][0] != "UseKms"]
        assert signs == (["SignWithKms", "SignWithSecret"] if name == "ApiFunction" else []), name
        for statement in _statements(function):
            assert not str(statement.get("Action")).startswith("kms:"), name


def test_only_keys_of_this_stack_sign_and_only_the_first_one_is_read() -> None:
    policies = RESOURCES["ApiFunction"]["Properties"]["Policies"]
    (kms,) = [p["If"][1] for p in policies if "If" in p and p["If"][0] == "SignWithKms"]
    sign, public = kms["Statement"]
    assert sign["Action"] == "kms:Sign"
    assert sign["Condition"] == {
        "StringEquals": {
            "aws:ResourceTag/serverless-sessions:signing-key": {"Ref": "AWS::StackName"}
        }
    }
    tags = RESOURCES["SigningKey"]["Properties"]["Tags"]
    assert {"Key": "serverless-sessions:signing-key", "Value": {"Ref": "AWS::StackName"}} in tags
    assert public == {
        "Effect": "Allow",
        "Action": "kms:GetPublicKey",
        "Resource": {"GetAtt": "SigningKey.Arn"},
    }
    (secret,) = [p["If"][1] for p in policies if "If" in p and p["If"][0] == "SignWithSecret"]
    assert [s["Resource"] for s in secret["Statement"]] == [{"Ref": "SigningKeySecret"}]


def _statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in function["Properties"]["Policies"] for s in p.get("Statement", [])]


@pytest.mark.parametrize("prefix", ["Api", "Authorizer", "Cleanup", "Events"])
def test_every_function_can_have_reserved_concurrency_off_by_default(prefix: str) -> None:
    parameter = TEMPLATE["Parameters"][f"{prefix}ReservedConcurrency"]
    assert parameter["Default"] == ""
    assert not re.fullmatch(parameter["AllowedPattern"], "0")  # 0 would stop it entirely
    reserved = RESOURCES[f"{prefix}Function"]["Properties"]["ReservedConcurrentExecutions"]
    assert reserved["If"][1] == {"Ref": f"{prefix}ReservedConcurrency"}
    assert reserved["If"][2] == {"Ref": "AWS::NoValue"}


def _depth_alarmed(queue: str) -> bool:
    return any(
        alarm["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
        and alarm["Properties"]["Dimensions"][0]["Value"] == {"GetAtt": f"{queue}.QueueName"}
        for alarm in _of_type("AWS::CloudWatch::Alarm").values()
    )


def test_every_asynchronous_path_fails_into_a_queue_with_an_alarm() -> None:
    cleanup = RESOURCES["CleanupFunction"]["Properties"]
    assert next(iter(cleanup["Events"].values()))["Type"] == "ScheduleV2"  # asynchronous
    failure = cleanup["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
    assert failure["Type"] == "SQS"
    assert failure["Destination"] == {"GetAtt": "CleanupFailureQueue.Arn"}
    stream = RESOURCES["EventsStreamMapping"]["Properties"]
    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == {
        "GetAtt": "EventsFailureQueue.Arn"
    }
    for queue in _of_type("AWS::SQS::Queue"):
        assert _depth_alarmed(queue), f"nobody hears about {queue}"
