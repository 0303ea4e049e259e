"""The embedded DynamoDB of `sessions serve`: moto's server in a thread of this process."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Embedded:
    """A running embedded server: its URL."""

    url: str


def port_free(port: int) -> bool:
    """True when nothing accepts connections on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start_embedded_moto(port: int = 8000) -> Embedded:
    """moto's server in a thread of this process (``port`` if free, else any): its
    DynamoDB (with streams) and EventBridge."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(
        ip_address="127.0.0.1", port=port if port_free(port) else 0, verbose=False
    )
    server.start()
    host, bound = server.get_host_and_port()
    return Embedded(f"http://{host}:{bound}")
