"""AWS Config's configuration history of DMS endpoints, recorded while a recorder records
the type, as the AWS Config API Reference describes ListDiscoveredResources and
GetResourceConfigHistory."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

TYPE = "AWS::DMS::Endpoint"


def _clock(endpoint: str, account: str, clock: str, region: str = "us-east-1") -> None:
    doc = {"account": account, "region": region, "clock": clock}
    req = urllib.request.Request(f"{endpoint}/_dmsemu/state/cloudtrail", data=json.dumps(doc).encode(), method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def _recorder(client, account: str, group: dict | None = None, mode: dict | None = None) -> None:
    cfg, s3 = client("config"), client("s3")
    bucket = f"config-{account}"
    s3.create_bucket(Bucket=bucket)
    recorder: dict = {"name": "default", "roleARN": "arn:aws:iam::123456789012:role/config",
                      "recordingGroup": group or {"allSupported": True}}
    if mode:
        recorder["recordingMode"] = mode
    cfg.put_configuration_recorder(ConfigurationRecorder=recorder)
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")


def _endpoint(dms, name: str, ssl: str = "none") -> str:
    return dms.create_endpoint(EndpointIdentifier=name, EndpointType="source", EngineName="postgres",
                               ServerName="198.51.100.7", Port=5432, DatabaseName="app", Username="u",
                               Password="secret", SslMode=ssl,
                               PostgreSQLSettings={"HeartbeatEnable": True})["Endpoint"]["EndpointArn"]


def _history(cfg, arn: str, **kw) -> list[dict]:
    return cfg.get_resource_config_history(resourceType=TYPE, resourceId=arn, **kw)["configurationItems"]


def test_each_change_of_a_recorded_endpoint_is_an_item_dated_by_its_call(client, endpoint, account):
    dms, cfg = client("dms"), client("config")
    _clock(endpoint, account, "-50d")
    _recorder(client, account)
    _clock(endpoint, account, "-40d")
    arn = _endpoint(dms, "src")
    _clock(endpoint, account, "-30d")
    dms.modify_endpoint(EndpointArn=arn, SslMode="require")
    dms.modify_endpoint(EndpointArn=arn, SslMode="require")  # no change: no item
    _clock(endpoint, account, "-20d")
    dms.delete_endpoint(EndpointArn=arn)
    _clock(endpoint, account, "now")

    items = _history(cfg, arn, chronologicalOrder="Forward")
    assert [i["configurationItemStatus"] for i in items] == ["ResourceDiscovered", "OK", "ResourceDeleted"]
    assert [json.loads(i["configuration"])["SslMode"] for i in items[:2]] == ["none", "require"]
    assert "configuration" not in items[2]
    first = json.loads(items[0]["configuration"])
    assert (first["EngineName"], first["ServerName"], first["Port"], first["EndpointType"]) == (
        "postgres", "198.51.100.7", 5432, "source")
    assert "Password" not in first
    # Engine settings under the CloudFormation type's names, as the resource schema has them.
    assert first["PostgreSqlSettings"]["HeartbeatEnable"] is True
    assert all(i["recordingFrequency"] == "CONTINUOUS" and i["arn"] == arn for i in items)
    days = [(items[-1]["configurationItemCaptureTime"] - i["configurationItemCaptureTime"]).days for i in items]
    assert days == [20, 10, 0]
    # Newest first by default; the time range and paging as the API Reference has them.
    assert _history(cfg, arn)[0]["configurationItemStatus"] == "ResourceDeleted"
    page = cfg.get_resource_config_history(resourceType=TYPE, resourceId=arn, limit=1, chronologicalOrder="Forward")
    assert len(page["configurationItems"]) == 1 and page["nextToken"]
    rest = _history(cfg, arn, limit=5, chronologicalOrder="Forward", nextToken=page["nextToken"])
    assert len(rest) == 2
    assert len(_history(cfg, arn, laterTime=items[1]["configurationItemCaptureTime"])) == 2

    listed = cfg.list_discovered_resources(resourceType=TYPE)["resourceIdentifiers"]
    assert listed == []  # deleted: listed only when asked for
    listed = cfg.list_discovered_resources(resourceType=TYPE, includeDeletedResources=True)["resourceIdentifiers"]
    assert [(r["resourceId"], r["resourceName"]) for r in listed] == [(arn, "src")]
    assert listed[0]["resourceDeletionTime"] == items[2]["configurationItemCaptureTime"]


def test_nothing_is_recorded_while_the_recorder_is_stopped_or_excludes_the_type(client, endpoint, account):
    dms, cfg = client("dms"), client("config")
    _clock(endpoint, account, "-50d")
    _recorder(client, account, group={"allSupported": False, "resourceTypes": ["AWS::RDS::DBInstance"]})
    arn = _endpoint(dms, "src")
    with pytest.raises(ClientError) as err:
        _history(cfg, arn)
    assert err.value.response["Error"]["Code"] == "ResourceNotDiscoveredException"
    # Recording it from -30d on: discovery records it as it is then; a stop leaves a hole.
    _clock(endpoint, account, "-30d")
    cfg.stop_configuration_recorder(ConfigurationRecorderName="default")
    cfg.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": "arn:aws:iam::123456789012:role/config",
        "recordingGroup": {"allSupported": False, "resourceTypes": [TYPE]},
        "recordingMode": {"recordingFrequency": "CONTINUOUS",
                          "recordingModeOverrides": [{"recordingFrequency": "DAILY", "resourceTypes": [TYPE]}]}})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    _clock(endpoint, account, "-20d")
    cfg.stop_configuration_recorder(ConfigurationRecorderName="default")
    dms.modify_endpoint(EndpointArn=arn, SslMode="require")
    _clock(endpoint, account, "-10d")
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    _clock(endpoint, account, "now")

    items = _history(cfg, arn, chronologicalOrder="Forward")
    assert [(i["configurationItemStatus"], json.loads(i["configuration"])["SslMode"]) for i in items] == [
        ("ResourceDiscovered", "none"), ("OK", "require")]
    assert {i["recordingFrequency"] for i in items} == {"DAILY"}
    # The recorder's last start and stop as CloudTrail dated them.
    status = cfg.describe_configuration_recorder_status()["ConfigurationRecordersStatus"][0]
    assert status["recording"] is True and status["lastStatus"] == "Success"
    assert (status["lastStartTime"] - status["lastStopTime"]).days == 10
    assert items[1]["configurationItemCaptureTime"] == status["lastStartTime"]
    mode = cfg.describe_configuration_recorders()["ConfigurationRecorders"][0]["recordingMode"]
    assert mode["recordingModeOverrides"][0]["recordingFrequency"] == "DAILY"


def test_other_resource_types_are_still_moto_s(client, endpoint, account):
    cfg = client("config")
    with pytest.raises(ClientError) as err:
        cfg.get_resource_config_history(resourceType="AWS::S3::Bucket", resourceId="nope")
    assert err.value.response["Error"]["Code"] == "ResourceNotDiscoveredException"
    with pytest.raises(ClientError) as err:
        cfg.get_resource_config_history(resourceType=TYPE, resourceId="arn:aws:dms:us-east-1:1:endpoint:NOPE",
                                        limit=101)
    assert err.value.response["Error"]["Code"] in ("InvalidLimitException", "ValidationException")


def test_the_retention_configuration_is_one_a_region(client, account):
    """PutRetentionConfiguration creates or modifies the one named `default` (AWS Config API
    Reference); the 30..2557 day range is the SDK's to check (botocore's model)."""
    cfg = client("config")
    assert cfg.describe_retention_configurations()["RetentionConfigurations"] == []
    cfg.put_retention_configuration(RetentionPeriodInDays=365)
    cfg.put_retention_configuration(RetentionPeriodInDays=400)
    assert cfg.describe_retention_configurations()["RetentionConfigurations"] == [
        {"Name": "default", "RetentionPeriodInDays": 400}]
