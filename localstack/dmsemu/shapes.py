"""Walks values along botocore's service models so wire types come out right.

Used to turn moto's ISO timestamps into epoch numbers (awsJson), and to type
values for the Smithy rpc-v2-cbor protocol (timestamps, blobs, doubles).
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import botocore.session
from dateutil import parser as dateparser


@functools.cache
def service_model(name: str):
    return botocore.session.get_session().get_service_model(name)


@functools.cache
def paginator_config(name: str) -> dict:
    session = botocore.session.get_session()
    try:
        return session.get_paginator_model(name)._paginator_config  # noqa: SLF001 - the whole table has no public accessor
    except Exception:  # noqa: BLE001 - a service without paginators
        return {}


def operation(service: str, op: str):
    model = service_model(service)
    if op not in model.operation_names:
        return None
    return model.operation_model(op)


def to_epoch(value: Any) -> Any:
    """An ISO-8601 string or datetime as epoch seconds; anything else unchanged."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if isinstance(value, str):
        try:
            parsed = dateparser.isoparse(value)
        except ValueError:
            return value
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    return value


def to_datetime(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            parsed = dateparser.isoparse(value)
        except ValueError:
            return value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def walk(value: Any, shape, leaf: Callable[[Any, Any], Any]) -> Any:
    """Rebuilds `value` along `shape`, dropping nulls and calling `leaf` on scalars."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            member = shape.members.get(key)
            out[key] = walk(item, member, leaf) if member is not None else item
        return out
    if kind == "list":
        if not isinstance(value, list):
            return value
        return [walk(item, shape.member, leaf) for item in value if item is not None]
    if kind == "map":
        if not isinstance(value, dict):
            return value
        return {k: walk(v, shape.value, leaf) for k, v in value.items() if v is not None}
    return leaf(value, shape)


def json_leaf(value: Any, shape) -> Any:
    """awsJson: timestamps as epoch seconds, unless the model asks for ISO-8601."""
    if shape.type_name == "timestamp":
        if shape.serialization.get("timestampFormat") == "iso8601":
            moment = to_datetime(value)
            if isinstance(moment, datetime):
                return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            return moment
        return to_epoch(value)
    return value


def cbor_leaf(value: Any, shape) -> Any:
    """rpc-v2-cbor: timestamps tagged, blobs as bytes, floating types as floats."""
    kind = shape.type_name
    if kind == "timestamp":
        return to_datetime(value)
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    if kind in ("double", "float") and isinstance(value, (int, str)) and not isinstance(value, bool):
        return float(value)
    if kind in ("integer", "long") and isinstance(value, (float, str)):
        return int(float(value))
    return value


def from_cbor(value: Any) -> Any:
    """A decoded CBOR request as JSON-protocol values (epoch numbers, base64 blobs)."""
    if isinstance(value, dict):
        return {k: from_cbor(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_cbor(v) for v in value]
    if isinstance(value, datetime):
        return to_epoch(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    return value


# Signing names of REST services whose botocore model is named differently.
REST_MODEL = {"es": "opensearch"}


PLAIN = {"GetObject", "PutObject", "DeleteObject", "ListBuckets"}


@functools.cache
def _rest_routes(service: str) -> list:
    """(method, path regex, required query keys, operation), most specific first."""
    model = service_model(REST_MODEL.get(service, service))
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        # A label matches one path segment, a greedy one (`{Key+}`) the rest of the path.
        parts = re.split(r"(\{[^}]+\})", path)
        pattern = "^" + "".join(
            (".+" if p.endswith("+}") else "[^/]+") if p.startswith("{") else re.escape(p) for p in parts
        ) + "/?$"
        keys = [q.split("=", 1)[0] for q in query.split("&") if q]
        routes.append((http.get("method", "GET"), re.compile(pattern), keys, name, len(path) + 10 * len(keys)))
    # Operations told apart from the plain object calls only by a header or by a query
    # member outside the URI (CopyObject, UploadPart, ListParts, AbortMultipartUpload)
    # are taken as the plain call.
    routes.sort(key=lambda r: (-r[4], r[3] not in PLAIN))
    return routes


def rest_operation(service: str, method: str, path: str, query: dict) -> str:
    """The operation a REST request is for, from the model's HTTP bindings ("" if none).

    S3 addresses buckets by path here (the emulator is reached by IP, so no virtual hosts).
    """
    try:
        routes = _rest_routes(service)
    except Exception:  # noqa: BLE001 - a service botocore does not know
        return ""
    for verb, pattern, keys, name, _ in routes:
        if verb == method and pattern.match(path) and all(k in query for k in keys):
            return name
    return ""


def rest_labels(service: str, operation: str, path: str) -> dict[str, str]:
    """The members a REST request carries in its path (`/domain/{DomainName}/config`), by
    member name, as its model binds them (location `uri`)."""
    try:
        op = service_model(REST_MODEL.get(service, service)).operation_model(operation)
    except Exception:  # noqa: BLE001 - a service or operation botocore does not know
        return {}
    parts = re.split(r"(\{[^}]+\})", op.http.get("requestUri", "/").partition("?")[0])
    labels = [p.strip("{}+") for p in parts if p.startswith("{")]
    pattern = "".join(
        ("(.+)" if p.endswith("+}") else "([^/]+)") if p.startswith("{") else re.escape(p) for p in parts
    )
    match = re.fullmatch(pattern + "/?", path)
    if match is None or op.input_shape is None:
        return {}
    members = {
        m.serialization.get("name", name): name
        for name, m in op.input_shape.members.items()
        if m.serialization.get("location") == "uri"
    }
    return {members.get(label, label): unquote(value) for label, value in zip(labels, match.groups(), strict=True)}
