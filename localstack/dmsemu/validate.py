"""Requests checked against botocore's service models, as AWS validates them.

moto 5.2.5 accepts requests AWS would refuse (a string too long, a number out of its
modelled range, a missing required member, a wrong type). For the JSON and CBOR
protocols the layer validates every request's parameters against the operation's input
shape with botocore's own validator and answers `ValidationException` (AWS's code for
it on these protocols) naming the parameter. Ranges stated only in documentation text
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
    if not report.has_errors():
        return None
    return 400, "ValidationException", f"{call.operation}: {report.generate_report()}"
