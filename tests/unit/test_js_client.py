"""Runs the browser client's unit tests (tests/js) with Node's own test runner."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_js_client_unit_tests_pass() -> None:
    result = subprocess.run(
        ["node", "--test", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    # Every test the files declare ran and passed (a file that failed to load runs none).
    declared = sum(
        len(re.findall(r"^test\(", path.read_text(), re.MULTILINE))
        for path in (ROOT / "tests" / "js").glob("*.mjs")
    )
    assert declared > 0
    assert "# fail 0" in result.stdout and f"# pass {declared}\n" in result.stdout
