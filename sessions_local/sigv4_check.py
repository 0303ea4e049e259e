"""SigV4 checked the way API Gateway checks it for AWS_IAM routes, for
`sessions serve --enforce-iam`: against the credentials in serve's environment.

It recomputes the signature with botocore's own signer over the headers the request
says it signed, at the time it says it signed them, and compares in constant time. The
payload's hash is computed from the body received, never taken from the request's
``X-Amz-Content-Sha256`` (which must then agree): a signed request replayed with another
body fails. The credential scope must name the region serve checks for.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SERVICE = "execute-api"
MAX_SKEW = timedelta(minutes=5)
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<headers>[a-z0-9;-]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})"
)


@dataclass(frozen=True)
class SignedBy:
    """Who signed a request that checked out: what API Gateway puts in ``iam``."""

    access_key: str


class _Signer(SigV4Auth):
    """botocore's signer, limited to the headers the request signed."""

    def __init__(self, credentials: Credentials, region: str, signed: list[str]) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> object:  # type: ignore[override]
        headers = super().headers_to_sign(request)
        for name in list(headers.keys()):
            if name not in self._signed:
                del headers[name]
        return headers


def check(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: Credentials,
    *,
    region: str,
    now: datetime | None = None,
) -> SignedBy | None:
    """The signer of a correctly signed request, else None (API Gateway's 403)."""
    found = _AUTHORIZATION.fullmatch((headers.get("authorization") or "").strip())
    amz_date = headers.get("x-amz-date") or ""
    if not found or found["service"] != SERVICE or found["key"] != credentials.access_key:
        return None
    if found["region"] != region:
        return None
    body_hash = hashlib.sha256(body).hexdigest()
    declared = headers.get("x-amz-content-sha256")
    if declared is not None and not hmac.compare_digest(declared.lower(), body_hash):
        return None
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    if abs((now or datetime.now(UTC)) - signed_at) > MAX_SKEW:
        return None
    signed = found["headers"].split(";")
    if any(name not in headers for name in signed if name != "host"):
        return None
    signed_headers = {name: value for name, value in headers.items() if name in signed}
    if "x-amz-content-sha256" in signed_headers:
        signed_headers["x-amz-content-sha256"] = body_hash  # what was received, hashed
    request = AWSRequest(method=method, url=url, data=body, headers=signed_headers)
    request.context["timestamp"] = amz_date
    signer = _Signer(credentials, found["region"], signed)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, found["signature"]):
        return None
    return SignedBy(access_key=found["key"])
