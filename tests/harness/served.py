"""The local server in this process, over real HTTP, with a runtime the test built: an
injected clock moves the server's time too (no sleeping to let a deadline pass)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from handlers.wiring import Runtime, used_everywhere
from sessions_local.gateway import IamCheck
from sessions_local.server import _request_handler, _Server, make_gateway


@contextmanager
def served_in_process(
    runtime: Runtime, *, demo: bool = False, iam_check: IamCheck | None = None
) -> Iterator[str]:
    """`sessions serve`'s HTTP server and gateway on a free port, every entry point
    working with ``runtime``; its base URL."""
    gateway = make_gateway(demo=demo, iam_check=iam_check)
    httpd = _Server(("127.0.0.1", 0), _request_handler(gateway, lambda _: None))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    with used_everywhere(runtime):
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
            httpd.server_close()
