"""AWS Config's configuration history of DMS endpoints, which moto 5.2.5 does not record
(its GetResourceConfigHistory serves no history, and no DMS type).

The history is derived from the account's CloudTrail record (cloudtrail.py), as Cost
Explorer's billing is: the configuration recorder's own calls (PutConfigurationRecorder,
StartConfigurationRecorder, StopConfigurationRecorder, DeleteConfigurationRecorder) and
the endpoint writes (CreateEndpoint, ModifyEndpoint, DeleteEndpoint), replayed in time
order per region. While a recorder records and its recording group covers
AWS::DMS::Endpoint (allSupported, `resourceTypes`, or not in `exclusionByResourceTypes`),
each change gets a configuration item (AWS Config API Reference, ConfigurationItem):
`ResourceDiscovered` at creation, `OK` at a modification that changed the configuration,
`ResourceDeleted` (no configuration) at deletion; `configurationItemCaptureTime` is the
call's time, `recordingFrequency` the recorder's mode for the type (RecordingMode and its
overrides; CONTINUOUS by default). A recorder that starts records the endpoints that exist
and differ from their last item (or have none). The configuration holds the endpoint's
members under the names the AWS Config resource schema gives AWS::DMS::Endpoint
(awslabs/aws-config-resource-schema, `configuration.SslMode`, `EngineName`, `ServerName`,
`Port`, `DatabaseName`, `KmsKeyId`, `CertificateArn`, ...) as a JSON text; `resourceId`
is the endpoint ARN (the type's primary identifier, which `Ref` returns) and
`resourceName` its identifier.

Served: ListDiscoveredResources and GetResourceConfigHistory for AWS::DMS::Endpoint (other
types go to moto), as the API Reference describes them: `includeDeletedResources`,
`resourceIds`, `resourceName`, `limit` (at most 100), `nextToken`; `laterTime`,
`earlierTime`, `chronologicalOrder` (Reverse by default), `limit` (10 by default, at most
100), ResourceNotDiscoveredException for a resource with no item. DescribeConfigurationRecorders
gains the `recordingMode` moto drops (and loses the `status` it adds), and DescribeConfigurationRecorderStatus the times of
the last start and stop as CloudTrail dated them (a scenario dated in the past records in
the past) and `lastStatus` Success while recording (moto: PENDING, outside the model's enum).

Deviations (docs/emulator.md): DAILY recording records each change at once, like
CONTINUOUS (AWS delivers at most one item a day with the latest state); types excluded
from recording get no `ResourceNotRecorded` items; no relationships, tags or
supplementary configuration; only endpoints have a history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import cloudtrail, shapes
from .protocol import Call, Forward, Response, Service, error_response, json_response, page_offset, page_token, patched

ENDPOINT_TYPE = "AWS::DMS::Endpoint"
RECORDER_CALLS = {"PutConfigurationRecorder", "StartConfigurationRecorder", "StopConfigurationRecorder",
                  "DeleteConfigurationRecorder"}
ENDPOINT_CALLS = {"CreateEndpoint", "ModifyEndpoint", "DeleteEndpoint"}
MAX_LIMIT = 100
HISTORY_DEFAULT_LIMIT = 10


class ConfigError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Recorder:
    group: dict = field(default_factory=lambda: {"allSupported": True})
    mode: dict | None = None
    recording: bool = False
    last_start: datetime | None = None
    last_stop: datetime | None = None

    def records(self, resource_type: str) -> bool:
        g = self.group or {}
        if g.get("allSupported", False):
            return True
        excluded = (g.get("exclusionByResourceTypes") or {}).get("resourceTypes")
        if excluded is not None:
            return resource_type not in excluded
        return resource_type in (g.get("resourceTypes") or [])

    def frequency(self, resource_type: str) -> str:
        mode = self.mode or {}
        for override in mode.get("recordingModeOverrides") or []:
            if resource_type in (override.get("resourceTypes") or []):
                return str(override.get("recordingFrequency", "CONTINUOUS"))
        return str(mode.get("recordingFrequency", "CONTINUOUS"))


@dataclass
class History:
    """One account and region's recorders and endpoint items, replayed from CloudTrail."""

    recorders: dict[str, Recorder] = field(default_factory=dict)
    items: dict[str, list[dict]] = field(default_factory=dict)  # endpoint ARN -> items, oldest first
    current: dict[str, dict] = field(default_factory=dict)  # live endpoint ARN -> configuration


