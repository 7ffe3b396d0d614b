"""Requests checked against botocore's service models, as AWS validates them.

moto 5.2.5 accepts requests AWS would refuse (a string too long, a number out of its
modelled range, a missing required member, a wrong type). For the JSON and CBOR
protocols the layer validates every request's parameters against the operation's input
shape with botocore's own validator and answers `ValidationException` (AWS's code for
it on these protocols) naming the parameter. botocore's validator checks only the
modelled `min`; the modelled `max` (a length for strings, lists and maps, a value for
numbers) is checked here too, since AWS enforces both. Ranges stated only in documentation text
(DMS MaxRecords) are checked where the operation is served (`dms.MAX_RECORDS`).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from botocore.validate import ParamValidator

from . import shapes
from .protocol import Call

# Signing names whose botocore model is named differently.
MODEL_NAME = {"monitoring": "cloudwatch", **shapes.REST_MODEL}
_VALIDATOR = ParamValidator()


def check(call: Call, params: dict[str, Any]) -> tuple[int, str, str] | None:
    """The ValidationException for a request the model does not allow, or None."""
    service = MODEL_NAME.get(call.service, call.service)
    try:
        op = shapes.operation(service, call.operation)
    except Exception:  # noqa: BLE001 - a service botocore does not know: nothing to check
        return None
    if op is None or op.input_shape is None:
        return None
    report = _VALIDATOR.validate(params, op.input_shape)
    if report.has_errors():
        return 400, "ValidationException", f"{call.operation}: {report.generate_report()}"
    over = _over_max(params, op.input_shape, "input")
    if over:
        return 400, "ValidationException", f"{call.operation}: {over}"
    return None


def _blob_length(value: Any) -> int:
    """A blob's length in bytes; on the wire (and after CBOR decoding here) it is base64."""
    if isinstance(value, bytes):
        return len(value)
    text = value.rstrip("=") if isinstance(value, str) else ""
    return len(text) * 3 // 4


def _over_max(value: Any, shape: Any, name: str) -> str | None:
    """The first member above its modelled `max`, described, or None."""
    limit = shape.metadata.get("max")
    kind = shape.type_name
    if limit is not None:
        if kind in ("string", "list", "map", "blob") and isinstance(value, (str, list, dict, bytes)):
            length = _blob_length(value) if kind == "blob" else len(value)
            if length > limit:
                return f"Invalid length for parameter {name}, value: {length}, valid max length: {limit}"
        elif kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)) and value > limit:
            return f"Invalid value for parameter {name}, value: {value}, valid max value: {limit}"
    if kind == "structure" and isinstance(value, dict):
        for key, member in value.items():
            if key in shape.members:
                found = _over_max(member, shape.members[key], f"{name}.{key}" if name != "input" else key)
                if found:
                    return found
    elif kind == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            found = _over_max(item, shape.member, f"{name}[{i}]")
            if found:
                return found
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            found = _over_max(item, shape.value, f"{name}.{key}")
            if found:
                return found
    return None


# ------------------------------------------------------------------ answers

# Answers are checked too: a member AWS never sends, a null where AWS leaves the member
# out, a value outside its enum or length, a required member missing, a wrong type. Our
# rules were once written against answers AWS never gives; every deviation found is kept
# here for the tests to read (GET /_dmsemu/deviations) and logged.
_DEVIATIONS: list[str] = []
# Values AWS documents beyond a model's enum. DMS SourceType lists replication-instance
# only, while events come from tasks too (DMS API Reference, CreateEventSubscription:
# "Valid values: replication-instance | replication-task").
WIDER_ENUMS: dict[str, tuple[str, ...]] = {"SourceType": ("replication-task",)}
_DEVIATIONS_LOCK = threading.Lock()
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "blob": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (int, float),  # awsJson and restJson bodies: epoch seconds, unless the shape says iso8601
    "structure": (dict,),
    "list": (list,),
    "map": (dict,),
}


def answer_deviations(value: Any, shape: Any, name: str = "") -> list[str]:
    """Where a JSON answer's body departs from its botocore output shape (members, types,
    enums, lengths and ranges, required members, no nulls), each described."""
    kind = shape.type_name
    where = name or "answer"
    if value is None:
        return [f"{where} is null (AWS leaves an absent member out)"]
    allowed = _JSON_TYPES.get(kind, (object,))
    if kind == "timestamp" and shape.serialization.get("timestampFormat") == "iso8601":
        allowed = (str,)  # DMS Iso8601DateTime members (DataProviderCreationTime …)
    if not isinstance(value, allowed) or (kind in ("integer", "long", "float", "double") and isinstance(value, bool)):
        return [f"{where} is {type(value).__name__}, the model says {kind}"]
    return _inside(value, shape, name, where)


def _inside(value: Any, shape: Any, name: str, where: str) -> list[str]:
    """The deviations inside a value of the right JSON type."""
    kind = shape.type_name
    found: list[str] = []
    if kind == "structure":
        body_members = {
            member.serialization.get("name", key): (key, member)
            for key, member in shape.members.items()
            if not member.serialization.get("location")
        }
        for key, item in value.items():
            if key not in body_members:
                found.append(f"{where}: member {key} is not in {shape.name}")
                continue
            member_name, member = body_members[key]
            found += answer_deviations(item, member, f"{name}.{member_name}" if name else member_name)
        for required in shape.required_members:
            member = shape.members[required]
            if not member.serialization.get("location") and member.serialization.get("name", required) not in value:
                found.append(f"{where}: required member {required} is missing")
    elif kind == "list":
        for i, item in enumerate(value):
            found += answer_deviations(item, shape.member, f"{where}[{i}]")
    elif kind == "map":
        for key, item in value.items():
            found += answer_deviations(item, shape.value, f"{where}.{key}")
    elif kind == "string":
        enum = shape.metadata.get("enum")
        if enum and value not in enum and value not in WIDER_ENUMS.get(shape.name, ()):
            found.append(f"{where} is {value!r}, not one of {shape.name}'s values")
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            found.append(f"{where} has length {len(value)}, the model allows {low}..{high}")
    # Lengths of lists and numeric ranges bound requests, not answers: AWS answers
    # ShardLevelMetrics [] (Kinesis API Reference, DescribeStreamSummary example) and
    # NumberOfDecreasesToday 0 (DynamoDB API Reference, DescribeTable example) below
    # the models' minimum of 1.
    return found


def check_answer(call: Call, status: int, body: bytes) -> list[str]:
    """The deviations of a successful JSON answer from its output shape, recorded."""
    if status >= 300 or not body or call.protocol not in ("json", "rest"):
        return []
    service = MODEL_NAME.get(call.service, call.service)
    try:
        op = shapes.operation(service, call.operation)
    except Exception:  # noqa: BLE001 - a service botocore does not know
        return []
    if op is None or op.output_shape is None or op.metadata.get("protocol") not in ("json", "rest-json"):
        return []
    if op.output_shape.serialization.get("payload"):
        return []  # the body is one member (a blob or a document), not the structure
    try:
        value = json.loads(body)
    except ValueError:
        return [f"{call.service}:{call.operation}: the answer is not JSON"]
    found = [f"{call.service}:{call.operation}: {d}" for d in answer_deviations(value, op.output_shape)]
    if found:
        with _DEVIATIONS_LOCK:
            _DEVIATIONS.extend(found)
    return found


def deviations(clear: bool = False) -> list[str]:
    """Every deviation recorded since the last reset."""
    with _DEVIATIONS_LOCK:
        out = list(_DEVIATIONS)
        if clear:
            _DEVIATIONS.clear()
    return out
