"""The browser client's ``getAccessToken`` in a real browser against ``sessions serve``:
a short-lived token, reused until 80 % of its lifetime, renewed after, and never an
expired one when renewing fails. The page's clock is Playwright's, moved without
waiting."""

from __future__ import annotations

from typing import Any

import jwt

from tests.browser.conftest import needs_browser, sign_in
from tests.serve_support import Served, call

pytestmark = needs_browser

GET = """async (options) => {
  const { createSessionClient } = await import("/clients/sessions.js");
  window.client ??= createSessionClient();
  try { return await window.client.getAccessToken(options); }
  catch (error) { return "refused: " + (error.code ?? error.message); }
}"""


def test_get_access_token_renews_at_80_percent_and_never_hands_out_an_expired_one(
    demo: Served, browser: Any
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.clock.install()
    sign_in(page, demo.url, "alice", "wonderland")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.method) if r.url.endswith("/me/token") else None)

    first = page.evaluate(GET, {"expiresIn": 10})
    assert page.evaluate(GET, {"expiresIn": 10}) == first and len(asked) == 1
    page.clock.fast_forward(7_000)
    assert page.evaluate(GET, {"expiresIn": 10}) == first  # 70 %: still the same
    page.clock.fast_forward(1_500)
    second = page.evaluate(GET, {"expiresIn": 10})  # 85 %: renewed
    assert second != first and asked == ["POST", "POST"]

    jwks = call(demo, "GET", "/.well-known/jwks.json").body
    key = jwt.PyJWK(
        next(k for k in jwks["keys"] if k["kid"] == jwt.get_unverified_header(second)["kid"])
    )
    claims = jwt.decode(second, key.key, algorithms=["RS256"], audience="api", issuer=demo.url)
    assert claims["sub"] == "alice" and claims["exp"] - claims["iat"] == 10

    page.route("**/me/token", lambda route: route.abort())  # the API is unreachable
    page.clock.fast_forward(8_500)  # 85 % of the second token: renewal fails, it serves
    assert page.evaluate(GET, {"expiresIn": 10}) == second
    page.clock.fast_forward(1_000)  # within a second of its expiry: refused instead
    assert page.evaluate(GET, {"expiresIn": 10}).startswith("refused: ")
    context.close()
