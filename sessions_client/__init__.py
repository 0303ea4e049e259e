"""A Python client for the sessions service's IAM-protected routes, signed with SigV4.

    from sessions_client import SessionsClient

    sessions = SessionsClient("https://abc123.execute-api.eu-west-1.amazonaws.com")
    session = sessions.create(user_id="alice", user_agent=request_user_agent)
    access = sessions.issue_access_token(session.token, audience="api")

    # In another service, offline (JWKS fetched and cached):
    verifier = AccessTokenVerifier("https://abc123.execute-api.eu-west-1.amazonaws.com", "api")
    claims = verifier.verify(access.access_token)

It answers the same models and raises the same `sessions_core.errors` classes as
`SessionManager`, without loading the server's manager, stores or HTTP framework.
"""

from sessions_client.client import SessionsClient
from sessions_client.verifier import AccessTokenVerifier

__all__ = ["AccessTokenVerifier", "SessionsClient"]
