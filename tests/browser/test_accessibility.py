"""The account page has no accessibility violation axe-core finds, in every state a
user meets: signed out, a wrong password, signed in while the lists load, an empty
activity list, a full one, and the "confirm it is you" dialog."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import needs_browser, sign_in
from tests.harness.protocol_servers import install_node_tools
from tests.serve_support import Served

pytestmark = needs_browser


@pytest.fixture(scope="module")
def axe_source() -> str:
    return (install_node_tools() / "node_modules" / "axe-core" / "axe.min.js").read_text()


def violations(page: Any, axe: str) -> list[str]:
    """axe-core's violations on the page as it is now (rule id and where)."""
    page.evaluate(axe)
    found = page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return list(found)


def _reload_until_listed(page: Any) -> None:
    """The activity comes from the table's stream, a moment after the sign-in: reload
    until the list shows it (the page itself reads it again only every 30 s)."""
    for _ in range(20):
        page.reload()
        try:
            page.locator("#activity li").first.wait_for(timeout=1000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the activity never showed")


def test_account_page_has_no_violations_in_any_state(
    demo: Served, browser: Any, axe_source: str
) -> None:
    context = browser.new_context(bypass_csp=True)  # axe is injected into the page
    page = context.new_page()
    page.goto(demo.url + "/")
    page.locator("#signin-form").wait_for()
    assert violations(page, axe_source) == [], "signed out"
    form = page.locator("#signin-form")
    form.get_by_label("Username").fill("alice")
    form.get_by_label("Password").fill("wrong")
    form.get_by_role("button", name="Sign in").click()
    page.get_by_text("unknown user or wrong password").wait_for()
    assert violations(page, axe_source) == [], "wrong password"
    page.route("**/me/activity", lambda route: None)  # the activity list never arrives
    sign_in(page, demo.url, "alice", "wonderland")
    assert violations(page, axe_source) == [], "signed in, activity loading"
    page.unroute("**/me/activity")
    page.route(
        "**/me/activity",
        lambda route: route.fulfill(status=200, json={"events": []}),
    )
    page.reload()
    page.locator("#activity-empty").wait_for()
    assert violations(page, axe_source) == [], "no activity yet"
    page.unroute("**/me/activity")
    _reload_until_listed(page)
    assert violations(page, axe_source) == [], "activity listed"
    refusal = {"error": "reauthentication_required", "message": "confirm it is you"}
    page.route(
        "**/me/sessions/revoke-others",
        lambda route: route.fulfill(status=403, json=refusal),
    )
    page.get_by_role("button", name="Sign out everywhere else").click()
    page.get_by_role("dialog", name="Confirm it is you").wait_for()
    assert violations(page, axe_source) == [], "confirm-it-is-you dialog"
    context.close()
