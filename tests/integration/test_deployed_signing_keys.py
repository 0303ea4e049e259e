"""Deployed signing keys on moto: the key set in the table, the private key in KMS
(signing the digest, as AWS does) or in a Secrets Manager secret; created once by
racing API containers, rotated and rolled back by the operator, and the API function
itself run in Lambda mode with the template's variables."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import botocore.session
import jwt
import pytest
from botocore.awsrequest import AWSResponse
from cryptography.hazmat.primitives.serialization import load_der_public_key
from jwt.algorithms import RSAAlgorithm

from sessions_core import DynamoDBSessionStore, SessionConfig, SessionManager
from sessions_core.access_tokens import AccessTokenPolicy
from sessions_core.dynamodb.key_set_item import ConditionFailedError, KeySetItem
from sessions_core.dynamodb.layout import Layout
from sessions_core.errors import KeyConfigurationError, SigningUnavailableError
from sessions_core.key_services.deployed import DeployedKeys
from sessions_core.key_services.kms import kms_entry
from sessions_core.key_services.secrets_manager import SecretSigningKeys
from sessions_core.signing_keys import DEFAULT_LEAD, thumbprint
from sessions_core.token_service import AccessTokens, CachedKeys
from tests.harness.kms_digest import signing_digests_as_kms_does
from tests.integration.api_support import body, event, invoke
from tests.support import FakeClock

ISSUER = "https://auth.example.com"
TAG = "serverless-sessions:signing-key"


@pytest.fixture
def kms(moto_client: Any) -> Iterator[Any]:
    with signing_digests_as_kms_does():
        yield botocore.session.get_session().create_client("kms", region_name="us-east-1")


@pytest.fixture
def secrets(moto_client: Any) -> Any:
    return botocore.session.get_session().create_client("secretsmanager", region_name="us-east-1")


def _new_kms_key(kms: Any) -> str:
    created = kms.create_key(
        KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY", Tags=[{"TagKey": TAG, "TagValue": "stack"}]
    )
    return str(created["KeyMetadata"]["Arn"])


@pytest.fixture
def kms_key(kms: Any) -> str:
    return _new_kms_key(kms)


def _container(
    store: DynamoDBSessionStore, clock: FakeClock, kms: Any, secrets: Any, first: Any
) -> tuple[SessionManager, DeployedKeys]:
    source = DeployedKeys(
        KeySetItem(store.table, Layout(store.prefix)),
        kms=lambda: kms,
        secrets=lambda: secrets,
        first_key=first,
    )
    tokens = AccessTokens(AccessTokenPolicy(ISSUER, ("api",)), CachedKeys(source, clock))
    manager = SessionManager(SessionConfig(store, clock=clock, access_tokens=tokens))
    return manager, source


def _verify_with_jwks(manager: SessionManager, token: str) -> dict[str, Any]:
    tokens = manager.config.access_tokens
    assert tokens is not None
    kid = jwt.get_unverified_header(token)["kid"]
    (jwk,) = [k for k in tokens.jwks()["keys"] if k["kid"] == kid]
    claims: dict[str, Any] = jwt.decode(
        token,
        jwt.PyJWK(jwk).key,
        algorithms=["RS256"],
        audience="api",
        issuer=ISSUER,
        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
    )
    return claims


def test_kms_key_signs_tokens_that_verify_against_its_public_key_and_thumbprint(
    dynamodb_store: DynamoDBSessionStore, clock: FakeClock, kms: Any, secrets: Any, kms_key: str
) -> None:
    first = lambda now: kms_entry(kms, kms_key, signs_from=now)  # noqa: E731
    manager, _ = _container(dynamodb_store, clock, kms, secrets, first)
    session = manager.create(user_id="alice")
    token = manager.issue_access_token(session.token or "").access_token
    assert _verify_with_jwks(manager, token)["sid"] == session.id
    der = kms.get_public_key(KeyId=kms_key)["PublicKey"]
    public = RSAAlgorithm.to_jwk(load_der_public_key(der), as_dict=True)
    assert jwt.get_unverified_header(token)["kid"] == thumbprint(public)


def test_racing_containers_create_one_key_set_and_it_holds_no_private_key(
    dynamodb_store: DynamoDBSessionStore, clock: FakeClock, kms: Any, secrets: Any, kms_key: str
) -> None:
    first = lambda now: kms_entry(kms, kms_key, signs_from=now)  # noqa: E731
    _, one = _container(dynamodb_store, clock, kms, secrets, first)
    _, two = _container(dynamodb_store, clock, kms, secrets, first)
    reads = iter([None])  # two's first read happened before one wrote
    original = two.item.load
    two.item.load = lambda: next(reads, None) or original()  # type: ignore[method-assign]
    created_by_one = one.load(clock.now)
    seen_by_two = two.load(clock.now)  # its create loses; it reads one's
    assert seen_by_two.version == created_by_one.version
    assert seen_by_two.entries == created_by_one.entries
    raw = dynamodb_store.client.get_item(
        TableName=dynamodb_store.table_name, Key=Layout(dynamodb_store.prefix).signing_keys_key()
    )["Item"]
    text = json.dumps(raw)
    assert '"d"' not in text and '"p"' not in text and "PRIVATE" not in text
    assert "expiresAt" not in raw and "ttl" not in raw  # neither TTL nor cleanup take it


def test_kms_throttling_is_a_retryable_503_and_a_refusal_a_configuration_error(
    dynamodb_store: DynamoDBSessionStore, clock: FakeClock, kms: Any, secrets: Any, kms_key: str
) -> None:
    first = lambda now: kms_entry(kms, kms_key, signs_from=now)  # noqa: E731
    manager, _ = _container(dynamodb_store, clock, kms, secrets, first)
    session = manager.create(user_id="alice")
    manager.issue_access_token(session.token or "")
    code = {"value": "ThrottlingException"}

    def fail(request: Any, **_: Any) -> Any:
        payload = json.dumps({"__type": code["value"], "message": "no"}).encode()
        return AWSResponse(
            request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(payload)
        )

    kms.meta.events.register("before-send.kms.Sign", fail)
    with pytest.raises(SigningUnavailableError) as unavailable:
        manager.issue_access_token(session.token or "", expires_in=timedelta(seconds=120))
    assert unavailable.value.http_status == 503
    code["value"] = "AccessDeniedException"
    with pytest.raises(KeyConfigurationError):
        manager.issue_access_token(session.token or "", expires_in=timedelta(seconds=180))


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


def test_secret_mode_racing_containers_end_up_with_one_key_signed_in_process(
    dynamodb_store: DynamoDBSessionStore, clock: FakeClock, kms: Any, secrets: Any
) -> None:
    arn = secrets.create_secret(Name="signing", SecretString='{"keys": []}')["ARN"]
    first_entries = [SecretSigningKeys(secrets, arn).first_entry(clock.now) for _ in range(2)]
    assert first_entries[0].kid == first_entries[1].kid
    assert len(SecretSigningKeys(secrets, arn).document()["keys"]) == 1
    first = lambda now: SecretSigningKeys(secrets, arn).first_entry(now)  # noqa: E731
    manager, _ = _container(dynamodb_store, clock, kms, secrets, first)
    session = manager.create(user_id="alice")
    token = manager.issue_access_token(session.token or "").access_token
    assert _verify_with_jwks(manager, token)["sub"] == "alice"


def test_secret_race_where_another_container_wrote_first_reads_its_key(
    clock: FakeClock, secrets: Any
) -> None:
    arn = secrets.create_secret(Name="signing", SecretString='{"keys": []}')["ARN"]
    keys = SecretSigningKeys(secrets, arn)
    from sessions_core.key_services.secrets_manager import FIRST_KEY_REQUEST
    from sessions_core.local_signing_keys import new_private_jwk

    theirs = new_private_jwk(clock.now)
    keys.add(theirs, request_token=FIRST_KEY_REQUEST)
    # this container read the secret empty, generated its own key, and lost the race
    mine = new_private_jwk(clock.now)
    document = keys.add(mine, request_token=FIRST_KEY_REQUEST)
    assert [k["kid"] for k in document["keys"]] == [theirs["kid"]]


@pytest.mark.parametrize("store_kind", ["kms", "secret"])
def test_rotation_adds_a_key_like_the_signing_one_and_rollback_restores_it(
    dynamodb_store: DynamoDBSessionStore,
    clock: FakeClock,
    kms: Any,
    secrets: Any,
    store_kind: str,
) -> None:
    if store_kind == "kms":
        kms_key = _new_kms_key(kms)
        first = lambda now: kms_entry(kms, kms_key, signs_from=now)  # noqa: E731
    else:
        arn = secrets.create_secret(Name="signing", SecretString='{"keys": []}')["ARN"]
        first = lambda now: SecretSigningKeys(secrets, arn).first_entry(now)  # noqa: E731
    manager, source = _container(dynamodb_store, clock, kms, secrets, first)
    before = source.load(clock.now)
    rotated = source.rotate(clock.now, DEFAULT_LEAD)
    old, new = rotated.entries
    assert old.kid == before.entries[0].kid and new.kid != old.kid
    assert new.signs_from == clock.now + DEFAULT_LEAD
    assert new.source.split(":")[0] == old.source.split(":")[0]
    if store_kind == "kms":
        new_arn = new.source.removeprefix("kms:")
        tags = kms.list_resource_tags(KeyId=new_arn)["Tags"]
        assert {"TagKey": TAG, "TagValue": "stack"} in tags  # kms:Sign's condition covers it
    clock.advance(DEFAULT_LEAD)
    session = manager.create(user_id="alice")
    token = manager.issue_access_token(session.token or "").access_token
    assert jwt.get_unverified_header(token)["kid"] == new.kid
    assert _verify_with_jwks(manager, token)["sub"] == "alice"
    rolled = source.roll_back(clock.now)
    assert rolled.signing(clock.now).kid == old.kid  # type: ignore[union-attr]
    with pytest.raises(ConditionFailedError):
        source.item.save(rotated, replacing=rotated.version)  # a stale writer loses


def test_rotation_before_any_key_set_exists_says_what_creates_it(
    dynamodb_store: DynamoDBSessionStore, clock: FakeClock, kms: Any, secrets: Any
) -> None:
    _, source = _container(dynamodb_store, clock, kms, secrets, None)
    with pytest.raises(KeyConfigurationError, match="first token"):
        source.rotate(clock.now, timedelta(0))


def test_the_api_in_lambda_creates_the_key_set_with_its_own_url_as_issuer(
    moto_client: Any, kms: Any, kms_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the API function as the template deploys it (KMS key, no issuer configured)
    store = DynamoDBSessionStore("sessions-lambda", client=moto_client)
    store.create_table()
    for name, value in {
        "AWS_LAMBDA_FUNCTION_NAME": "ApiFunction",
        "SESSIONS_TABLE": "sessions-lambda",
        "SESSIONS_SECRET_KEY": "k" * 64,
        "SESSIONS_SIGNING_KEY_ID": kms_key,
        "SESSIONS_TOKEN_AUDIENCES": "api,reports",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    from handlers import api, token_keys

    sent: set[str] = set()
    built = token_keys.service_client

    def watched(settings: Any, service: str, **options: Any) -> Any:
        client = built(settings, service, **options)
        client.meta.events.register(
            f"before-call.{service}.*", lambda model, **_: sent.add(f"{service}:{model.name}")
        )
        return client

    monkeypatch.setattr(token_keys, "service_client", watched)

    previous = api.wiring.use(None)
    try:
        # WHEN the first request is for the discovery document
        discovery = body(invoke(event("openid_configuration")))
        # THEN the issuer is the API's execute-api URL, from the event's API id
        issuer = "https://abc123.execute-api.us-east-1.amazonaws.com"
        assert discovery["issuer"] == issuer
        assert discovery["jwks_uri"] == issuer + "/.well-known/jwks.json"
        stored = KeySetItem(store.table, Layout(store.prefix)).load()
        assert stored is not None and stored.issuer == issuer
        assert stored.entries[0].source == f"kms:{kms_key}"
        # AND a token issued over IAM verifies with the published key
        runtime = api.wiring.runtime()
        session = runtime.manager.create(user_id="alice")
        answer = invoke(event("sessions_token", token=session.token or ""))
        assert answer["statusCode"] == 200
        token = body(answer)["accessToken"]
        jwks = body(invoke(event("jwks")))
        (key,) = jwks["keys"]
        claims = jwt.decode(
            token, jwt.PyJWK(key).key, algorithms=["RS256"], audience="api", issuer=issuer
        )
        assert claims["sub"] == "alice"
        # AND the role's KMS actions are exactly the ones sent
        assert sent == _kms_actions_granted() == {"kms:GetPublicKey", "kms:Sign"}
    finally:
        api.wiring.use(previous)


def _kms_actions_granted() -> set[str]:
    from pathlib import Path

    from tests.harness.template import load_template

    template = load_template(Path(__file__).resolve().parents[2] / "template.yaml")
    policies = template["Resources"]["ApiFunction"]["Properties"]["Policies"]
    (kms_policy,) = [
        p["If"][1]
        for p in policies
        if isinstance(p, dict) and p.get("If", [""])[0] == "SignWithKms"
    ]
    return {action for statement in kms_policy["Statement"] for action in [statement["Action"]]}
