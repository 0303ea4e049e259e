"""`sessions serve` over raw sockets: every framing a client can get wrong answers 400
(never a traceback), and a body that never comes does not hold a worker."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.serve_support import Served, call, start_serve


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    running = start_serve(tmp_path_factory.mktemp("raw") / "serve.log")
    yield running
    running.process.terminate()
    running.process.wait(timeout=10)


def _send(served: Served, raw: bytes, *, wait: float = 5.0) -> bytes:
    address = urlsplit(served.url)
    with socket.create_connection((address.hostname, address.port), timeout=wait) as conn:
        conn.sendall(raw)
        chunks = []
        try:
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    "length",
    [b"Content-Length: -1\r\n", b"Content-Length: abc\r\n", b"Content-Length: 1e3\r\n", b""],
    ids=["negative", "not-a-number", "float", "missing"],
)
def test_serve_bad_content_length_answers_400_and_closes(served: Served, length: bytes) -> None:
    # Before: -1 blocked a worker until the client went away, abc printed a traceback.
    started = time.monotonic()
    raw = b"POST /sessions/validate HTTP/1.1\r\nHost: x\r\n" + length + b"\r\n{}"
    answer = _send(served, raw)
    assert _status(answer) == 400, answer[:200]
    assert b'"error": "bad_request"' in answer
    assert time.monotonic() - started < 3
    assert "Traceback" not in served.log.read_text()


def test_serve_chunked_body_answers_400(served: Served) -> None:
    head = b"POST /sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    raw = head + b"2\r\n{}\r\n0\r\n\r\n"
    assert _status(_send(served, raw)) == 400


def test_serve_body_that_never_comes_frees_the_worker(served: Served) -> None:
    # A client promising 100 bytes and sending none is cut off, and the server answers
    # everyone else meanwhile.
    address = urlsplit(served.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as stalled:
        stalled.sendall(b"POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        assert call(served, "GET", "/openapi.json").status == 200
        started = time.monotonic()
        assert stalled.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 15


@pytest.mark.parametrize("path", ["//sessions", "/sessions/", "//sessions//"])
def test_serve_paths_that_normalise_to_a_service_route_are_that_route(
    served: Served, path: str
) -> None:
    # One normalisation for routing, the IAM guard and the body guard.
    created = call(served, "POST", path, {"userId": "norma"})
    assert created.status == 201, created.body


def test_serve_get_without_content_length_is_fine(served: Served) -> None:
    answer = _send(served, b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _status(answer) == 200
