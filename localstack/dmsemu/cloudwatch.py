"""CloudWatch over the Smithy rpc-v2-cbor protocol, translated to moto 5.2.5's JSON.

aws-sdk-cloudwatch >= 1.100 sends `POST /service/GraniteServiceVersion20100801/
operation/<Op>` with CBOR bodies; moto 5.2.5 answers 404. This layer decodes the
CBOR request, hands moto the same call in awsJson 1.0, and encodes moto's answer
back to CBOR typed by botocore's model (tagged timestamps, doubles, blobs).

It also serves, for either protocol, ListMetrics (moto 5.2.5 repeats a metric once
per stored datapoint and pages before it de-duplicates, and lists metrics of any
age where AWS omits those with no data in the past two weeks) and GetMetricData for
MetricStat queries (moto 5.2.5 rescans all datapoints per period: minutes for a
455-day hourly query).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import cbor2

from . import shapes
from .protocol import Call, Forward, Handler, Response, Service, error_response, json_response

TARGET = "GraniteServiceVersion20100801"
LIST_METRICS_VISIBILITY_SECS = 14 * 86_400


def _epoch(value: Any) -> float:
    converted = shapes.to_epoch(value)
    return converted if isinstance(converted, (int, float)) else 0.0


def list_metrics(call: Call, request: dict) -> dict:
    """ListMetrics over distinct metrics (moto 5.2.5 lists one per datapoint and
    pages before de-duplicating), with AWS's filters and 500-metric pages."""
    from moto.cloudwatch.models import cloudwatch_backends

    backend = cloudwatch_backends[call.account][call.region]
    wanted = [(d.get("Name"), d.get("Value")) for d in request.get("Dimensions") or []]
    seen: dict[tuple, dict] = {}
    latest: dict[tuple, float] = {}
    for datum in backend.get_all_metrics():
        if request.get("Namespace") and datum.namespace != request["Namespace"]:
            continue
        if request.get("MetricName") and datum.name != request["MetricName"]:
            continue
        dims = [(d.name, d.value) for d in datum.dimensions]
        if any(not any(n == name and (want is None or v == want) for n, v in dims) for name, want in wanted):
            continue
        key = (datum.namespace, datum.name, tuple(sorted(dims)))
        seen.setdefault(key, {
            "Namespace": datum.namespace,
            "MetricName": datum.name,
            "Dimensions": [{"Name": n, "Value": v} for n, v in dims],
        })
        stamp = _epoch(datum.timestamp)
        latest[key] = max(latest.get(key, stamp), stamp)
    # "Metrics that have not had any new data points in the past two weeks do not
    # appear" (CloudWatch API Reference, ListMetrics); GetMetricData still reads them.
    horizon = time.time() - LIST_METRICS_VISIBILITY_SECS
    metrics = [m for key, m in seen.items() if latest.get(key, 0) >= horizon]
    try:
        start = int(request.get("NextToken") or 0)
    except ValueError:
        raise ValueError("Request parameter NextToken is invalid") from None
    payload: dict = {"Metrics": metrics[start : start + 500]}
    if start + 500 < len(metrics):
        payload["NextToken"] = str(start + 500)
    return payload


# Each statistic from a bucket's [sample count, sum, minimum, maximum].
STATS: dict[str, Callable[[list[float]], float]] = {
    "SampleCount": lambda v: v[0],
    "Average": lambda v: v[1] / v[0] if v[0] else 0.0,
    "Sum": lambda v: v[1],
    "Minimum": lambda v: v[2],
    "Maximum": lambda v: v[3],
}
MAX_DATAPOINTS = 100_800


