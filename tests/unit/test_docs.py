"""The README and docs/: the README stays a quickstart, links every page, and nothing a
user reads refers to the design notes; every Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
USER_FACING = [README, *PAGES, ROOT / "clients" / "js" / "README.md", ROOT / "template.yaml"]


def test_readme_is_a_quickstart_of_at_most_150_lines() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.read_text(encoding="utf-8").split("```sh\n", 1)[1].split("```", 1)[0]
    assert first_block.splitlines()[0].startswith("make serve")
    assert first_block.splitlines()[1].startswith("make test")


def test_readme_links_every_page_of_docs() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [p.name for p in PAGES if f"(docs/{p.name})" not in text]
    assert not missing, missing


@pytest.mark.parametrize("path", USER_FACING, ids=lambda p: p.name)
def test_user_facing_text_never_refers_to_design_notes_or_rule_numbers(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "DESIGN" not in text
    assert not re.search(r"\b[Rr]ule \d+", text), re.search(r".{40}\b[Rr]ule \d+.{20}", text)


@pytest.mark.parametrize("path", [README, *PAGES], ids=lambda p: p.name)
def test_python_examples_run_as_written(path: Path) -> None:
    # ```python blocks run; ```py blocks are fragments (a handler's body, a service's).
    for block in re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        exec(compile(block, str(path), "exec"), {})  # noqa: S102 - our own docs


def test_relative_links_point_at_files_that_exist() -> None:
    for path in [README, *PAGES]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            assert (path.parent / target).exists(), f"{path.name} links to {target}"


def test_login_backend_shown_is_the_tested_file() -> None:
    text = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
    shown = re.findall(r"```py\n(.*?)```", text, re.S)
    source = (ROOT / "examples" / "login_backend.py").read_text(encoding="utf-8")
    assert any(block.strip() and block.strip() in source for block in shown)
    assert any("SessionsClient" in block for block in shown)


def test_masked_compares_seconds_left_and_ids_but_keeps_the_rest() -> None:
    # GIVEN two answers made a second apart, WHEN masked, THEN only what moves differs
    from tests.harness.doc_blocks import masked

    earlier = '{"expiresIn":300,"expiresAt":"2026-12-06T06:18:27Z","aal":1}'
    later = '{"expiresIn":299,"expiresAt":"2026-12-06T06:18:28Z","aal":1}'
    assert masked(earlier) == masked(later)
    assert masked(earlier) != masked(earlier.replace('"aal":1', '"aal":2'))


def test_layout_places_every_top_level_package_where_it_is() -> None:
    # GIVEN docs/layout.md's rows, WHEN read against the tree, THEN each package is
    # listed, each row's path exists, and `sessions serve` lives where its code does.
    text = (ROOT / "docs" / "layout.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([^`]+)/`[^|]* \| (.*) \|$", text, re.M))
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    unlisted = {p for p in packages if not any(r.split("/")[0] == p for r in rows)}
    assert not unlisted, unlisted
    assert all((ROOT / path).is_dir() for path in rows), rows
    serve_rows = [path for path, what in rows.items() if "sessions serve" in what]
    assert serve_rows == ["sessions_local"], serve_rows
