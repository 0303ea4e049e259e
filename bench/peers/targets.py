"""The session stores under test, each behind the same five steps: sign in, a page view,
a refresh (where the store has one), sign out, and sign out everywhere (ours only)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.harness.protocol_servers import ProtocolServer, free_port

ROOT = Path(__file__).resolve().parents[2]


class Http:
    """One keep-alive connection with a cookie jar, as one browser tab."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        self.cookies: dict[str, str] = {}

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, path, body=data, headers=sent)
        answer = self.connection.getresponse()
        raw = answer.read()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0" and "1970" not in morsel["expires"]:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return answer.status, json.loads(raw) if raw.strip() else None


@dataclass
class Process:
    """A peer's app (or `sessions serve`) on a loopback port."""

    command: list[str]
    env: dict[str, str]
    ready: str
    process: subprocess.Popen[str] | None = None
    port: int = field(default_factory=free_port)
    log: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Process:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        self.process = subprocess.Popen(
            [part.replace("{port}", str(self.port)) for part in self.command],
            env={**env, **self.env, "PORT": str(self.port)},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            self.log.append(line)
            if self.ready in line:
                return self
        self.stop()
        raise RuntimeError(f"{self.command[0]} did not start:\n{''.join(self.log[-20:])}")

    def stop(self) -> None:
        ProtocolServer(self.command[0], self.url, self.process).stop()  # type: ignore[arg-type]


class CookieApp:
    """A peer: cookie sessions, /login, /page, /refresh, /logout."""

    everywhere = False

    def __init__(self, url: str) -> None:
        self.url = url
        self.tab = Http(url)

    def sign_in(self, user: str) -> None:
        self.tab = Http(self.url)
        status, _ = self.tab.call("POST", "/login", {"userId": user})
        assert status == 200, status

    def page_view(self) -> int:
        return self.tab.call("GET", "/page")[0]

    def refresh(self) -> None:
        status, _ = self.tab.call("POST", "/refresh")
        assert status == 200, status

    def sign_out(self) -> None:
        self.tab.call("POST", "/logout")

    def sign_out_everywhere(self, user: str, sessions: int) -> int:
        raise NotImplementedError


class OurApi:
    """Our API: a login backend creates the session, the browser presents the token."""

    everywhere = True

    def __init__(self, send: Any, settle: float = 0.0) -> None:
        self.send = send  # (method, path, body, headers) -> (status, json)
        self.token = ""
        # `sessions serve` runs the events function in the background (a stream poller
        # each second): waiting lets its activity writes count to the step that caused
        # them, not to the page views after it.
        self.settle = settle

    def _bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def sign_in(self, user: str) -> None:
        status, body = self.send("POST", "/sessions", {"userId": user}, {})
        assert status == 201, (status, body)
        self.token = body["token"]
        time.sleep(self.settle)

    def page_view(self) -> int:
        return int(self.send("GET", "/me/session", None, self._bearer())[0])

    def refresh(self) -> None:
        status, body = self.send("POST", "/me/session/refresh", None, self._bearer())
        assert status == 200, (status, body)
        self.token = body["token"]
        time.sleep(self.settle)

    def sign_out(self) -> None:
        self.send("DELETE", "/me/session", None, self._bearer())
        time.sleep(self.settle)

    def sign_out_everywhere(self, user: str, sessions: int) -> int:
        for _ in range(sessions):
            self.send("POST", "/sessions", {"userId": user}, {})
        return -1  # the caller resets the tally here

    def revoke_all(self, user: str) -> int:
        status, body = self.send("DELETE", f"/users/{user}/sessions", None, {})
        assert status == 200, (status, body)
        return int(body["revoked"])
