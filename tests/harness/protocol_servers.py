"""DynamoDB-protocol servers for the tests and the benchmarks (`sessions serve`'s own
embedded moto is `sessions_local.embedded`):

- ``moto_server`` (a subprocess, from ``moto[server]``);
- dynalite (a subprocess, npm package installed under ``.tools/node`` from the lockfile
  in ``tests/harness/node``): an independent implementation that validates requests as
  DynamoDB does (no TTL, no transactions).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sessions_local.embedded import port_free

ROOT = Path(__file__).resolve().parents[2]
NODE_TOOLS = ROOT / ".tools" / "node"
NODE_SOURCE = Path(__file__).resolve().parent / "node"  # package.json + its lockfile
DYNALITE_BIN = NODE_TOOLS / "node_modules" / ".bin" / "dynalite"


class ServerUnavailableError(RuntimeError):
    """The server cannot be installed or started here; the message says why."""


@dataclass
class ProtocolServer:
    """A running server: its name, URL, and how to stop it."""

    name: str
    url: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop the server process (threads of embedded moto end with the process)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerUnavailableError(f"{name} exited with code {process.returncode}")
        if not port_free(port):
            return
        time.sleep(0.05)
    process.kill()
    raise ServerUnavailableError(f"{name} did not listen on port {port} within 30 s")


def start_moto_server() -> ProtocolServer:
    """``moto_server`` as its own process on a free port."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_listening(port, process, "moto_server")
    return ProtocolServer("moto_server", f"http://127.0.0.1:{port}", process)


def install_node_tools() -> Path:
    """Install the Node tools the tests use (dynalite, axe-core, jose) into .tools/node
    with the machine's npm, from the committed lockfile (``npm ci``), once per lockfile.

    Raises:
        ServerUnavailableError: no node/npm here, or npm could not install them.
    """
    lock = NODE_SOURCE / "package-lock.json"
    stamp = NODE_TOOLS / ".installed-lock"
    if stamp.exists() and stamp.read_bytes() == lock.read_bytes():
        return NODE_TOOLS
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise ServerUnavailableError("node and npm are needed and are not installed")
    NODE_TOOLS.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(NODE_SOURCE / name, NODE_TOOLS / name)
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_TOOLS,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ServerUnavailableError(
            f"npm could not install the node tools: {result.stderr[-400:]}"
        )
    stamp.write_bytes(lock.read_bytes())
    return NODE_TOOLS


def install_dynalite() -> Path:
    """dynalite's executable, installed with the node tools.

    Raises:
        ServerUnavailableError: it cannot be installed here.
    """
    install_node_tools()
    if not DYNALITE_BIN.exists():
        raise ServerUnavailableError("npm installed the node tools but not dynalite")
    return DYNALITE_BIN


def start_dynalite() -> ProtocolServer:
    """dynalite (in-memory) as its own process on a free port."""
    binary = install_dynalite()
    port = free_port()
    process = subprocess.Popen(
        [
            str(binary),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
            "--updateTableMs",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    _wait_listening(port, process, "dynalite")
    return ProtocolServer("dynalite", f"http://127.0.0.1:{port}", process)


STARTERS = {"moto_server": start_moto_server, "dynalite": start_dynalite}
