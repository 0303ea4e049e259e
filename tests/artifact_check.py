"""Checks a `sam build` output: each function's artifact holds handlers/, sessions_core/
and their dependencies, nothing of the repository besides (no tests, no tooling).

Run as ``python -m tests.artifact_check .aws-sam/build``; exits non-zero on a problem.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"
# A hash-based pyc that the interpreter never checks against its source (PEP 552).
_UNCHECKED_HASH = 0b01

FUNCTIONS = (
    "ApiFunction",
    "EraseFunction",
    "AuthorizerFunction",
    "CleanupFunction",
    "EventsFunction",
    "FeedCompactorFunction",
)
FORBIDDEN = {
    "tests",
    "sessions_cli",
    "sessions_local",
    "bench",
    "examples",
    ".venv",
    ".tools",
    ".git",
    "Makefile",
    "pyproject.toml",
    "template.yaml",
    "README.md",
}


def runtime_tag() -> str:
    """The template's runtime as a bytecode tag (``python3.13`` -> ``cpython-313``)."""
    found = re.search(r"^\s*Runtime: python3\.(\d+)\s*$", TEMPLATE.read_text(), re.M)
    if found is None:
        raise SystemExit("artifact check: template.yaml names no python3.x Runtime")
    return f"cpython-3{found.group(1)}"


def missing_bytecode(root: Path, tag: str) -> list[str]:
    """Modules of ``root`` without an unchecked-hash pyc for ``tag`` (Lambda's
    /var/task is read-only: each would be compiled on every cold start)."""
    missing = []
    for source in root.rglob("*.py"):
        pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        if not pyc.is_file():
            missing.append(str(source.relative_to(root)))
            continue
        flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
        if flags != _UNCHECKED_HASH:
            missing.append(f"{source.relative_to(root)} (pyc not unchecked-hash)")
    return missing


def problems(build_dir: Path) -> list[str]:
    """What is wrong with the artifacts under ``build_dir`` (empty when all is well)."""
    found: list[str] = []
    for function in FUNCTIONS:
        root = build_dir / function
        if not root.is_dir():
            found.append(f"{function}: no artifact at {root}")
            continue
        names = {p.name for p in root.iterdir()}
        for required in ("handlers", "sessions_core", "pydantic", "pydantic_core"):
            if required not in names:
                found.append(f"{function}: {required}/ missing")
        found += [f"{function}: {name} must not be deployed" for name in sorted(names & FORBIDDEN)]
        # The API creates sessions (device parsing); the authorizer never does, and its
        # cold start must not carry the parser.
        wants_parser = function == "ApiFunction"
        if ("ua_parser" in names) != wants_parser:
            found.append(f"{function}: ua_parser {'missing' if wants_parser else 'bundled'}")
        stale = missing_bytecode(root, runtime_tag())
        if stale:
            found.append(
                f"{function}: {len(stale)} module(s) without {runtime_tag()} bytecode,"
                f" e.g. {stale[0]}"
            )
        cores = list((root / "pydantic_core").glob("_pydantic_core.*.so"))
        if not any("cpython-313-aarch64" in core.name for core in cores):
            found.append(f"{function}: pydantic_core is not built for python3.13 arm64: {cores}")
    return found


def main() -> int:
    build_dir = Path(sys.argv[1] if len(sys.argv) > 1 else ".aws-sam/build")
    issues = problems(build_dir)
    for issue in issues:
        print(f"artifact check: {issue}")
    if not issues:
        print(
            f"artifact check: {', '.join(FUNCTIONS)} hold only runtime code (python3.13 arm64),"
            f" every module with its {runtime_tag()} bytecode"
        )
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
