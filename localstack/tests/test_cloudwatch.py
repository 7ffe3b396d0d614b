"""CloudWatch over Smithy rpc-v2-cbor (as aws-sdk-cloudwatch >= 1.100 speaks it), and ListMetrics."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import cbor2


def cbor_call(endpoint, account, op, body):
    req = urllib.request.Request(
        f"{endpoint}/service/GraniteServiceVersion20100801/operation/{op}",
        data=cbor2.dumps(body, datetime_as_timestamp=True), method="POST",
        headers={
            "smithy-protocol": "rpc-v2-cbor",
            "Content-Type": "application/cbor",
            "Accept": "application/cbor",
            "x-moto-account-id": account,
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/monitoring/aws4_request, "
                             "SignedHeaders=host, Signature=0",
        })
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def seed_points(cw, now, hours=30):
    end = now.replace(minute=0, second=0, microsecond=0)
    data = [{"MetricName": "CDCIncomingChanges", "Timestamp": end - timedelta(hours=h), "Value": float(100 + h),
             "Dimensions": [{"Name": "ReplicationInstanceIdentifier", "Value": "ri"},
                            {"Name": "ReplicationTaskIdentifier", "Value": "TASKID"}]} for h in range(hours)]
    cw.put_metric_data(Namespace="AWS/DMS", MetricData=data)
    return end


def test_get_metric_data_over_cbor(endpoint, account, client):
    cw = client("cloudwatch")
    now = datetime.now(UTC)
    end = seed_points(cw, now)
    status, headers, raw = cbor_call(endpoint, account, "GetMetricData", {
        "MetricDataQueries": [{"Id": "q1", "MetricStat": {"Metric": {
            "Namespace": "AWS/DMS", "MetricName": "CDCIncomingChanges",
            "Dimensions": [{"Name": "ReplicationInstanceIdentifier", "Value": "ri"},
                           {"Name": "ReplicationTaskIdentifier", "Value": "TASKID"}]},
            "Period": 3600, "Stat": "Sum"}}],
        "StartTime": end - timedelta(hours=40), "EndTime": end + timedelta(hours=1),
    })
    assert status == 200, raw
    assert headers.get("smithy-protocol") == "rpc-v2-cbor"
    # Timestamps travel as CBOR tag 1 (epoch), values as floating point.
    # (cbor2 decodes tags 0 and 1 to datetimes alike; 0xC1 0x1A is tag 1 on a 32-bit epoch.)
    result = cbor2.loads(raw)["MetricDataResults"][0]
    assert all(isinstance(t, datetime) and t.tzinfo for t in result["Timestamps"])
    assert b"\xc1\x1a" in raw
    assert len(result["Values"]) == 30
    assert all(isinstance(v, float) for v in result["Values"])
    assert sum(result["Values"]) == sum(100 + h for h in range(30))


def test_cbor_errors_have_smithy_shape(endpoint, account):
    status, headers, raw = cbor_call(endpoint, account, "GetMetricData", {"MetricDataQueries": []})
    assert status == 400
    error = cbor2.loads(raw)
    assert error["__type"] and "message" in error
    assert headers.get("smithy-protocol") == "rpc-v2-cbor"


def test_list_metrics_lists_each_metric_once(endpoint, account, client):
    cw = client("cloudwatch")
    seed_points(cw, datetime.now(UTC), hours=600)
    metrics = cw.list_metrics(Namespace="AWS/DMS")["Metrics"]
    assert len(metrics) == 1
    status, _, raw = cbor_call(endpoint, account, "ListMetrics", {"Namespace": "AWS/DMS"})
    assert status == 200 and len(cbor2.loads(raw)["Metrics"]) == 1
    filtered = cw.list_metrics(Namespace="AWS/DMS", Dimensions=[{"Name": "ReplicationTaskIdentifier"}])["Metrics"]
    assert len(filtered) == 1
    assert cw.list_metrics(Namespace="AWS/DMS", Dimensions=[{"Name": "Nope"}])["Metrics"] == []
