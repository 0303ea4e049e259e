"""The access token methods of `SessionManager` (a part of it, kept apart so each
module holds one concern): issuing for a session that validates, verifying offline,
and denying every token issued before a moment."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sessions_core.errors import ERRORS_BY_CODE, KeyConfigurationError
from sessions_core.revocation_feed import all_entry
from sessions_core.uses_config import UsesConfig

if TYPE_CHECKING:
    from sessions_core.access_tokens import AccessToken, AccessTokenClaims
    from sessions_core.models import ValidationResult
    from sessions_core.token_service import AccessTokens


class AccessTokenMethods(UsesConfig):
    """Access tokens, on top of the manager's validation."""

    def validate(
        self,
        token: str,
        *,
        user_agent: str | None = None,
        ip_address: str | None = None,
        country: str | None = None,
    ) -> ValidationResult:
        """See `SessionManager.validate` (which this part's methods call)."""
        raise NotImplementedError

    def issue_access_token(
        self,
        token: str,
        *,
        audience: str | None = None,
        expires_in: timedelta | None = None,
        user_agent: str | None = None,
    ) -> AccessToken:
        """A short-lived signed access token (a JWT) for the session ``token`` names,
        which must validate now (one store request; sliding and activity applied as on
        any validation). ``audience`` is one of the configured ones (None: the first);
        the token expires after ``expires_in`` (default 5 minutes, 1 s to 1 h), never
        after the session itself.

        Raises:
            InvalidTokenError, SessionExpiredError, SessionRevokedError,
            UserAgentMismatchError: the session does not validate (see `.code`).
            InvalidArgumentError: an audience or lifetime that is not allowed.
            KeyConfigurationError: access tokens are not configured, or no key signs.
            StoreUnavailableError: the store did not answer.
        """
        tokens = self._access_tokens()
        issued_at = self._now()  # before the session is validated
        result = self.validate(token, user_agent=user_agent)
        if result.session is None:
            raise ERRORS_BY_CODE[result.error or "invalid_token"]()
        return tokens.issue(
            result.session, issued_at=issued_at, audience=audience, lifetime=expires_in
        )

    def verify_access_token(self, jwt: str, *, audience: str | None = None) -> AccessTokenClaims:
        """The claims of a valid access token for ``audience`` (None: the default
        audience only, never "any configured one"): no store request.

        Raises:
            InvalidAccessTokenError: the token is not valid.
            KeyConfigurationError: access tokens are not configured.
        """
        return self._access_tokens().verify(jwt, audience=audience)

    def revoke_access_tokens(self, *, issued_before: datetime | None = None) -> None:
        """Deny every access token issued before ``issued_before`` (default: now),
        whatever its session: for incidents (a key or a signer compromised).

        Raises:
            KeyConfigurationError: access tokens are not configured.
            StoreUnavailableError: the store did not answer.
        """
        self._access_tokens()
        now = self._revocation_time()
        entry = all_entry(now, before=issued_before or now, call=secrets.token_hex(8))
        self._append_revocations([entry])

    def _access_tokens(self) -> AccessTokens:
        if self.config.access_tokens is None:
            raise KeyConfigurationError("access tokens are not configured")
        return self.config.access_tokens
