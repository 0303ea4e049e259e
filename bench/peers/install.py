"""The peers, installed from the package registries into .tools (never vendored, never
in the project's own environment): express-session + connect-dynamodb with npm from
bench/peers/node's lockfile, Flask-Session into its own venv."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOLS = HERE.parents[1] / ".tools"
NODE_DIR = TOOLS / "peers-node"
PY_DIR = TOOLS / "peers-py"


class PeerUnavailableError(RuntimeError):
    """A peer could not be installed here (no npm, no registry)."""


def _stamp(directory: Path, *sources: Path) -> bool:
    """True when ``directory`` holds an install of exactly ``sources``; records it."""
    digest = hashlib.sha256(b"".join(s.read_bytes() for s in sources)).hexdigest()
    marker = directory / ".installed"
    if marker.exists() and marker.read_text() == digest:
        return True
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("")  # written for real by the caller once the install succeeds
    return False


def _done(directory: Path, *sources: Path) -> None:
    digest = hashlib.sha256(b"".join(s.read_bytes() for s in sources)).hexdigest()
    (directory / ".installed").write_text(digest)


def node_peer() -> Path:
    """The express app's node_modules directory (installing it with `npm ci` once)."""
    lock, manifest = HERE / "node" / "package-lock.json", HERE / "node" / "package.json"
    if _stamp(NODE_DIR, manifest, lock):
        return NODE_DIR / "node_modules"
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise PeerUnavailableError("node and npm are needed for express-session")
    shutil.copy(manifest, NODE_DIR / "package.json")
    shutil.copy(lock, NODE_DIR / "package-lock.json")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PeerUnavailableError(f"npm ci failed: {result.stderr[-400:]}")
    _done(NODE_DIR, manifest, lock)
    return NODE_DIR / "node_modules"


def python_peer() -> Path:
    """The python of the Flask-Session venv (creating it once)."""
    requirements = HERE / "requirements.txt"
    python = PY_DIR / "bin" / "python"
    if _stamp(PY_DIR, requirements) and python.exists():
        return python
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PY_DIR)], check=True)
    result = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(requirements),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PeerUnavailableError(f"pip could not install Flask-Session: {result.stderr[-400:]}")
    _done(PY_DIR, requirements)
    return python
