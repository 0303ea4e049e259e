"""Where an entry point's access tokens get their keys, from its settings.

In a deployed function the key set is the table's key-set item, the private keys in
KMS (the template's default) or Secrets Manager; only the API function may create the
key set, from the key the template made. Anywhere else (`sessions serve`, the CLI, a
handler invoked by a test) it is this machine's key file, created on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from handlers.aws_clients import service_client
from sessions_core.access_tokens import AccessTokenPolicy
from sessions_core.token_service import AccessTokens, CachedKeys, KeySource

if TYPE_CHECKING:
    from handlers.settings import Settings
    from sessions_core.dynamodb.table import Table
    from sessions_core.signing_keys import KeyEntry

# The issuer of local runs when none is configured: `sessions serve`'s default address,
# so that a handler run locally verifies what serve issued with the same variables.
LOCAL_ISSUER = "http://127.0.0.1:3000"


def token_policy(settings: Settings, *, issuer: str | None = None) -> AccessTokenPolicy:
    """The access token policy of ``settings``: ``issuer`` (serve's own address) when
    none is configured; in Lambda, empty: the key set's (see `api_issuer`)."""
    chosen = settings.token_issuer or issuer or ("" if settings.in_lambda else LOCAL_ISSUER)
    return AccessTokenPolicy(
        issuer=chosen, audiences=settings.token_audiences, client_id=settings.token_client_id
    )


def api_issuer(settings: Settings, event: dict[str, Any]) -> str | None:
    """The issuer a deployed API is by default: its own ``execute-api`` URL, built from
    the ids API Gateway puts in the event (never from a ``Host`` header)."""
    api_id = str((event.get("requestContext") or {}).get("apiId") or "")
    if not api_id.isalnum():
        return None
    return f"https://{api_id}.execute-api.{settings.region}.{settings.url_suffix}"


def key_source(settings: Settings, table: Table, *, creates_key_set: bool) -> KeySource:
    """Where the key set and the private keys are, for ``settings``.

    Raises:
        KeyConfigurationError: the local key file cannot be used.
    """
    if not settings.in_lambda:
        from sessions_core.local_signing_keys import LocalSigningKeys  # noqa: PLC0415

        return LocalSigningKeys(settings.local_signing_keys_file)
    from sessions_core.dynamodb.key_set_item import KeySetItem  # noqa: PLC0415
    from sessions_core.dynamodb.layout import Layout  # noqa: PLC0415
    from sessions_core.key_services.deployed import DeployedKeys  # noqa: PLC0415

    kms = cache(lambda: service_client(settings, "kms"))
    secrets = cache(lambda: service_client(settings, "secretsmanager"))
    first = _first_key(settings, kms, secrets) if creates_key_set else None
    item = KeySetItem(table, Layout(settings.prefix, settings.expiry_shards))
    return DeployedKeys(item, kms=kms, secrets=secrets, first_key=first)


def build_access_tokens(
    settings: Settings,
    table: Table,
    clock: Callable[[], datetime],
    *,
    creates_key_set: bool = False,
    issuer: str | None = None,
) -> AccessTokens:
    """Access tokens for an entry point: its policy, its key source, cached.

    Raises:
        InvalidArgumentError: no audience.
    """
    source = key_source(settings, table, creates_key_set=creates_key_set)
    return AccessTokens(token_policy(settings, issuer=issuer), CachedKeys(source, clock))


def _first_key(
    settings: Settings, kms: Callable[[], Any], secrets: Callable[[], Any]
) -> Callable[[datetime], KeyEntry] | None:
    if settings.signing_key_secret:
        from sessions_core.key_services.secrets_manager import SecretSigningKeys  # noqa: PLC0415

        secret = settings.signing_key_secret
        return lambda now: SecretSigningKeys(secrets(), secret).first_entry(now)
    if settings.signing_key_id:
        from sessions_core.key_services.kms import kms_entry  # noqa: PLC0415

        key_id = settings.signing_key_id
        return lambda now: kms_entry(kms(), key_id, signs_from=now)
    return None
