"""The README's Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has a Python example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})  # noqa: S102 - our own README


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    assert first_block.splitlines()[0].startswith("make serve")
    assert first_block.splitlines()[1].startswith("make test")


def test_readme_login_backend_is_the_tested_file() -> None:
    text = README.read_text(encoding="utf-8")
    shown = re.findall(r"```py\n(.*?)```", text, re.S)
    source = (README.parent / "examples" / "login_backend.py").read_text(encoding="utf-8")
    assert source in shown or any(block.strip() in source for block in shown if block.strip())
    assert any("SessionsClient" in block for block in shown)
