"""Flask-Session 0.8's DynamoDB backend on loopback, driven by bench/peers (make bench).

Run by the peer venv's python (.tools/peers-py), never imported by the project.
MODE=default keeps Flask-Session's defaults (SESSION_REFRESH_EACH_REQUEST true: the
session is written back on every request); MODE=best turns that off, the setting its
documentation offers to avoid the write.
"""

import os
import sys

import boto3
from flask import Flask, jsonify, request, session
from flask_session import Session

app = Flask(__name__)
app.config.update(
    SESSION_TYPE="dynamodb",
    SESSION_DYNAMODB=boto3.resource(
        "dynamodb",
        endpoint_url=os.environ["DYNAMODB_ENDPOINT"],
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    ),
    SESSION_DYNAMODB_TABLE=os.environ["TABLE"],
    SESSION_REFRESH_EACH_REQUEST=os.environ.get("MODE") != "best",
    SECRET_KEY="bench-secret-not-for-production",
)
Session(app)


@app.post("/login")
def login():
    app.session_interface.regenerate(session)
    session["userId"] = request.get_json()["userId"]
    return jsonify(ok=True)


@app.get("/page")
def page():
    if "userId" not in session:
        return jsonify(error="signed out"), 401
    return jsonify(userId=session["userId"])


@app.post("/refresh")
def refresh():
    if "userId" not in session:
        return jsonify(error="signed out"), 401
    app.session_interface.regenerate(session)
    return jsonify(ok=True)


@app.post("/logout")
def logout():
    session.clear()
    return jsonify(ok=True)


if __name__ == "__main__":
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", int(os.environ["PORT"]), app, threaded=True)
    print(f"listening {server.server_port}", flush=True)
    sys.stdout.flush()
    server.serve_forever()
