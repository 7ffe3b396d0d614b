"""Amazon Redshift Serverless read operations, which moto 5.2.5 does not have.

ListNamespaces and ListWorkgroups (awsJson 1.1, target prefix RedshiftServerless),
answered from state a scenario sets through the admin route
`POST /_dmsemu/state/redshift-serverless` {"account", "region", "namespaces": [...],
"workgroups": [...]}, in the shapes of the botocore model (redshift-serverless
2021-04-21). Anything else answers NotImplemented.
"""

from __future__ import annotations

import threading

from . import shapes, validate
from .protocol import Call, Forward, Handler, Response, Service, error_response, json_response

_LOCK = threading.Lock()
_STATE: dict[tuple[str, str], dict[str, list]] = {}
PAGE = 100


def reset() -> None:
    with _LOCK:
        _STATE.clear()


def seed_state(doc: dict) -> dict:
    account, region = doc.get("account"), doc.get("region")
    if not account or not region:
        raise ValueError("state needs 'account' and 'region'")
    model = shapes.service_model("redshift-serverless")
    for key, shape in (("namespaces", "Namespace"), ("workgroups", "Workgroup")):
        for item in doc.get(key) or []:
            wrong = validate.answer_deviations(item, model.shape_for(shape), shape)
            if wrong:
                raise ValueError(f"{key}: not as AWS answers it: {'; '.join(wrong)}")
    with _LOCK:
        st = _STATE.setdefault((account, region), {"namespaces": [], "workgroups": []})
        for key in ("namespaces", "workgroups"):
            st[key].extend(doc.get(key) or [])
    return {"account": account, "region": region}


def _page(items: list, request: dict, key: str) -> dict:
    try:
        start = int(request.get("nextToken") or 0)
    except ValueError:
        raise ValueError("invalid nextToken") from None
    size = int(request.get("maxResults") or PAGE)
    payload: dict = {key: items[start : start + size]}
    if start + size < len(items):
        payload["nextToken"] = str(start + size)
    return payload


def _lister(key: str) -> Handler:
    """Lists the seeded `key` ("namespaces" or "workgroups") of the caller's account and region."""

    def handler(call: Call, forward: Forward) -> Response:
        st = _STATE.get((call.account, call.region), {"namespaces": [], "workgroups": []})
        try:
            payload = _page(st[key], call.json_body(), key)
        except ValueError as err:
            return error_response(call, 400, "ValidationException", str(err))
        op_model = shapes.operation("redshift-serverless", call.operation)
        if op_model is not None and op_model.output_shape is not None:
            payload = shapes.walk(payload, op_model.output_shape, shapes.json_leaf)
        return json_response(payload)

    return handler


def _not_implemented(call: Call, forward: Forward) -> Response:
    return error_response(call, 501, "NotImplemented", f"redshift-serverless:{call.operation} is not implemented")


OPERATIONS: dict[str, Handler] = {
    "ListNamespaces": _lister("namespaces"),
    "ListWorkgroups": _lister("workgroups"),
}
SERVICE = Service(OPERATIONS, default=_not_implemented)
