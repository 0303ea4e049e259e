"""Every command output and reference table in README.md and docs/ is what the commands
print now (ids, tokens, times and ports aside): ``make docs`` rewrites them."""

from __future__ import annotations

from tests.harness.doc_blocks import blocks, regenerate


def test_docs_have_generated_blocks_and_none_is_stale() -> None:
    assert len(blocks()) >= 8
    assert regenerate(write=False) == [], "run `make docs` and commit the result"
