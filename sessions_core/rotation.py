"""`Refresher`: rule 3. One conditional write rotates a token; racing refreshes of one
token rotate once and all hand back the same (derived) successor."""

from __future__ import annotations

from datetime import datetime

from sessions_core.changes import applied_to, rotation, seen_from
from sessions_core.config import SessionConfig
from sessions_core.errors import ERRORS_BY_CODE, InvalidTokenError
from sessions_core.models import Session
from sessions_core.records import Loaded, Presented
from sessions_core.rules import extended_expiry, rotated
from sessions_core.tokens import parse_token, secret_matches, token_of
from sessions_core.uses_config import UsesConfig
from sessions_core.validation import Validator


class Refresher(UsesConfig):
    """Rotates tokens in ``config``'s store, judging them as ``validator`` does."""

    def __init__(self, config: SessionConfig, validator: Validator) -> None:
        super().__init__(config)
        self._validator = validator

    def refresh(self, token: str, presented: Presented) -> Session:
        """Rotate the token: the returned session carries the successor token.

        Concurrent refreshes of one token rotate once; each gets the same successor.
        Within the grace window, refreshing the previous token again returns that same
        successor. After it, presenting a retired token revokes the session.

        Raises:
            InvalidTokenError, SessionExpiredError, SessionRevokedError,
            UserAgentMismatchError: the token cannot be refreshed (see `.code`).
            StoreUnavailableError: the store did not answer.
        """
        session_id = parse_token(token)
        if session_id is None:
            raise InvalidTokenError()
        loaded = self._validator.load(session_id)
        for _ in range(2):
            now = self._now()
            session = self._usable(token, loaded, presented.user_agent, now)
            if not secret_matches(token, session.token_hash):
                return self._successor_of_previous(token, session)
            expires_at = extended_expiry(session, now, self.config.max_lifetime)
            successor = rotated(session, token, now, expires_at, self._keys)
            change = rotation(session, successor, seen_from(presented))
            result = self._store.update(session.id, change)
            if result.applied:
                return applied_to(session, change).model_copy(update={"token": successor.token})
            # Lost a race: judge the token again against the item as it now stands.
            loaded = Loaded(result.current, loaded.users)
        raise InvalidTokenError()

    def _usable(self, token: str, loaded: Loaded, user_agent: str | None, now: datetime) -> Session:
        session = loaded.session
        if session is None:
            raise InvalidTokenError()
        verdict = self._validator.judge(token, loaded, user_agent, now)
        if verdict.reuse:
            self._validator.revoke_for_reuse(session)
        elif verdict.error == "session_revoked":
            self._validator.record_revocation(loaded)
        if verdict.error is not None:
            raise ERRORS_BY_CODE[verdict.error]()
        return session

    def _successor_of_previous(self, token: str, session: Session) -> Session:
        # The presented token was rotated out moments ago (another tab won the race):
        # hand back the successor it already has, without writing. Every key of the
        # ring is tried, so a key rotation does not fail a refresh racing it.
        for secret in self._keys.successor_secrets(session.id, token, session.generation):
            successor = token_of(session.id, secret)
            if secret_matches(successor, session.token_hash):
                return session.model_copy(update={"token": successor})
        raise InvalidTokenError()
