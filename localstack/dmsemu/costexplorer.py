"""AWS Cost Explorer's GetCostAndUsage for DMS usage, which moto 5.2.5 answers only with
results queued through its own API.

Usage is derived from the replication instances' lives as the account's CloudTrail
recorded them (cloudtrail.py; a scenario dated in the past is billed in the past):
from CreateReplicationInstance to DeleteReplicationInstance (or now), in the class and
Multi-AZ setting in force, a ModifyReplicationInstance that changes the class starting a
new stretch. Each stretch is billed as the usage type `<prefix>InstanceUsg:<class>` or
`<prefix>Multi-AZUsg:<class>` in hours (unit `Hrs`): the form the Billing User Guide shows
for DMS (`Global-InstanceUsg:dms.t2.micro`, "Tracking your AWS Free Tier usage"), with the
region's billing prefix (none for us-east-1, as the AWS Price List names
`InstanceUsg:dms.r5.large` for US East (N. Virginia)).

The request is answered as the Cost Explorer API Reference describes GetCostAndUsage:
TimePeriod Start inclusive and End exclusive (`YYYY-MM-DD`), Granularity `DAILY` or
`MONTHLY`, Filter expressions (And, Or, Not, Dimensions), GroupBy of at most two of the
dimensions it lists (not REGION), ResultsByTime with Total (no grouping) or Groups, `Estimated` for the
current month; the API "can access up to 13 months of historical data and data for the
current month" (Cost Management User Guide, "Best practices for the AWS Cost Explorer
API"): an older Start is refused.

Deviations (docs/emulator.md): a ModifyReplicationInstance that changes the class starts
the new stretch at once, ApplyImmediately or not (AWS applies it in the maintenance window
otherwise); only replication instance hours are billed (no storage,
data transfer or DMS Serverless capacity units); figures stop at the start of the current
UTC day (AWS refreshes them up to three times a day); only the UsageQuantity metric
(cost metrics need prices the emulator does not have: NotImplemented); HOURLY, tag and
cost-category filters are not implemented; no paging.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from . import cloudtrail
from .protocol import Call, Forward, Response, Service, error_response, json_response

DMS_SERVICE = "AWS Database Migration Service"
HISTORY_MONTHS = 13
MAX_GROUP_BY = 2
# The dimensions GetCostAndUsage groups by (API Reference, GetCostAndUsage, GroupBy: "Valid
# values for the DIMENSION type are ..."); REGION is a filter dimension, not one of these.
GROUP_BY_DIMENSIONS = {
    "AZ", "INSTANCE_TYPE", "LEGAL_ENTITY_NAME", "INVOICING_ENTITY", "LINKED_ACCOUNT", "OPERATION",
    "PLATFORM", "PURCHASE_TYPE", "SERVICE", "TENANCY", "RECORD_TYPE", "USAGE_TYPE",
}
INSTANCE_WRITES = {"CreateReplicationInstance", "ModifyReplicationInstance", "DeleteReplicationInstance"}
# Billing prefixes of usage types by region (AWS Price List `usagetype`); us-east-1 has none.
PREFIX = {
    "us-east-1": "", "us-east-2": "USE2-", "us-west-1": "USW1-", "us-west-2": "USW2-",
    "ca-central-1": "CAN1-", "sa-east-1": "SAE1-", "eu-west-1": "EU-", "eu-west-2": "EUW2-",
    "eu-west-3": "EUW3-", "eu-central-1": "EUC1-", "eu-north-1": "EUN1-", "ap-northeast-1": "APN1-",
    "ap-northeast-2": "APN2-", "ap-northeast-3": "APN3-", "ap-southeast-1": "APS1-",
    "ap-southeast-2": "APS2-", "ap-south-1": "APS3-",
}


class CeError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Stretch:
    """A replication instance billed in one class from `start` to `end`."""

    region: str
    usage_type: str
    start: datetime
    end: datetime


def _prefix(region: str) -> str:
    return PREFIX.get(region, region.upper().replace("-", "") + "-")


def _instance_events(account: str) -> list[tuple[str, str, datetime, dict, dict]]:
    """(event name, region, time, request, answer) of the account's successful replication
    instance writes, oldest first."""
    out = []
    for region, e in cloudtrail.account_events(account):
        if e["EventSource"] != "dms.amazonaws.com" or e["EventName"] not in INSTANCE_WRITES:
            continue
        body = json.loads(e["CloudTrailEvent"])
        if body.get("errorCode"):
            continue
        request, answer = body.get("requestParameters") or {}, body.get("responseElements") or {}
        out.append((e["EventName"], region, e["EventTime"], request, answer.get("replicationInstance") or {}))
    out.sort(key=lambda x: x[2])
    return out


def stretches(account: str, now: datetime) -> list[Stretch]:
    """Every billed stretch of the account's replication instances, up to `now`."""
    running: dict[str, tuple[str, str, datetime]] = {}  # arn -> (region, usage type, since)
    done: list[Stretch] = []
    for name, region, when, request, instance in _instance_events(account):
        arn = instance.get("replicationInstanceArn") or request.get("replicationInstanceArn")
        if not arn or (name != "CreateReplicationInstance" and arn not in running):
            continue
        if arn in running:
            if name == "ModifyReplicationInstance" and not {"replicationInstanceClass", "multiAZ"} & set(request):
                continue  # a change billing does not see
            was_region, was_type, since = running.pop(arn)
            done.append(Stretch(was_region, was_type, since, when))
        if name == "DeleteReplicationInstance":
            continue
        cls = request.get("replicationInstanceClass") or instance.get("replicationInstanceClass")
        multi = request.get("multiAZ", instance.get("multiAZ", False))
        if cls:
            kind = "Multi-AZUsg" if multi else "InstanceUsg"
            running[arn] = (region, f"{_prefix(region)}{kind}:{cls}", when)
    done.extend(Stretch(region, usage_type, since, now) for region, usage_type, since in running.values())
    return done


