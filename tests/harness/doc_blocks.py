"""Command output and reference tables in README.md and docs/, produced by running the
commands (so they cannot go stale).

A block is delimited in the markdown by ``<!-- generated: NAME -->`` and
``<!-- end generated -->``; `GENERATORS` makes each. ``make docs`` rewrites every
block; ``tests/integration/test_docs_current.py`` fails when one differs from what the
commands print now. Values that change on every run (ids, tokens, times, ports, key
ids, durations) are compared as placeholders, everything else exactly.

    python -m tests.harness.doc_blocks          # rewrite the blocks
    python -m tests.harness.doc_blocks --check  # list the stale ones, exit 1 if any
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.harness.doc_bench_blocks import BENCH_GENERATORS

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(
    r"(?P<open><!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)"
    r"(?P<close><!-- end generated -->)",
    re.S,
)
VOLATILE = [
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+"), "<jwt>"),
    (
        re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[\w-]{43}"),
        "<token>",
    ),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<id>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"), "<time>"),
    (re.compile(r"\d+(\.\d+)?ms\b"), "<ms>"),
    # Seconds left when the answer was made: 299 when issuing straddled a second.
    (re.compile(r'"expiresIn":\d+'), '"expiresIn":<seconds>'),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"localhost:\d+"), "localhost:<port>"),
]


def masked(text: str) -> str:
    """``text`` with what changes on every run replaced by placeholders."""
    for pattern, placeholder in VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


class Served:
    """One ``sessions serve --demo`` for every block that needs it (a private key
    directory, shown as the default one)."""

    def __init__(self) -> None:
        from tests.serve_support import start_serve

        self.home = Path(tempfile.mkdtemp(prefix="docs-home-"))
        keys = self.home / ".config" / "serverless-sessions"
        self.log = self.home / "serve.log"
        self.server = start_serve(
            self.log,
            "--demo",
            env={"SESSIONS_KEY_FILE": str(keys / "secret-key"), "SESSIONS_TABLE": "sessions"},
        )
        self.url = self.server.url

    def banner(self) -> str:
        text = self.log.read_text()
        lines = text[: text.index("Press Ctrl+C to stop.")].splitlines()
        return "\n".join([*lines, "Press Ctrl+C to stop."]).replace(str(self.home), "~")

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, str]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> None:
        self.server.process.terminate()
        self.server.process.wait(timeout=10)
        shutil.rmtree(self.home, ignore_errors=True)  # it holds serve's keys


def _fenced(text: str, language: str = "text") -> str:
    return f"```{language}\n{text.rstrip()}\n```\n"


def _serve_banner(served: Served) -> str:
    shown = served.banner().replace(served.url, "http://127.0.0.1:3000")
    return _fenced("$ make serve\nserve 3/3: starting sessions serve --demo on port 3000\n" + shown)


def _try_it(served: Served) -> str:
    lines = []

    def curl(shown: str, method: str, path: str, body: Any = None, token: str = "") -> str:
        status, text = served.call(method, path, body, token or None)
        lines.append(f"$ {shown}")
        lines.append(text if text else str(status))
        lines.append("")
        return text

    created = json.loads(
        curl(
            'curl -s -X POST localhost:3000/sessions -d \'{"userId": "alice"}\'',
            "POST",
            "/sessions",
            {"userId": "alice"},
        )
    )
    token = created["token"]
    curl(
        'curl -s localhost:3000/me/session -H "Authorization: Bearer $TOKEN"',
        "GET",
        "/me/session",
        token=token,
    )
    refreshed = json.loads(
        curl(
            'curl -s -X POST localhost:3000/sessions/refresh -d "{\\"token\\": \\"$TOKEN\\"}"',
            "POST",
            "/sessions/refresh",
            {"token": token},
        )
    )
    curl(
        'curl -s -X POST localhost:3000/sessions/validate -d \'{"token": "not-a-token"}\'',
        "POST",
        "/sessions/validate",
        {"token": "not-a-token"},
    )
    curl(
        'curl -s -X POST localhost:3000/sessions -d \'{"userId": ""}\'',
        "POST",
        "/sessions",
        {"userId": ""},
    )
    new = refreshed["token"]
    curl(
        "curl -s -X DELETE localhost:3000/me/session"
        ' -H "Authorization: Bearer $NEW" -w "%{http_code}"',
        "DELETE",
        "/me/session",
        token=new,
    )
    curl(
        'curl -s localhost:3000/me/session -H "Authorization: Bearer $NEW"',
        "GET",
        "/me/session",
        token=new,
    )
    return _fenced("\n".join(lines))


def _access_token_session(served: Served) -> str:
    _, created = served.call("POST", "/sessions", {"userId": "alice"})
    token = json.loads(created)["token"]
    _, issued = served.call("POST", "/me/token", {"expiresIn": 300}, token)
    _, discovery = served.call("GET", "/.well-known/openid-configuration")
    return _fenced(
        "\n".join(
            [
                '$ curl -s -X POST localhost:3000/me/token -H "Authorization: Bearer $TOKEN"'
                " -d '{\"expiresIn\": 300}'",
                issued,
                "",
                "$ curl -s localhost:3000/.well-known/openid-configuration",
                discovery.replace(served.url, "http://127.0.0.1:3000"),
            ]
        )
    )


def _cli_errors(_: Served | None) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "SESSIONS_SECRET"))
    }
    with tempfile.TemporaryDirectory(prefix="docs-cli-") as home:
        return _fenced(_cli_error_lines(env, home))


def _cli_error_lines(env: dict[str, str], home: str) -> str:
    env.update(
        HOME=home,
        AWS_CONFIG_FILE=f"{home}/none",
        AWS_SHARED_CREDENTIALS_FILE=f"{home}/none",
        AWS_EC2_METADATA_DISABLED="true",
    )
    runs = [
        ["list", "--user", "alice", "--table", "prod-sessions"],
        ["list", "--user", "alice", "--endpoint-url", "http://127.0.0.1:9"],
        [
            "list",
            "--user",
            "alice",
            "--secret-arn",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:key",
        ],
    ]
    lines = []
    for argv in runs:
        done = subprocess.run(
            [sys.executable, "-m", "sessions_cli.main", *argv],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        lines += [
            f"$ sessions {' '.join(argv)}",
            done.stderr.strip(),
            f"(exit {done.returncode})",
            "",
        ]
    return "\n".join(lines)


def _variables(_: Served | None) -> str:
    from handlers.setting_values import PREVIOUS_KEYS_ENV, SECRET_KEY_ENV
    from handlers.settings import Settings

    rows = ["| variable | default | what it does |", "| --- | --- | --- |"]
    rows.append(
        f"| `{SECRET_KEY_ENV}` | (a local key file) | the per-deployment key; the template "
        "generates it in Secrets Manager |"
    )
    rows.append(
        f"| `{PREVIOUS_KEYS_ENV}` | (none) | comma-separated keys of a rotation in progress |"
    )
    for spec in dataclasses.fields(Settings):
        name = spec.metadata.get("env")
        if name:
            rows.append(f"| `{name}` | {_default(spec.default)} | {spec.metadata['help']} |")
    return "\n".join(rows) + "\n"


def _default(value: Any) -> str:
    from datetime import timedelta

    if value is None or value == frozenset():
        return "(none)"
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds())} s" if value.days < 2 else f"{value.days} days"
    if isinstance(value, tuple):
        return "`" + ",".join(value) + "`"
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def _template() -> dict[str, Any]:
    from tests.harness.template import load_template

    return load_template(ROOT / "template.yaml")


def _parameters(_: Served | None) -> str:
    rows = ["| parameter | default | what it does |", "| --- | --- | --- |"]
    for name, spec in _template()["Parameters"].items():
        default = spec.get("Default", "")
        shown = f"`{default}`" if default != "" else "(empty)"
        text = " ".join(str(spec.get("Description", "")).split())
        rows.append(f"| `{name}` | {shown} | {text} |")
    return "\n".join(rows) + "\n"


def _outputs(_: Served | None) -> str:
    rows = ["| output | what it is |", "| --- | --- |"]
    for name, spec in _template()["Outputs"].items():
        condition = f" (with `{spec['Condition']}`)" if "Condition" in spec else ""
        rows.append(f"| `{name}` | {' '.join(str(spec['Description']).split())}{condition} |")
    return "\n".join(rows) + "\n"


GENERATORS: dict[str, Callable[[Any], str]] = {
    "serve-banner": _serve_banner,
    "try-it": _try_it,
    "access-token-session": _access_token_session,
    "cli-errors": _cli_errors,
    "variables": _variables,
    "parameters": _parameters,
    "outputs": _outputs,
    **BENCH_GENERATORS,
}
NEEDS_SERVE = {"serve-banner", "try-it", "access-token-session"}


def blocks(paths: list[Path] = DOCS) -> list[tuple[Path, str, str]]:
    """Every generated block: its file, its name and its current text."""
    return [
        (path, found.group("name"), found.group("body"))
        for path in paths
        for found in BLOCK.finditer(path.read_text(encoding="utf-8"))
    ]


def regenerate(paths: list[Path] = DOCS, *, write: bool) -> list[str]:
    """Make every block again; write them (``write``) or list those whose text differs
    from what they would be now, volatile values aside."""
    found = blocks(paths)
    served = Served() if any(name in NEEDS_SERVE for _, name, _ in found) else None
    stale = []
    try:
        fresh = {name: GENERATORS[name](served) for name in {n for _, n, _ in found}}
    finally:
        if served is not None:
            served.stop()
    for path in paths:
        text = path.read_text(encoding="utf-8")

        def replace(match: re.Match[str], path: Path = path) -> str:
            name = match.group("name")
            if masked(match.group("body")) == masked(fresh[name]):
                return match.group(0)  # only ids and times moved: keep the diff quiet
            stale.append(f"{path.relative_to(ROOT)}: {name}")
            return match.group("open") + fresh[name] + match.group("close")

        updated = BLOCK.sub(replace, text)
        if write and updated != text:
            path.write_text(updated, encoding="utf-8")
    return stale


def main(argv: list[str]) -> int:
    stale = regenerate(write="--check" not in argv)
    for line in stale:
        print(("stale: " if "--check" in argv else "rewrote: ") + line)
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