def _pascal(value: Any) -> Any:
    """CloudTrail's lowerCamelCase member names back to the API's (and the schema's)."""
    if isinstance(value, dict):
        return {(k[:1].upper() + k[1:] if isinstance(k, str) else k): _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


# Engine settings objects the CloudFormation type (and so AWS Config) names otherwise than the
# DMS API (cfn-lint `aws-dms-endpoint.json`; botocore `dms` Endpoint).
SETTINGS_NAMES = {"PostgreSQLSettings": "PostgreSqlSettings", "MySQLSettings": "MySqlSettings",
                  "MicrosoftSQLServerSettings": "MicrosoftSqlServerSettings", "IBMDb2Settings": "IbmDb2Settings"}


def _configuration(endpoint: dict) -> dict:
    """The endpoint as the AWS::DMS::Endpoint schema names its members."""
    e = _pascal(endpoint)
    out = {k: v for k, v in e.items() if k in (
        "CertificateArn", "DatabaseName", "EndpointIdentifier", "EngineName", "ExternalId", "KmsKeyId", "Port",
        "ServerName", "SslMode", "Username")}
    out.update({SETTINGS_NAMES.get(k, k): v for k, v in e.items() if k.endswith("Settings") and isinstance(v, dict)})
    if "EndpointType" in e:
        out["EndpointType"] = str(e["EndpointType"]).lower()
    out["Id"] = e.get("EndpointArn")
    return out


def _item(account: str, region: str, arn: str, when: datetime, status: str, configuration: dict | None,
          frequency: str, created: datetime | None, name: str) -> dict:
    item = {
        "version": "1.3",
        "accountId": account,
        "configurationItemCaptureTime": when.timestamp(),
        "configurationItemStatus": status,
        "configurationStateId": str(int(when.timestamp() * 1000)),
        "arn": arn,
        "resourceType": ENDPOINT_TYPE,
        "resourceId": arn,
        "resourceName": name,
        "awsRegion": region,
        "availabilityZone": "Not Applicable",
        "tags": {},
        "relatedEvents": [],
        "relationships": [],
        "supplementaryConfiguration": {},
        "recordingFrequency": frequency,
        "configurationItemDeliveryTime": when.timestamp(),
    }
    if created is not None:
        item["resourceCreationTime"] = created.timestamp()
    if configuration is not None:
        item["configuration"] = json.dumps(configuration, sort_keys=True)
    return item


def _events(account: str, region: str) -> list[tuple[datetime, str, str, dict, dict]]:
    """(time, source, name, request, answer) of the region's successful recorder and
    endpoint writes, oldest first."""
    out = []
    for r, e in cloudtrail.account_events(account):
        source, name = e["EventSource"], e["EventName"]
        if r != region or not ((source == "config.amazonaws.com" and name in RECORDER_CALLS)
                               or (source == "dms.amazonaws.com" and name in ENDPOINT_CALLS)):
            continue
        body = json.loads(e["CloudTrailEvent"])
        if body.get("errorCode"):
            continue
        out.append((e["EventTime"], source, name, body.get("requestParameters") or {}, body.get("responseElements") or {}))
    out.sort(key=lambda x: x[0])
    return out


def history(account: str, region: str) -> History:
    h = History()
    created: dict[str, datetime] = {}
    names: dict[str, str] = {}

    def note(arn: str, when: datetime, status: str, configuration: dict | None) -> None:
        recorder = next((r for r in h.recorders.values() if r.recording and r.records(ENDPOINT_TYPE)), None)
        if configuration is not None:
            names[arn] = configuration.get("EndpointIdentifier") or names.get(arn) or arn.rsplit(":", 1)[-1]
        if recorder is None:
            return
        h.items.setdefault(arn, []).append(_item(account, region, arn, when, status, configuration,
                                                 recorder.frequency(ENDPOINT_TYPE), created.get(arn),
                                                 names.get(arn, arn.rsplit(":", 1)[-1])))

    for when, source, name, request, answer in _events(account, region):
        if source == "config.amazonaws.com":
            _recorder_call(h, name, request, when, note)
            continue
        endpoint = answer.get("endpoint") or {}
        arn = endpoint.get("endpointArn") or request.get("endpointArn")
        if not arn:
            continue
        if name == "DeleteEndpoint":
            h.current.pop(arn, None)
            note(arn, when, "ResourceDeleted", None)
            continue
        configuration = _configuration(endpoint)
        if name == "CreateEndpoint":
            created[arn] = when
        if h.current.get(arn) == configuration:
            continue
        h.current[arn] = configuration
        note(arn, when, "ResourceDiscovered" if name == "CreateEndpoint" else "OK", configuration)
    return h


def _recorder_call(h: History, name: str, request: dict, when: datetime, note) -> None:
    recorder_name = (request.get("configurationRecorder") or {}).get("name") or request.get("configurationRecorderName")
    if not recorder_name:
        return
    if name == "DeleteConfigurationRecorder":
        h.recorders.pop(recorder_name, None)
        return
    r = h.recorders.setdefault(recorder_name, Recorder())
    if name == "PutConfigurationRecorder":
        spec = request.get("configurationRecorder") or {}
        r.group = spec.get("recordingGroup") or {"allSupported": True}
        r.mode = spec.get("recordingMode")
    elif name == "StartConfigurationRecorder" and not r.recording:
        r.recording, r.last_start = True, when
        # Discovery: each endpoint that exists and differs from its last item (or has none).
        for arn, configuration in h.current.items():
            last = next((i for i in reversed(h.items.get(arn, [])) if "configuration" in i), None)
            if last is None or json.loads(last["configuration"]) != configuration:
                note(arn, when, "ResourceDiscovered" if last is None else "OK", configuration)
    elif name == "StopConfigurationRecorder" and r.recording:
        r.recording, r.last_stop = False, when


# ---------------------------------------------------------------- the API


def _limit(req: dict, default: int) -> int:
    limit = req.get("limit") or default
    if not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
        raise ConfigError("InvalidLimitException", f"limit must be between 0 and {MAX_LIMIT}")
    return limit


def _page(found: list, req: dict, default: int, key: str) -> tuple[list, str | None]:
    limit = _limit(req, default)
    try:
        offset = page_offset("cfg", req["nextToken"], key) if req.get("nextToken") else 0
    except ValueError as err:
        raise ConfigError("InvalidNextTokenException", "The nextToken provided is invalid") from err
    page = found[offset: offset + limit]
    return page, page_token("cfg", offset + limit, key) if offset + limit < len(found) else None


def list_discovered_resources(call: Call, req: dict) -> dict:
    h = history(call.account, call.region)
    ids, name = req.get("resourceIds"), req.get("resourceName")
    found = []
    for arn, items in sorted(h.items.items()):
        last = items[-1]
        deleted = last["configurationItemStatus"] == "ResourceDeleted"
        if deleted and not req.get("includeDeletedResources"):
            continue
        if (ids and arn not in ids) or (name and last["resourceName"] != name):
            continue
        resource = {"resourceType": ENDPOINT_TYPE, "resourceId": arn, "resourceName": last["resourceName"]}
        if deleted:
            resource["resourceDeletionTime"] = last["configurationItemCaptureTime"]
        found.append(resource)
    key = json.dumps({k: req.get(k) for k in ("resourceIds", "resourceName", "includeDeletedResources")},
                     sort_keys=True)
    page, token = _page(found, req, MAX_LIMIT, key)
    out: dict[str, Any] = {"resourceIdentifiers": page}
    if token:
        out["nextToken"] = token
    return out


def get_resource_config_history(call: Call, req: dict) -> dict:
    arn = req.get("resourceId", "")
    items = history(call.account, call.region).items.get(arn)
    if not items:
        raise ConfigError("ResourceNotDiscoveredException",
                          f"Resource {arn} of resourceType:{ENDPOINT_TYPE} is unknown or has not been discovered")
    later = shapes.to_datetime(req["laterTime"]) if "laterTime" in req else datetime.now(UTC)
    earlier = shapes.to_datetime(req["earlierTime"]) if "earlierTime" in req else None
    if earlier is not None and earlier > later:
        raise ConfigError("InvalidTimeRangeException", "The earlierTime is later than the laterTime")
    found = [i for i in items if (earlier is None or i["configurationItemCaptureTime"] >= earlier.timestamp())
             and i["configurationItemCaptureTime"] <= later.timestamp()]
    if req.get("chronologicalOrder", "Reverse") != "Forward":
        found.reverse()
    key = json.dumps({k: req.get(k) for k in ("resourceId", "laterTime", "earlierTime", "chronologicalOrder")},
                     sort_keys=True, default=str)
    page, token = _page(found, req, HISTORY_DEFAULT_LIMIT, key)
    out: dict[str, Any] = {"configurationItems": page}
    if token:
        out["nextToken"] = token
    return out


def _answer(call: Call, forward: Forward, serve) -> Response:
    req = call.json_body()
    if req.get("resourceType") != ENDPOINT_TYPE:
        return forward(call.body)
    try:
        return json_response(serve(call, req))
    except ConfigError as err:
        return error_response(call, 400, err.code, err.message)


def _list(call: Call, forward: Forward) -> Response:
    return _answer(call, forward, list_discovered_resources)


def _history(call: Call, forward: Forward) -> Response:
    return _answer(call, forward, get_resource_config_history)


def _recorders(call: Call, forward: Forward) -> Response:
    """moto's answer with the recordingMode it drops, without the `status` it adds (not a
    member of ConfigurationRecorder: DescribeConfigurationRecorderStatus answers it)."""
    recorders = history(call.account, call.region).recorders

    def edit(doc: dict) -> None:
        for r in doc.get("ConfigurationRecorders") or []:
            r.pop("status", None)
            mode = recorders.get(r.get("name"), Recorder()).mode
            r["recordingMode"] = mode or {"recordingFrequency": "CONTINUOUS"}

    return patched(forward(call.body), edit)


def _status(call: Call, forward: Forward) -> Response:
    """moto's answer, dated as CloudTrail dated the recorder's starts and stops."""
    recorders = history(call.account, call.region).recorders

    def edit(doc: dict) -> None:
        for s in doc.get("ConfigurationRecordersStatus") or []:
            r = recorders.get(s.get("name"))
            if r is None:
                continue
            for member, when in (("lastStartTime", r.last_start), ("lastStopTime", r.last_stop)):
                if when is not None:
                    s[member] = when.timestamp()
            changes = [t for t in (r.last_start, r.last_stop) if t is not None]
            if changes:
                s["lastStatusChangeTime"] = max(changes).timestamp()
            if r.recording:
                s["lastStatus"] = "Success"
            elif s.get("lastStatus") == "PENDING":
                s["lastStatus"] = "Pending"  # moto's spelling; the model's enum is Pending|Success|Failure

    return patched(forward(call.body), edit)


SERVICE = Service({
    "ListDiscoveredResources": _list,
    "GetResourceConfigHistory": _history,
    "DescribeConfigurationRecorders": _recorders,
    "DescribeConfigurationRecorderStatus": _status,
})
