"""Fault and latency injection over the admin route."""

from __future__ import annotations

import concurrent.futures
import json
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError


def test_off_by_default(endpoint):
    with urllib.request.urlopen(f"{endpoint}/_dmsemu/faults", timeout=5) as resp:
        assert json.loads(resp.read()) == {"latency_ms": 0, "throttle_rate": 0.0, "error_rate": 0.0, "deny": [], "slow": [], "seed": None}


def test_access_denied_for_named_operations_only(client, faults):
    faults({"deny": ["dms:DescribeTableStatistics", "DescribeKey"]})
    dms = client("dms")
    with pytest.raises(ClientError) as err:
        dms.describe_table_statistics(ReplicationTaskArn="arn:aws:dms:us-east-1:1:task:x")
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "dms:DescribeTableStatistics" in err.value.response["Error"]["Message"]
    assert dms.describe_endpoints()["Endpoints"] == []


def test_access_denied_on_query_protocol(client, faults):
    faults({"deny": ["rds:*"]})
    with pytest.raises(ClientError) as err:
        client("rds").describe_db_instances()
    assert err.value.response["Error"]["Code"] == "AccessDenied"


def test_throttling_and_server_errors(client, faults):
    faults({"throttle_rate": 1.0})
    with pytest.raises(ClientError) as err:
        client("dms").describe_endpoints()
    assert err.value.response["Error"]["Code"] == "ThrottlingException"
    faults({"throttle_rate": 0.0, "error_rate": 1.0})
    with pytest.raises(ClientError) as err:
        client("dms").describe_endpoints()
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503


def test_latency_is_served_concurrently(client, faults):
    faults({"latency_ms": 800})
    dms = client("dms")
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: dms.describe_endpoints(), range(4)))
    elapsed = time.monotonic() - started
    # Serially this would take >= 3.2 s; overlapping sleeps take one latency plus overhead.
    assert 0.8 <= elapsed < 3.0


def test_bad_settings_are_refused(endpoint):
    req = urllib.request.Request(f"{endpoint}/_dmsemu/faults", data=b'{"latency": 5}', method="PUT")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 400
