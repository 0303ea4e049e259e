"""`SessionsClient`: the service routes over HTTPS, signed with botocore's SigV4 signer
(service ``execute-api``), with one connection pool reused across calls.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import botocore.session
import jwt
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sessions_client.errors import error_from
from sessions_core.access_tokens import AccessToken
from sessions_core.activity import ActivityEvent
from sessions_core.errors import StoreConfigurationError, StoreUnavailableError
from sessions_core.models import Session, ValidationResult

SERVICE = "execute-api"
DEFAULT_TIMEOUT = urllib3.Timeout(connect=2.0, read=5.0)
MAX_RETRY_AFTER_SECONDS = 5.0


def _ms(value: timedelta | None) -> int | None:
    return None if value is None else int(value / timedelta(milliseconds=1))


def _region_of(base_url: str) -> str | None:
    """``eu-west-1`` from ``https://<api>.execute-api.eu-west-1.amazonaws.com``."""
    parts = (urlsplit(base_url).hostname or "").split(".")
    if len(parts) >= 4 and parts[1] == SERVICE:
        return parts[2]
    return None


class SessionsClient:
    """The service routes of a deployed (or `sessions serve`'d) sessions API.

    Args:
        base_url: the API's URL (the stack's ``ApiUrl`` output).
        credentials: botocore credentials; botocore's default chain when absent
            (environment, profile, the Lambda's or container's role).
        region: the API's region; read from an execute-api URL, else botocore's
            configured region, else us-east-1.
        timeout: connect and read timeouts of each request.
        retries: how many times a 503 (the store unavailable) is retried, waiting what
            its ``Retry-After`` says (at most 5 s each).
        max_connections: the size of the connection pool, reused by every call.

    Raises:
        StoreConfigurationError: no credentials could be found.
    """

    def __init__(
        self,
        base_url: str,
        *,
        credentials: Credentials | None = None,
        region: str | None = None,
        timeout: urllib3.Timeout = DEFAULT_TIMEOUT,
        retries: int = 2,
        max_connections: int = 10,
    ) -> None:
        session = botocore.session.get_session()
        self.base_url = base_url.rstrip("/")
        self.region = region or _region_of(base_url) or session.get_config_variable("region")
        self.region = self.region or "us-east-1"
        found = credentials or session.get_credentials()
        if found is None:
            raise StoreConfigurationError("no AWS credentials to sign requests with")
        self._credentials: Credentials = found
        self._retries = retries
        self._pool = urllib3.PoolManager(
            maxsize=max_connections, timeout=timeout, retries=False, block=False
        )

    # -- the routes ------------------------------------------------------------------

    def create(
        self,
        *,
        user_id: str,
        expires_in: timedelta | None = None,
        metadata: dict[str, Any] | None = None,
        sliding_expiration: bool = False,
        user_agent: str | None = None,
        ip_address: str | None = None,
        country: str | None = None,
        max_lifetime: timedelta | None = None,
        aal: int = 1,
    ) -> Session:
        """``POST /sessions``: a new session, carrying its token."""
        body = {
            "userId": user_id,
            "expiresIn": _ms(expires_in),
            "metadata": metadata,
            "slidingExpiration": sliding_expiration,
            "userAgent": user_agent,
            "ipAddress": ip_address,
            "country": country,
            "maxLifetime": _ms(max_lifetime),
            "aal": aal,
        }
        return _with_token(self._call("POST", "/sessions", body))

    def validate(self, token: str, *, user_agent: str | None = None) -> ValidationResult:
        """``POST /sessions/validate``."""
        answer = self._call("POST", "/sessions/validate", {"token": token, "userAgent": user_agent})
        session = answer.get("session")
        return ValidationResult(
            valid=bool(answer["valid"]),
            session=Session.model_validate(session) if session else None,
            error=answer.get("error"),
        )

    def refresh(self, token: str, *, user_agent: str | None = None) -> Session:
        """``POST /sessions/refresh``: the rotated session, carrying its new token."""
        return _with_token(
            self._call("POST", "/sessions/refresh", {"token": token, "userAgent": user_agent})
        )

    def revoke(self, session_id: str) -> None:
        """``DELETE /sessions/{sessionId}`` (idempotent)."""
        self._call("DELETE", f"/sessions/{quote(session_id, safe='')}")

    def list_for_user(self, user_id: str) -> list[Session]:
        """``GET /users/{userId}/sessions``: active sessions, newest first."""
        answer = self._call("GET", f"/users/{quote(user_id, safe='')}/sessions")
        return [Session.model_validate(s) for s in answer["sessions"]]

    def revoke_all(self, user_id: str) -> int:
        """``DELETE /users/{userId}/sessions``: how many this call revoked."""
        return int(self._call("DELETE", f"/users/{quote(user_id, safe='')}/sessions")["revoked"])

    def reauthenticate(self, session_id: str, *, aal: int | None = None) -> Session:
        """``POST /sessions/{sessionId}/reauthenticate``, after checking the user's
        proof again."""
        answer = self._call(
            "POST", f"/sessions/{quote(session_id, safe='')}/reauthenticate", {"aal": aal}
        )
        return Session.model_validate(answer["session"])

    def activity_for_user(self, user_id: str) -> list[ActivityEvent]:
        """``GET /users/{userId}/activity``: the user's security log, newest first."""
        answer = self._call("GET", f"/users/{quote(user_id, safe='')}/activity")
        return [ActivityEvent.model_validate(e) for e in answer["events"]]

    def erase_user(self, user_id: str) -> int:
        """``DELETE /users/{userId}``: everything held about the user; how many items."""
        return int(self._call("DELETE", f"/users/{quote(user_id, safe='')}")["erased"])

    def issue_access_token(
        self,
        token: str,
        *,
        audience: str | None = None,
        expires_in: timedelta | None = None,
        user_agent: str | None = None,
    ) -> AccessToken:
        """``POST /sessions/token``: a short-lived signed access token for the session
        ``token`` names (which must validate now), for ``audience`` (default: the
        first configured) and ``expires_in`` (default 5 minutes, 1 s to 1 h)."""
        seconds = None if expires_in is None else int(expires_in.total_seconds())
        answer = self._call(
            "POST",
            "/sessions/token",
            {"token": token, "audience": audience, "expiresIn": seconds, "userAgent": user_agent},
        )
        access = str(answer["accessToken"])
        # Our own API answered over TLS: the session id is read, not verified, here.
        sid = str(jwt.decode(access, options={"verify_signature": False})["sid"])
        expires_at = datetime.fromisoformat(str(answer["expiresAt"]).replace("Z", "+00:00"))
        return AccessToken(access, expires_at, sid)

    def close(self) -> None:
        """Close the pooled connections."""
        self._pool.clear()

    # -- signing and sending ---------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None
        if body is not None:
            data = json.dumps({k: v for k, v in body.items() if v is not None}).encode()
        for attempt in range(self._retries + 1):
            status, headers, raw = self._send(method, path, data)
            if status == 503 and attempt < self._retries:
                time.sleep(_retry_after(headers))
                continue
            break
        answer = json.loads(raw) if raw else None
        if status >= 400:
            raise error_from(status, answer)
        return answer

    def _send(self, method: str, path: str, data: bytes | None) -> tuple[int, Any, bytes]:
        url = self.base_url + path
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(self._credentials.get_frozen_credentials(), SERVICE, self.region).add_auth(
            request
        )
        try:
            response = self._pool.request(
                method, url, body=data, headers=dict(request.headers.items())
            )
        except urllib3.exceptions.HTTPError as error:
            raise StoreUnavailableError(
                f"the sessions API could not be reached ({type(error).__name__})"
            ) from error
        return response.status, response.headers, response.data


def _with_token(answer: dict[str, Any]) -> Session:
    return Session.model_validate({**answer["session"], "token": answer["token"]})


def _retry_after(headers: Any) -> float:
    try:
        return min(MAX_RETRY_AFTER_SECONDS, max(0.0, float(headers.get("Retry-After", "1"))))
    except ValueError:
        return 1.0
