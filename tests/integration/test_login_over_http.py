"""The demo login over real HTTP against `sessions serve --demo`: racing wrong guesses
for one name reach the password check five times; the rest answer 429."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.serve_support import Served, call, start_serve


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = start_serve(tmp_path_factory.mktemp("demo") / "serve.log", "--demo")
    yield running
    running.process.terminate()
    running.process.wait(timeout=10)


def _login(served: Served, username: str, password: str) -> int:
    headers = {"Origin": served.url, "Content-Type": "application/json"}
    body = {"username": username, "password": password}
    return call(served, "POST", "/login", body, headers=headers).status


def test_login_forty_parallel_wrong_guesses_answer_five_401_and_then_429(demo: Served) -> None:
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(lambda n: _login(demo, "carol", f"guess-{n}"), range(40)))
    assert sorted(statuses) == [401] * 5 + [429] * 35
    assert _login(demo, "carol", "lighthouse") == 429  # the window is still full
    assert _login(demo, "bob", "builder") == 200
