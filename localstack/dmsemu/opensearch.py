"""OpenSearch domain answers shaped as AWS's.

moto 5.2.5 serves the service software fields (CurrentVersion, NewVersion,
UpdateAvailable, Cancellable, UpdateStatus, Description, AutomatedUpdateDate,
OptionalDeployment) inside `SoftwareUpdateOptions`, whose only member is
`AutoSoftwareUpdateEnabled`; AWS answers them in `ServiceSoftwareOptions` (OpenSearch
Service API Reference, DomainStatus, ServiceSoftwareOptions and SoftwareUpdateOptions).
This layer moves them where AWS puts them.

moto also answers DomainConfig sections (UpdateDomainConfig, DescribeDomainConfig) with
`Options` alone; AWS gives each its required `Status` (OpenSearch Service API Reference,
OptionStatus: CreationDate, UpdateDate, UpdateVersion, State, PendingDeletion). This layer
adds it: created when the domain was, updated when an UpdateDomainConfig last named the
section, dated by the caller's clock as CloudTrail dates the calls.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC
from typing import Any

from . import cloudtrail, shapes
from .protocol import Call, Forward, Response, Service

# (account, region, domain) -> section -> when it was created or last updated (epoch).
_DATES: dict[tuple[str, str, str], dict[str, float]] = {}
_LOCK = threading.Lock()

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


def _answer(call: Call, forward: Forward) -> tuple[Response, dict | None]:
    """moto's answer, and its JSON when it succeeded."""
    response = forward(call.body)
    if response.status >= 300:
        return response, None
    try:
        payload = json.loads(response.body)
    except ValueError:
        return response, None
    return response, payload if isinstance(payload, dict) else None


def _with_domains(call: Call, forward: Forward) -> Response:
    response, payload = _answer(call, forward)
    if payload is None:
        return response
    for key in ("DomainStatus",):
        if isinstance(payload.get(key), dict):
            _domain(payload[key])
    for status in payload.get("DomainStatusList") or []:
        if isinstance(status, dict):
            _domain(status)
    return response._replace(body=json.dumps(payload).encode())


def _now(call: Call) -> float:
    return cloudtrail.clock(call.account, call.region).replace(tzinfo=UTC).timestamp()


def _with_status(call: Call, forward: Forward) -> Response:
    """UpdateDomainConfig and DescribeDomainConfig with each section's Status."""
    request = call.json_body() if call.body[:1] == b"{" else {}
    response, payload = _answer(call, forward)
    if payload is None:
        return response
    config = payload.get("DomainConfig")
    name = shapes.rest_labels(call.service, call.operation, call.path).get("DomainName", "")
    if not isinstance(config, dict):
        return response
    key = (call.account, call.region, name)
    with _LOCK:
        dates = _DATES.setdefault(key, {"": _now(call)})
        if call.operation == "UpdateDomainConfig":
            for section in request:
                dates[section] = _now(call)
        for section, value in config.items():
            if isinstance(value, dict):
                _section(section, value, dates[""], dates.get(section, dates[""]))
    return response._replace(body=json.dumps(payload).encode())


def _section(name: str, value: dict, created: float, updated: float) -> None:
    """One DomainConfig section as AWS answers it: its Status, and its Options in their
    own shape (moto puts AutoTune's state and the service software fields in Options)."""
    options = value.get("Options")
    state: Any = "Active"
    if name == "AutoTuneOptions" and isinstance(options, dict):
        # AutoTuneOptionsStatus: the state is in its AutoTuneStatus (AutoTuneState).
        state = str(options.pop("State", "DISABLED")).upper()
    if name == "SoftwareUpdateOptions" and isinstance(options, dict):
        value["Options"] = {k: v for k, v in options.items() if k in _SOFTWARE_UPDATE_MEMBERS}
    if "Status" not in value:
        value["Status"] = {"CreationDate": created, "UpdateDate": updated, "UpdateVersion": 1, "State": state}
        if name != "AutoTuneOptions":
            value["Status"]["PendingDeletion"] = False


def _created(call: Call, forward: Forward) -> Response:
    """CreateDomain, remembering when (for its sections' CreationDate)."""
    response = _with_domains(call, forward)
    if response.status < 300:
        name = call.json_body().get("DomainName", "")
        with _LOCK:
            _DATES[(call.account, call.region, name)] = {"": _now(call)}
    return response


def reset() -> None:
    with _LOCK:
        _DATES.clear()


SERVICE = Service(
    operations={
        **{op: _with_domains for op in ("DescribeDomain", "DescribeDomains", "DeleteDomain")},
        "CreateDomain": _created,
        "UpdateDomainConfig": _with_status,
        "DescribeDomainConfig": _with_status,
    },
)
