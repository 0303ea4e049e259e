"""A login backend in ten lines: check the password, create the session through the
service's IAM-signed API, set the cookie (the README shows this file)."""

import json
import os
from typing import Any

from examples.login.demo_users import check_password  # your own user store instead
from sessions_client import SessionsClient

sessions = SessionsClient(os.environ["SESSIONS_API_URL"])  # signed with the function's role


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    form, http = json.loads(event["body"]), event["requestContext"]["http"]
    if not check_password(form["username"], form["password"]):
        return {"statusCode": 401}
    session = sessions.create(
        user_id=form["username"], user_agent=http["userAgent"], ip_address=http["sourceIp"]
    )
    cookie = f"__Host-session={session.token}; Path=/; Secure; HttpOnly; SameSite=Lax"
    return {"statusCode": 204, "cookies": [cookie], "headers": {"Cache-Control": "no-store"}}
