"""The demo account page in a real browser (Debian's Chromium driven by Playwright):
sign in, devices, revoke, two tabs refreshing at once, and a cross-site form post."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, needs_browser, sign_in, signed_in
from tests.serve_support import Served, call, start_serve

pytestmark = needs_browser


def test_sign_in_shows_the_user_and_sets_a_host_only_http_only_cookie(
    demo: Served, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 900, "height": 640})
    page = context.new_page()
    sign_in(page, demo.url, "alice", "wonderland")
    assert page.get_by_text("this device").is_visible()
    (cookie,) = [c for c in context.cookies() if c["name"] == "__Host-session"]
    assert cookie["httpOnly"] and cookie["secure"] and cookie["path"] == "/"
    assert cookie["sameSite"] in {"Lax", "Strict"}
    assert page.evaluate("document.cookie").find("__Host-session") == -1  # not readable by JS
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "account-signed-in.png"), full_page=True)
    context.close()


def test_wrong_password_says_so_and_stays_on_sign_in(demo: Served, browser: Any) -> None:
    page = browser.new_page()
    page.goto(demo.url + "/")
    page.locator("#signin-form").get_by_label("Username").fill("alice")
    page.locator("#signin-form").get_by_label("Password").fill("guess")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("unknown user or wrong password").wait_for()
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.close()


CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)


def test_two_devices_see_each_other_and_one_revokes_the_other(demo: Served, browser: Any) -> None:
    laptop, phone = (
        browser.new_context(viewport={"width": 1100, "height": 560}, user_agent=CHROME_MAC),
        browser.new_context(viewport={"width": 390, "height": 780}, user_agent=SAFARI_IPHONE),
    )
    laptop_page, phone_page = laptop.new_page(), phone.new_page()
    sign_in(laptop_page, demo.url, "bob", "builder")
    sign_in(phone_page, demo.url, "bob", "builder")
    laptop_page.reload()
    signed_in(laptop_page, "bob")
    rows = laptop_page.locator("#devices tbody tr")
    expect(rows).to_have_count(2)
    # Each sees the other as people name it, with when it was last active.
    phone_row = rows.filter(has_text="Safari on iPhone")
    expect(phone_row).to_contain_text("active just now")
    expect(phone_row).to_contain_text("127.0.0.1")
    expect(phone_row).to_contain_text("sign in again by")
    expect(rows.filter(has_text="Chrome on macOS")).to_contain_text("this device")
    phone_rows = phone_page.locator("#devices tbody tr")
    expect(phone_rows).to_have_count(2)
    expect(phone_rows.filter(has_text="Chrome on macOS")).to_contain_text("active just now")
    ARTIFACTS.mkdir(exist_ok=True)
    laptop_page.locator("#devices").screenshot(path=str(ARTIFACTS / "devices-table.png"))
    laptop_page.screenshot(path=str(ARTIFACTS / "devices-page.png"))
    phone_page.screenshot(path=str(ARTIFACTS / "account-phone.png"), full_page=True)
    laptop_page.get_by_role("button", name="Sign out Safari on iPhone").click()
    laptop_page.get_by_text("Signed out Safari on iPhone.").wait_for()
    expect(rows).to_have_count(1)
    # the phone's next action lands on the sign-in view
    phone_page.get_by_role("button", name="Sign out everywhere else").click()
    phone_page.get_by_role("heading", name="Sign in").wait_for()
    assert phone_page.get_by_text("Your session ended").is_visible()
    laptop.close()
    phone.close()


def test_two_tabs_refreshing_at_the_same_moment_both_stay_signed_in(
    demo: Served, browser: Any
) -> None:
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    sign_in(first, demo.url, "alice", "wonderland")
    second.goto(demo.url + "/")
    signed_in(second, "alice")
    before = next(c["value"] for c in context.cookies() if c["name"] == "__Host-session")
    start = "(at) => { window.__refresh = new Promise((done) => setTimeout(async () => {"
    start += " const m = await import('/clients/sessions.js');"
    start += (
        " const r = await fetch('/me/session/refresh', {method: 'POST', credentials: 'include'});"
    )
    start += " done(r.status); }, at - Date.now())); }"
    at = first.evaluate("Date.now() + 400")
    first.evaluate(start, at)
    second.evaluate(start, at)
    statuses = [first.evaluate("window.__refresh"), second.evaluate("window.__refresh")]
    assert statuses == [200, 200]
    after = next(c["value"] for c in context.cookies() if c["name"] == "__Host-session")
    assert after != before
    for page in (first, second):
        page.reload()
        signed_in(page, "alice")
    assert call(demo, "POST", "/sessions/validate", {"token": after}).body["valid"] is True
    context.close()


class _CrossSite(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        page = (
            "<!doctype html><form id=f method=post "
            f"action='{self.target}/me/sessions/revoke-others'></form>"
            "<script>document.getElementById('f').submit()</script>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *_: Any) -> None:
        """Quiet."""


def test_cross_site_form_post_with_the_cookie_is_refused_403(demo: Served, browser: Any) -> None:
    # Another origin on the same site (127.0.0.1, another port): SameSite=Lax still sends
    # the cookie, so only the Origin check stands between this form and the session.
    _CrossSite.target = demo.url
    attacker = ThreadingHTTPServer(("127.0.0.1", 0), _CrossSite)
    thread = threading.Thread(target=attacker.serve_forever, daemon=True)
    thread.start()
    second_device = browser.new_context()
    sign_in(second_device.new_page(), demo.url, "alice", "wonderland")  # the attack's prey
    context = browser.new_context()
    victim = context.new_page()
    sign_in(victim, demo.url, "alice", "wonderland")
    devices_before = victim.locator("#devices tbody tr").count()
    assert devices_before >= 2
    page = context.new_page()
    with page.expect_response(lambda r: "/revoke-others" in r.url) as answer:
        page.goto(f"http://127.0.0.1:{attacker.server_address[1]}/")
    assert answer.value.status == 403
    assert answer.value.json()["error"] == "forbidden_origin"
    victim.reload()
    signed_in(victim, "alice")
    expect(victim.locator("#devices tbody tr")).to_have_count(devices_before)
    attacker.shutdown()
    context.close()
    second_device.close()


def test_activity_list_shows_a_sign_out_made_from_another_device(
    demo: Served, browser: Any
) -> None:
    laptop = browser.new_context(viewport={"width": 1100, "height": 900}, user_agent=CHROME_MAC)
    phone = browser.new_context(
        user_agent=SAFARI_IPHONE, extra_http_headers={"CloudFront-Viewer-Country": "FR"}
    )
    laptop_page = laptop.new_page()
    sign_in(laptop_page, demo.url, "carol", "lighthouse")
    phone_page = phone.new_page()
    sign_in(phone_page, demo.url, "carol", "lighthouse")
    laptop_page.reload()
    signed_in(laptop_page, "carol")
    laptop_page.get_by_role("button", name="Sign out Safari on iPhone").click()
    laptop_page.get_by_text("Signed out Safari on iPhone.").wait_for()
    entry = laptop_page.locator("#activity li").filter(has_text="Signed out from another device")
    expect(entry.first).to_contain_text("Safari on iPhone", timeout=10_000)
    expect(entry.first).to_contain_text("France")
    signed_in_entries = laptop_page.locator("#activity li").filter(has_text="Signed in")
    expect(signed_in_entries.first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    laptop_page.screenshot(path=str(ARTIFACTS / "account-activity.png"), full_page=True)
    laptop.close()
    phone.close()


def test_signing_out_everywhere_else_after_a_while_asks_for_the_password_again(
    browser: Any, tmp_path: Path
) -> None:
    served = start_serve(
        tmp_path / "serve.log", "--demo", env={"SESSIONS_REAUTH_MAX_AGE_SECONDS": "2"}
    )
    try:
        other = browser.new_context(user_agent=SAFARI_IPHONE)
        sign_in(other.new_page(), served.url, "bob", "builder")
        context = browser.new_context(user_agent=CHROME_MAC)
        page = context.new_page()
        sign_in(page, served.url, "bob", "builder")
        page.wait_for_timeout(2500)  # the sign-in is now older than the 2 s allowed
        page.get_by_role("button", name="Sign out everywhere else").click()
        dialog = page.get_by_role("dialog", name="Confirm it is you")
        expect(dialog).to_be_visible()
        dialog.get_by_label("Password").fill("wrong")
        dialog.get_by_role("button", name="Confirm").click()
        expect(dialog.get_by_role("alert")).to_have_text("unknown user or wrong password")
        dialog.get_by_label("Password").fill("builder")
        dialog.get_by_role("button", name="Confirm").click()
        page.get_by_text("Signed out 1 other device.").wait_for()
        expect(page.locator("#devices tbody tr")).to_have_count(1)
        context.close()
        other.close()
    finally:
        served.process.terminate()
        served.process.wait(timeout=10)
