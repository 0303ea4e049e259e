"""Reads `template.yaml`: the HttpApi routes each function serves, and its handler."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !Sub...) as data."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {tag_suffix: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


@dataclass(frozen=True)
class Route:
    """One HttpApi route: method, path (``{param}`` style), function and auth."""

    method: str
    path: str
    function: str
    handler: str
    authorizer: str | None  # "AWS_IAM", an authorizer name, or None

    @property
    def pattern(self) -> re.Pattern[str]:
        """A regex matching request paths, capturing the path parameters."""
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(f"^{regex}$")


def load_template(path: Path) -> dict[str, Any]:
    """The template as data (intrinsics kept as ``{"Ref": ...}``-like dicts).

    Raises:
        FileNotFoundError: no template at ``path``.
        yaml.YAMLError: the file is not valid YAML.
    """
    with path.open(encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a SAM template")
    return data


def routes(template: dict[str, Any], conditions: frozenset[str] = frozenset()) -> list[Route]:
    """Every HttpApi event of every function, in template order. A function with a
    ``Condition`` counts only when that condition is in ``conditions``."""
    found: list[Route] = []
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        if "Condition" in resource and resource["Condition"] not in conditions:
            continue
        props = resource.get("Properties", {})
        for event in props.get("Events", {}).values():
            if event.get("Type") != "HttpApi":
                continue
            event_props = event.get("Properties", {})
            auth = event_props.get("Auth", {}).get("Authorizer")
            found.append(
                Route(
                    method=str(event_props["Method"]).upper(),
                    path=str(event_props["Path"]),
                    function=name,
                    handler=str(props["Handler"]),
                    authorizer=str(auth) if auth and auth != "NONE" else None,
                )
            )
    return found


def function_handler(template: dict[str, Any], function: str) -> str:
    """The ``Handler`` of a function resource."""
    return str(template["Resources"][function]["Properties"]["Handler"])


def authorizer_function(template: dict[str, Any], authorizer: str) -> str | None:
    """The function resource behind a named HttpApi Lambda authorizer, if any."""
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") != "AWS::Serverless::HttpApi":
            continue
        spec = resource.get("Properties", {}).get("Auth", {}).get("Authorizers", {})
        arn = spec.get(authorizer, {}).get("FunctionArn")
        if isinstance(arn, dict) and "GetAtt" in arn:
            target = arn["GetAtt"]
            return str(target[0] if isinstance(target, list) else target.split(".")[0])
    return None
