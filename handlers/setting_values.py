"""How an environment variable's text becomes a setting's value, `var`, the field that
names its variable (`Settings` declares every field with it), and `key_ring`, the
deployment key from the environment.

Each parser raises ``ValueError`` whose text says what the value should be; `parsed`
turns that into one `SettingsError` naming the variable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import Field, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast, get_args
from urllib.parse import urlsplit

from sessions_core.config import LimitPolicy
from sessions_core.errors import KeyConfigurationError, SessionError
from sessions_core.keys import KeyRing, local_key_ring

SECRET_KEY_ENV = "SESSIONS_SECRET_KEY"  # noqa: S105 - a variable name, not a secret
PREVIOUS_KEYS_ENV = "SESSIONS_PREVIOUS_SECRET_KEYS"
KEY_FILE_ENV = "SESSIONS_KEY_FILE"

# -- how a variable's text becomes a value ----------------------------------------------


def text(raw: str) -> str:
    return raw


def flag(raw: str) -> bool:
    if raw.lower() not in {"true", "false"}:
        raise ValueError("true or false")
    return raw.lower() == "true"


def whole(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("a whole number, 0 or more")
    return value


def positive_whole(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("a whole number, 1 or more")
    return value


def seconds(raw: str) -> timedelta:
    return timedelta(seconds=whole(raw))


def positive_seconds(raw: str) -> timedelta:
    seconds = whole(raw)
    if not seconds:
        raise ValueError("1 second or more")
    return timedelta(seconds=seconds)


def seconds_or_none(raw: str) -> timedelta | None:
    """Seconds, where 0 means none (the feature off)."""
    seconds = whole(raw)
    return timedelta(seconds=seconds) if seconds else None


def days(raw: str) -> timedelta:
    days = whole(raw)
    if not days:
        raise ValueError("1 day or more")
    return timedelta(days=days)


def count_or_none(raw: str) -> int | None:
    return whole(raw) or None


def origins(raw: str) -> frozenset[str]:
    return frozenset(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(" or ".join(allowed))
        return raw

    return parse


def issuer(raw: str) -> str:
    """An issuer URL: absolute, http(s), no query or fragment; a trailing slash is
    dropped (``iss`` is compared byte for byte)."""
    parts = urlsplit(raw)
    if parts.scheme not in {"https", "http"} or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("an https:// URL with no query or fragment, e.g. https://auth.example.com")
    return raw.rstrip("/")


def names(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    if not names:
        raise ValueError("one name or more, comma-separated")
    return names


def path(raw: str) -> Path:
    return Path(raw).expanduser()


def policy(raw: str) -> LimitPolicy:
    return cast(LimitPolicy, choice(*get_args(LimitPolicy))(raw))


class SettingsError(SessionError, code="misconfigured"):
    """The configuration is not valid.

    A variable holds something that is not what it names (the message says which,
    and what it should be).
    """


def parsed(fields: Iterable[Field[Any]], env: Mapping[str, str]) -> dict[str, Any]:
    """The value of each field (`var`) whose variable ``env`` sets (not blank).

    Raises:
        SettingsError: a variable holds something that is not what it names.
    """
    found: dict[str, Any] = {}
    for spec in fields:
        name = spec.metadata.get("env")
        raw = env.get(name, "").strip() if name else ""
        if name == "AWS_REGION" and not raw:
            raw = env.get("AWS_DEFAULT_REGION", "").strip()
        if raw:
            try:
                found[spec.name] = spec.metadata["parse"](raw)
            except ValueError as error:
                raise SettingsError(f"{name} must be {error or 'valid'}") from error
    return found


def var(name: str, default: Any, parse: Callable[[str], Any] = text, *, help: str) -> Any:
    """A field read from the variable ``name``: unset or blank means ``default``;
    ``help`` says what it does (docs/configuration.md is generated from it)."""
    return field(default=default, metadata={"env": name, "parse": parse, "help": help})


def key_ring(env: Mapping[str, str]) -> KeyRing:
    """The per-deployment key: ``SESSIONS_SECRET_KEY`` (and the previous keys of a
    rotation); outside Lambda without it, the local key file (``SESSIONS_KEY_FILE``,
    else ``~/.config/serverless-sessions/secret-key``, created on first use).

    Raises:
        KeyConfigurationError: the key is set but blank or under 32 bytes, or a Lambda
            has none (deploy template.yaml, which generates it): nothing is derived
            from anything a reader of the table could know.
    """
    text = env.get(SECRET_KEY_ENV)
    if text is not None:
        return KeyRing.from_text(
            text,
            env.get(PREVIOUS_KEYS_ENV, ""),
            source=SECRET_KEY_ENV,
            previous_source=PREVIOUS_KEYS_ENV,
        )
    if env.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise KeyConfigurationError(
            f"{SECRET_KEY_ENV} is not set: deploy template.yaml, which generates the key "
            "in Secrets Manager and passes it to every function"
        )
    configured = env.get(KEY_FILE_ENV, "").strip()
    return local_key_ring(path(configured) if configured else None)
