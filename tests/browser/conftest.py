"""What the browser tests share: Debian's Chromium driven by Playwright, one
`sessions serve --demo`, and signing in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve_support import Served, start_serve

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# CI (.ci/run) installs Chromium and sets SESSIONS_REQUIRE_BROWSER: there a missing
# browser fails the suite rather than skipping the only tests that look at the page.
_MISSING = "Debian's Chromium is not installed (apt-get install chromium); .ci/run installs it"
if not CHROMIUM.exists() and os.environ.get("SESSIONS_REQUIRE_BROWSER"):
    raise RuntimeError(_MISSING)
# Every browser test module sets ``pytestmark = needs_browser``.
needs_browser = pytest.mark.skipif(not CHROMIUM.exists(), reason=_MISSING)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    # As a deployment behind CloudFront: the phone below reports its country.
    served = start_serve(
        tmp_path_factory.mktemp("demo") / "serve.log",
        "--demo",
        env={"SESSIONS_TRUST_CLOUDFRONT": "true"},
    )
    yield served
    served.process.terminate()
    served.process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield launched
        launched.close()


def signed_in(page: Any, user: str) -> None:
    """Wait until the page shows ``user``'s account with the devices table drawn."""
    page.get_by_role("heading", name=f"Signed in as {user}").wait_for()
    page.locator("#devices tbody tr.current").wait_for()


def sign_in(page: Any, url: str, user: str, password: str) -> None:
    page.goto(url + "/")
    form = page.locator("#signin-form")
    form.get_by_label("Username").fill(user)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    signed_in(page, user)