def _day(text: object, member: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError as err:
        raise CeError("ValidationException", f"{member} '{text}' is not a YYYY-MM-DD date") from err


def _periods(start: date, end: date, granularity: str) -> list[tuple[date, date]]:
    out, at = [], start
    while at < end:
        next_month = date(at.year + at.month // 12, at.month % 12 + 1, 1)
        nxt = at + timedelta(days=1) if granularity == "DAILY" else next_month
        out.append((at, min(nxt, end)))
        at = nxt
    return out


def _matches(expr: dict | None, dims: dict[str, str]) -> bool:
    if not expr:
        return True
    if "And" in expr:
        return all(_matches(e, dims) for e in expr["And"])
    if "Or" in expr:
        return any(_matches(e, dims) for e in expr["Or"])
    if "Not" in expr:
        return not _matches(expr["Not"], dims)
    if "Dimensions" in expr:
        d = expr["Dimensions"]
        return dims.get(str(d.get("Key")), "") in (d.get("Values") or [])
    raise NotImplementedError("Cost Explorer filters other than Dimensions, And, Or, Not")


def _hours(s: Stretch, a: datetime, b: datetime) -> float:
    lo, hi = max(s.start, a), min(s.end, b)
    return max((hi - lo).total_seconds(), 0.0) / 3600.0


def _amount(hours: float) -> dict:
    return {"Amount": f"{round(hours, 6):.10g}", "Unit": "Hrs"}


def get_cost_and_usage(call: Call, req: dict) -> dict:
    metrics = req.get("Metrics") or []
    if any(m != "UsageQuantity" for m in metrics):
        raise NotImplementedError("Cost Explorer metrics other than UsageQuantity (no prices here)")
    granularity = req.get("Granularity")
    if granularity not in ("DAILY", "MONTHLY"):
        raise NotImplementedError(f"Cost Explorer granularity {granularity}")
    period = req.get("TimePeriod") or {}
    start, end = _day(period.get("Start"), "Start"), _day(period.get("End"), "End")
    if start >= end:
        raise CeError("ValidationException", "Start date must be before end date")
    now = datetime.now(UTC)
    months = now.year * 12 + now.month - 1 - HISTORY_MONTHS
    oldest = date(months // 12, months % 12 + 1, 1)
    if start < oldest:
        raise CeError("ValidationException", f"Start date {start} is before {oldest}: Cost Explorer keeps 13 months")
    group_by = req.get("GroupBy") or []
    if len(group_by) > MAX_GROUP_BY or any(g.get("Type") != "DIMENSION" for g in group_by):
        raise CeError("ValidationException", "GroupBy takes at most two DIMENSION groups here")
    for g in group_by:
        if g.get("Key") not in GROUP_BY_DIMENSIONS:
            raise CeError("ValidationException", f"Group Definition dimension is invalid: {g.get('Key')}")
    horizon = datetime(now.year, now.month, now.day, tzinfo=UTC)  # figures up to today
    billed = stretches(call.account, horizon)
    results = []
    for a, b in _periods(start, end, granularity):
        lo = datetime(a.year, a.month, a.day, tzinfo=UTC)
        hi = min(datetime(b.year, b.month, b.day, tzinfo=UTC), horizon)
        groups: dict[tuple[str, ...], float] = {}
        total = 0.0
        for s in billed:
            dims = {"SERVICE": DMS_SERVICE, "REGION": s.region, "USAGE_TYPE": s.usage_type,
                    "LINKED_ACCOUNT": call.account, "INSTANCE_TYPE": s.usage_type.split(":", 1)[-1]}
            hours = _hours(s, lo, hi) if hi > lo else 0.0
            if hours <= 0 or not _matches(req.get("Filter"), dims):
                continue
            key = tuple(dims.get(str(g.get("Key")), "") for g in group_by)
            groups[key] = groups.get(key, 0.0) + hours
            total += hours
        result: dict = {"TimePeriod": {"Start": a.isoformat(), "End": b.isoformat()},
                        "Estimated": (a.year, a.month) == (now.year, now.month)}
        if group_by:
            result["Total"] = {}
            result["Groups"] = [{"Keys": list(k), "Metrics": {"UsageQuantity": _amount(h)}}
                                for k, h in sorted(groups.items())]
        else:
            result["Total"] = {"UsageQuantity": _amount(total)}
            result["Groups"] = []
        results.append(result)
    return {"GroupDefinitions": group_by, "ResultsByTime": results, "DimensionValueAttributes": []}


def _get(call: Call, forward: Forward) -> Response:
    try:
        return json_response(get_cost_and_usage(call, call.json_body()))
    except CeError as err:
        return error_response(call, 400, err.code, err.message)


SERVICE = Service({"GetCostAndUsage": _get})
