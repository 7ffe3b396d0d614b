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

from typing import Any

from botocore.validate import ParamValidator

from . import shapes
from .protocol import Call

# Signing names whose botocore model is named differently.
MODEL_NAME = {"monitoring": "cloudwatch"}
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