def get_metric_data(call: Call, request: dict) -> dict:
    """GetMetricData for MetricStat queries, bucketing each series in one pass.

    moto 5.2.5 rescans every stored datapoint for every period, so a 455-day hourly
    query (what a collector asks for) takes minutes. Metric math is refused clearly.
    """
    from moto.cloudwatch.models import MetricAggregatedDatum, cloudwatch_backends

    backend = cloudwatch_backends[call.account][call.region]
    queries = request.get("MetricDataQueries") or []
    if not queries or len(queries) > 500:
        raise ValueError("MetricDataQueries must hold 1 to 500 queries")
    start, end = shapes.to_epoch(request["StartTime"]), shapes.to_epoch(request["EndTime"])
    if end <= start:
        raise ValueError("The parameter StartTime must be less than the parameter EndTime.")
    descending = request.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    index: dict[tuple, list] = {}
    for datum in backend.get_all_metrics():
        key = (datum.namespace, datum.name, frozenset((d.name, d.value) for d in datum.dimensions))
        index.setdefault(key, []).append(datum)
    results = []
    for query in queries:
        stat_spec = query.get("MetricStat")
        if not stat_spec:
            raise ValueError("metric math expressions are not supported by the local emulator")
        metric = stat_spec["Metric"]
        period = int(stat_spec["Period"])
        stat = stat_spec["Stat"]
        if stat not in STATS:
            raise ValueError(f"statistic {stat} is not supported by the local emulator")
        key = (metric.get("Namespace"), metric.get("MetricName"),
               frozenset((d["Name"], d["Value"]) for d in metric.get("Dimensions") or []))
        buckets: dict[int, list[float]] = {}
        for datum in index.get(key, []):
            ts = shapes.to_epoch(datum.timestamp)
            if not (start <= ts < end):
                continue
            bucket = int(start + ((ts - start) // period) * period)
            values = buckets.setdefault(bucket, [0.0, 0.0, float("inf"), float("-inf")])
            if isinstance(datum, MetricAggregatedDatum):
                count, total, low, high = datum.sample_count, datum.sum, datum.min, datum.max
            else:
                count, total, low, high = 1.0, float(datum.value), float(datum.value), float(datum.value)
            values[0] += count
            values[1] += total
            values[2] = min(values[2], low)
            values[3] = max(values[3], high)
        pick = STATS[stat]
        times = sorted(buckets, reverse=descending)
        results.append({
            "Id": query["Id"],
            "Label": query.get("Label") or f"{metric.get('MetricName')} {stat}",
            "Timestamps": times,
            "Values": [pick(buckets[t]) for t in times],
            "StatusCode": "Complete",
        })
    return _page_datapoints(results, request)


def _page_datapoints(results: list, request: dict) -> dict:
    """Pages by whole queries so that one answer holds at most MaxDatapoints values."""
    limit = int(request.get("MaxDatapoints") or MAX_DATAPOINTS)
    start = int(request.get("NextToken") or 0)
    page: list[dict] = []
    total = 0
    for i in range(start, len(results)):
        size = len(results[i]["Values"])
        if page and total + size > limit:
            return {"MetricDataResults": page, "NextToken": str(i), "Messages": []}
        page.append(results[i])
        total += size
    return {"MetricDataResults": page, "Messages": []}


def _through_moto(call: Call, forward: Forward) -> Response:
    """Any other operation: moto's as it is over awsJson, translated from and to CBOR."""
    if call.protocol == "json":
        return forward(call.body, {})

    op_model = shapes.operation("cloudwatch", call.operation)
    if op_model is None:
        return error_response(call, 400, "UnknownOperationException", f"Unknown operation {call.operation}")
    try:
        request = cbor2.loads(call.body) if call.body else {}
    except Exception as err:  # noqa: BLE001 - any decoding failure is the caller's
        return error_response(call, 400, "SerializationException", f"Request body is not CBOR: {err}")
    request = shapes.from_cbor(request or {})
    missing = [m for m in op_model.input_shape.required_members if m not in request] if op_model.input_shape else []
    if missing:
        return error_response(call, 400, "MissingParameter", f"The parameter {missing[0]} must be specified.")
    body = json.dumps(request).encode()
    response = forward(
        body,
        {
            "X-Amz-Target": f"{TARGET}.{call.operation}",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    try:
        payload = json.loads(response.body) if response.body else {}
    except ValueError:
        payload = {"__type": "InternalFailure", "message": response.body.decode("utf-8", "replace")[:500]}
    if response.status != 200:
        code = str(payload.get("__type", "InternalFailure")).rsplit("#", 1)[-1]
        message = payload.get("message") or payload.get("Message") or ""
        return error_response(call, response.status, code, message)
    return _encode(op_model, payload, response.header("x-amzn-requestid", "00000000-0000-0000-0000-000000000000"))


def _own(operation: Callable[[Call, dict], dict]) -> Handler:
    """Serves an operation this layer implements, in the caller's protocol."""

    def handler(call: Call, forward: Forward) -> Response:
        try:
            request = cbor2.loads(call.body) if call.protocol == "cbor" and call.body else call.json_body()
            request = shapes.from_cbor(request or {})
            op_model = shapes.operation("cloudwatch", call.operation)
            required = op_model.input_shape.required_members if op_model.input_shape else []
            missing = [m for m in required if m not in request]
            if missing:
                return error_response(call, 400, "MissingParameter", f"The parameter {missing[0]} must be specified.")
            payload = operation(call, request)
        except (ValueError, KeyError) as err:
            return error_response(call, 400, "InvalidParameterValue", str(err))
        if call.protocol == "json":
            return json_response(payload)
        return _encode(shapes.operation("cloudwatch", call.operation), payload, str(uuid.uuid4()))

    return handler


def _encode(op_model: Any, payload: dict, request_id: str) -> Response:
    if op_model.output_shape is not None:
        payload = shapes.walk(payload, op_model.output_shape, shapes.cbor_leaf)
    return Response(
        200,
        [
            ("Content-Type", "application/cbor"),
            ("smithy-protocol", "rpc-v2-cbor"),
            ("x-amzn-RequestId", request_id),
        ],
        cbor2.dumps(payload, datetime_as_timestamp=True, timezone=None),
    )


OPERATIONS: dict[str, Handler] = {
    "ListMetrics": _own(list_metrics),
    "GetMetricData": _own(get_metric_data),
}
SERVICE = Service(OPERATIONS, default=_through_moto)
