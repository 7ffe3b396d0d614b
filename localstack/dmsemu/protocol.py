"""Request classification, answers and error rendering for the AWS wire protocols.

Tells which service, operation, protocol, account and region a request is for,
renders an error the way that protocol's clients expect it, and defines what every
handler returns (`Response`) and how a service module routes its operations
(`Service`: one dispatch table per service, looked up in app.py).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol
from urllib.parse import parse_qs
from wsgiref.headers import Headers
from xml.sax.saxutils import escape

import cbor2

CBOR_PATH = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<op>[^/]+)$")
CREDENTIAL = re.compile(r"Credential=(?P<akid>[^/]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/")

# X-Amz-Target prefixes of the JSON-protocol services this project reads.
TARGET_PREFIX = {
    "AmazonDMSv20160101": "dms",
    "TrentService": "kms",
    "Logs_20140328": "logs",
    "GraniteServiceVersion20100801": "monitoring",
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101": "cloudtrail",
    "AWSInsightsIndexService": "ce",
    "StarlingDoveService": "config",
}


class Response(NamedTuple):
    """An HTTP answer: what every handler returns and the WSGI application sends."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        """The first value of the header `name` (any case), or `default`."""
        return Headers(self.headers).get(name, default)


@dataclass
class Call:
    """One classified request."""

    service: str  # signing name: dms, kms, logs, monitoring, rds, iam, sts…
    operation: str  # e.g. DescribeReplicationInstances ("" when unknown)
    protocol: str  # json, cbor, query, rest
    region: str
    access_key: str
    headers: dict[str, str]
    body: bytes
    path: str

    @property
    def account(self) -> str:
        """The account moto would act in for this request."""
        if "x-moto-account-id" in self.headers:
            return self.headers["x-moto-account-id"]
        from moto.iam.models import get_account_id_from

        return get_account_id_from(self.access_key)

    def json_body(self) -> dict:
        if not self.body:
            return {}
        try:
            value = json.loads(self.body)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


def classify(environ: dict, body: bytes) -> Call:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    path = environ.get("PATH_INFO", "/")
    auth = headers.get("authorization", "")
    cred = CREDENTIAL.search(auth)
    region = cred.group("region") if cred else "us-east-1"
    akid = cred.group("akid") if cred else "AKIAEXAMPLE"
    service = cred.group("service") if cred else ""

    cbor_match = CBOR_PATH.match(path)
    if cbor_match and headers.get("smithy-protocol") == "rpc-v2-cbor":
        return Call(service or "monitoring", cbor_match.group("op"), "cbor", region, akid, headers, body, path)

    target = headers.get("x-amz-target", "")
    if target and "." in target:
        prefix, op = target.rsplit(".", 1)
        return Call(TARGET_PREFIX.get(prefix, service), op, "json", region, akid, headers, body, path)

    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", "replace"))
        op = form.get("Action", [""])[0]
        return Call(service, op, "query", region, akid, headers, body, path)

    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    operation = query.get("Action", [""])[0]
    if not operation and service:
        from .shapes import rest_operation

        operation = rest_operation(service, environ.get("REQUEST_METHOD", "GET"), path, query)
    return Call(service, operation, "rest", region, akid, headers, body, path)


def error_response(call: Call, status: int, code: str, message: str) -> Response:
    """An error in the shape the caller's protocol expects."""
    request_id = str(uuid.uuid4())
    if call.protocol == "cbor":
        body = cbor2.dumps({"__type": code, "message": message})
        return Response(status, [
            ("Content-Type", "application/cbor"),
            ("smithy-protocol", "rpc-v2-cbor"),
            ("x-amzn-RequestId", request_id),
        ], body)
    if call.protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        return Response(status, [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", code),
        ], body)
    if call.service == "s3":
        # S3 (REST-XML) errors are an <Error> element with no wrapper.
        xml = (
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        return Response(status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], xml.encode())
    if call.service == "ec2":
        # EC2's query errors: <Response><Errors><Error>… (EC2 API Reference, "Error codes").
        xml = (
            f"<Response><Errors><Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return Response(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode())
    kind = "Receiver" if status >= 500 else "Sender"
    xml = (
        f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return Response(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode())


def json_response(payload: dict, status: int = 200) -> Response:
    return Response(status, [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("x-amzn-RequestId", str(uuid.uuid4())),
    ], json.dumps(payload).encode())


# ---------------------------------------------------------------- routing


class Forward(Protocol):
    """Hands a request body to moto (with extra headers, re-targeted at `/`) and
    returns moto's answer."""

    def __call__(self, body: bytes, extra: Mapping[str, str] | None = None, /) -> Response: ...


Handler = Callable[[Call, Forward], Response]
"""Serves one operation: the classified request and the way to moto, to the answer."""


def patched(answer: Response, edit: Callable[[dict], None]) -> Response:
    """moto's successful JSON answer with `edit` applied to its document; any other as it is."""
    if answer.status != 200:
        return answer
    doc = json.loads(answer.body or b"{}")
    edit(doc)
    return Response(answer.status, answer.headers, json.dumps(doc).encode())


def page_token(prefix: str, offset: int, key: str) -> str:
    """An opaque paging token: where the next page starts, valid only for the same request
    (`key`) and service (`prefix`)."""
    return base64.urlsafe_b64encode(f"{prefix}:{offset}:{key}".encode()).decode()


def page_offset(prefix: str, token: str, key: str) -> int:
    """The offset a [`page_token`] holds; ValueError for one of another request or service."""
    try:
        found, offset, rest = base64.urlsafe_b64decode(token.encode()).decode().split(":", 2)
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(token) from err
    if found != prefix or rest != key:
        raise ValueError(token)
    return int(offset)


def forward_unchanged(call: Call, forward: Forward) -> Response:
    """moto's own answer to the request as it came."""
    return forward(call.body)


@dataclass(frozen=True)
class Service:
    """A service's dispatch table: the handler for each operation the layer changes,
    and the handler for every other operation."""

    operations: Mapping[str, Handler] = field(default_factory=dict)
    default: Handler = forward_unchanged

    def handler(self, operation: str) -> Handler:
        return self.operations.get(operation, self.default)
