"""OpenSearch domain answers shaped as AWS's.

moto 5.2.5 serves the service software fields (CurrentVersion, NewVersion,
UpdateAvailable, Cancellable, UpdateStatus, Description, AutomatedUpdateDate,
OptionalDeployment) inside `SoftwareUpdateOptions`, whose only member is
`AutoSoftwareUpdateEnabled`; AWS answers them in `ServiceSoftwareOptions` (OpenSearch
Service API Reference, DomainStatus, ServiceSoftwareOptions and SoftwareUpdateOptions).
This layer moves them where AWS puts them.
"""

from __future__ import annotations

import json
from typing import Any

from . import shapes
from .protocol import Call, Forward, Response, Service

_SOFTWARE_UPDATE_MEMBERS = ("AutoSoftwareUpdateEnabled",)


def _domain(status: dict[str, Any]) -> None:
    update = status.get("SoftwareUpdateOptions")
    if not isinstance(update, dict):
        return
    moved = {k: v for k, v in update.items() if k not in _SOFTWARE_UPDATE_MEMBERS}
    if not moved:
        return
    if "AutomatedUpdateDate" in moved:  # a timestamp: epoch seconds in restJson bodies
        moved["AutomatedUpdateDate"] = shapes.to_epoch(moved["AutomatedUpdateDate"])
    status["SoftwareUpdateOptions"] = {k: v for k, v in update.items() if k in _SOFTWARE_UPDATE_MEMBERS}
    status.setdefault("ServiceSoftwareOptions", {}).update(moved)


def _with_domains(call: Call, forward: Forward) -> Response:
    response = forward(call.body)
    if response.status >= 300:
        return response
    try:
        payload = json.loads(response.body)
    except ValueError:
        return response
    for key in ("DomainStatus",):
        if isinstance(payload.get(key), dict):
            _domain(payload[key])
    for status in payload.get("DomainStatusList") or []:
        if isinstance(status, dict):
            _domain(status)
    return response._replace(body=json.dumps(payload).encode())


SERVICE = Service(
    operations={op: _with_domains for op in ("CreateDomain", "DescribeDomain", "DescribeDomains", "DeleteDomain")},
)
