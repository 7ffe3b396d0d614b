"""Cost Explorer's GetCostAndUsage, answering the DMS instance hours the account's
CloudTrail history shows, as the Cost Explorer API Reference describes the call."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, date, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

DMS = "AWS Database Migration Service"


def _clock(endpoint: str, account: str, region: str, clock: str) -> None:
    doc = {"account": account, "region": region, "clock": clock}
    req = urllib.request.Request(f"{endpoint}/_dmsemu/state/cloudtrail", data=json.dumps(doc).encode(), method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def _window(today: date) -> dict:
    months = today.year * 12 + today.month - 1 - 13
    return {"Start": date(months // 12, months % 12 + 1, 1).isoformat(), "End": today.isoformat()}


def _usage(ce, account: str, window: dict, key: str = "USAGE_TYPE") -> dict[str, float]:
    out = ce.get_cost_and_usage(
        TimePeriod=window, Granularity="MONTHLY", Metrics=["UsageQuantity"],
        Filter={"And": [{"Dimensions": {"Key": "SERVICE", "Values": [DMS]}},
                        {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [account]}}]},
        GroupBy=[{"Type": "DIMENSION", "Key": key}],
    )
    totals: dict[str, float] = {}
    for result in out["ResultsByTime"]:
        assert result["Total"] == {}
        for g in result["Groups"]:
            assert g["Metrics"]["UsageQuantity"]["Unit"] == "Hrs"
            totals[g["Keys"][0]] = totals.get(g["Keys"][0], 0.0) + float(g["Metrics"]["UsageQuantity"]["Amount"])
    return totals


def _instance(dms, name: str, cls: str, multi_az: bool = False) -> str:
    return dms.create_replication_instance(
        ReplicationInstanceIdentifier=name, ReplicationInstanceClass=cls, MultiAZ=multi_az,
    )["ReplicationInstance"]["ReplicationInstanceArn"]


def test_instance_hours_are_billed_by_class_and_region_as_their_history_ran(client, endpoint, account):
    dms, ce = client("dms"), client("ce")
    _clock(endpoint, account, "us-east-1", "-40d")
    arn = _instance(dms, "ri", "dms.t3.medium")
    _clock(endpoint, account, "us-east-1", "-20d")
    dms.modify_replication_instance(ReplicationInstanceArn=arn, ReplicationInstanceClass="dms.r5.large",
                                    ApplyImmediately=True)
    _clock(endpoint, account, "us-east-1", "-10d")
    dms.delete_replication_instance(ReplicationInstanceArn=arn)
    _clock(endpoint, account, "eu-west-2", "-5d")
    _instance(client("dms", "eu-west-2"), "ri2", "dms.c5.large", multi_az=True)
    _clock(endpoint, account, "eu-west-2", "now")
    _clock(endpoint, account, "us-east-1", "now")

    now = datetime.now(UTC)
    got = _usage(ce, account, _window(now.date()))
    if datetime.now(UTC).date() != now.date():
        pytest.skip("UTC midnight passed during the test: the billing horizon moved")
    assert set(got) == {"InstanceUsg:dms.t3.medium", "InstanceUsg:dms.r5.large", "EUW2-Multi-AZUsg:dms.c5.large"}
    assert got["InstanceUsg:dms.t3.medium"] == pytest.approx(480, abs=0.1)
    assert got["InstanceUsg:dms.r5.large"] == pytest.approx(240, abs=0.1)
    # Still running: billed up to the start of today, not beyond.
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    expected = (midnight - (now - timedelta(days=5))).total_seconds() / 3600
    assert got["EUW2-Multi-AZUsg:dms.c5.large"] == pytest.approx(expected, abs=0.1)
    # A filter on another linked account finds none of it.
    assert _usage(ce, "123456789012", _window(now.date())) == {}
    # REGION filters but does not group (the reference's GroupBy dimensions).
    with pytest.raises(ClientError) as err:
        _usage(ce, account, _window(now.date()), key="REGION")
    assert "dimension is invalid" in err.value.response["Error"]["Message"]


def test_months_are_answered_one_by_one_the_current_one_estimated(client, endpoint, account):
    ce = client("ce")
    today = datetime.now(UTC).date()
    window = _window(today)
    out = ce.get_cost_and_usage(TimePeriod=window, Granularity="MONTHLY", Metrics=["UsageQuantity"])
    if datetime.now(UTC).date() != today:
        pytest.skip("UTC midnight passed during the test")
    periods = out["ResultsByTime"]
    # 13 whole months, and the current one unless today is its first day (End is exclusive).
    current = today.day > 1
    assert len(periods) == 13 + current
    assert periods[0]["TimePeriod"]["Start"] == window["Start"]
    assert periods[-1]["TimePeriod"]["End"] == window["End"]
    assert [p["Estimated"] for p in periods] == [False] * 13 + [True] * current
    assert periods[0]["Total"]["UsageQuantity"] == {"Amount": "0", "Unit": "Hrs"}


@pytest.mark.parametrize(("period", "why"), [
    ({"Start": "2020-01-01", "End": "2020-02-01"}, "keeps 13 months"),
    ({"Start": "2026-02-01", "End": "2026-01-01"}, "must be before"),
    ({"Start": "2026-01-01", "End": "January"}, "is not a YYYY-MM-DD date"),
])
def test_a_period_it_cannot_answer_is_refused(client, period, why):
    with pytest.raises(ClientError) as err:
        client("ce").get_cost_and_usage(TimePeriod=period, Granularity="MONTHLY", Metrics=["UsageQuantity"])
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert why in err.value.response["Error"]["Message"]


def test_cost_metrics_are_not_invented(client):
    with pytest.raises(ClientError) as err:
        client("ce").get_cost_and_usage(TimePeriod=_window(datetime.now(UTC).date()), Granularity="MONTHLY",
                                        Metrics=["UnblendedCost"])
    assert err.value.response["Error"]["Code"] == "NotImplemented"


def test_its_answers_have_the_shape_of_aws(client, endpoint):
    client("ce").get_cost_and_usage(
        TimePeriod=_window(datetime.now(UTC).date()), Granularity="DAILY", Metrics=["UsageQuantity"],
        GroupBy=[{"Type": "DIMENSION", "Key": "USAGE_TYPE"}],
    )
    found = json.loads(urllib.request.urlopen(f"{endpoint}/_dmsemu/deviations", timeout=10).read())
    assert [d for d in found["deviations"] if d.startswith("ce")] == []
