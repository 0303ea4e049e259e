"""Key files on this machine: the deployment key and the signing keys of local runs.

Created on first use with no manual step: ``0600`` in a ``0700`` directory (whatever
the umask), written under a temporary name and linked into place so that two processes
starting together end up with one key. A key file that group or others can read is
refused rather than used: a key that may have leaked is no key.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from sessions_core.errors import KeyConfigurationError

logger = logging.getLogger("sessions_core")

# Where local runs keep their keys (the settings may name other files; tests point
# this elsewhere so that they never touch the developer's own).
LOCAL_KEY_DIR = Path("~/.config/serverless-sessions")
SIGNING_KEYS_FILE = "signing-keys.json"


def local_key_path(name: str) -> Path:
    """The file ``name`` in the local key directory."""
    return (LOCAL_KEY_DIR / name).expanduser()


def read_private(path: Path) -> str:
    """The text of a key file that only its owner can read.

    Raises:
        KeyConfigurationError: the file is readable by group or others, or unreadable.
    """
    try:
        _trusted_directory(path.parent)
        info = _not_a_link(path, "replace the link with the file itself (mode 600)")
        mode = info.st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyConfigurationError(
                f"{path} is readable by others (mode {stat.S_IMODE(mode):04o}); a key that "
                f"may have leaked is refused: replace it, then run chmod 600 {path}"
            )
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise KeyConfigurationError(f"cannot read the key file {path}: {error.strerror}") from error


def create_private(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` (``0600``, its directory ``0700``) unless another
    process created it first; True when this call did.

    Raises:
        KeyConfigurationError: the directory or file cannot be written.
    """
    try:
        _private_directory(path.parent)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(draft, 0o600)  # the mode open() asked for, whatever the umask
        try:
            # link() fails if another process created the file first: theirs wins.
            os.link(draft, path)
        except FileExistsError:
            return False
        finally:
            draft.unlink()
    except OSError as error:
        raise KeyConfigurationError(f"cannot create {path}: {error.strerror}") from error
    logger.info("created %s", path)
    return True


def _not_a_link(path: Path, fix: str) -> os.stat_result:
    """``path``'s own status, refusing a symbolic link (a key is read only where it is)
    or what another user owns."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        raise KeyConfigurationError(f"{path} is a symbolic link; keys are not followed: {fix}")
    _owned(path, info)
    return info


def _owned(path: Path, info: os.stat_result) -> None:
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise KeyConfigurationError(
            f"{path} belongs to another user (uid {info.st_uid}); a key someone else "
            f"controls is refused: make your own (delete it, or chown it to yourself)"
        )


def _trusted_directory(directory: Path) -> None:
    """Refuse a key directory that is a link, or that others may write (they could
    swap the key), or that another user owns.

    Raises:
        KeyConfigurationError: with the directory and the fix.
    """
    info = _not_a_link(directory, "replace the link with a directory (mode 700)")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise KeyConfigurationError(
            f"{directory} can be written by others (mode {stat.S_IMODE(info.st_mode):04o}), "
            f"who could replace its keys: run chmod 700 {directory}"
        )


def _private_directory(directory: Path) -> None:
    if directory.exists() or directory.is_symlink():
        _trusted_directory(directory)
        return
    directory.mkdir(parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask (under umask 0 it was 0777): set it.
    os.chmod(directory, 0o700)
