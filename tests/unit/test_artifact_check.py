"""The artifact check refuses a function whose modules lack bytecode for the template's
runtime (Lambda's /var/task is read-only: each module would compile on every cold
start), or whose bytecode is timestamp-checked (a zip's timestamps are not trusted)."""

from __future__ import annotations

from pathlib import Path

from tests.artifact_check import missing_bytecode, runtime_tag


def _pyc(module: Path, tag: str, flags: int) -> None:
    cache = module.parent / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / f"{module.stem}.{tag}.pyc").write_bytes(b"\0" * 4 + flags.to_bytes(4, "little"))


def test_artifact_check_runtime_is_the_templates() -> None:
    assert runtime_tag() == "cpython-313"


def test_artifact_check_module_without_runtime_bytecode_is_refused(tmp_path: Path) -> None:
    module = tmp_path / "handlers" / "api.py"
    module.parent.mkdir()
    module.write_text("x = 1\n")
    assert missing_bytecode(tmp_path, "cpython-313") == ["handlers/api.py"]
    _pyc(module, "cpython-311", 1)  # the build machine's Python, not the runtime's
    assert missing_bytecode(tmp_path, "cpython-313") == ["handlers/api.py"]
    _pyc(module, "cpython-313", 0)  # timestamp-based
    assert missing_bytecode(tmp_path, "cpython-313") == ["handlers/api.py (pyc not unchecked-hash)"]
    _pyc(module, "cpython-313", 1)
    assert missing_bytecode(tmp_path, "cpython-313") == []
