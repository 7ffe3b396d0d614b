"""CloudTrail event history and the DMS Modify operations, as AWS serves them.

Each write call through the emulator appears in LookupEvents for the caller's account and
region (CloudTrail API Reference, LookupEvents; CloudTrail User Guide, "CloudTrail record
contents"), with the limits AWS documents.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError


def _admin(endpoint: str, path: str, doc: dict) -> dict:
    req = urllib.request.Request(f"{endpoint}/_dmsemu/{path}", data=json.dumps(doc).encode(), method="POST")
    return json.loads(urllib.request.urlopen(req, timeout=10).read())


def _lookup(ct, **kwargs):
    """LookupEvents, waiting out the two-per-second limit."""
    time.sleep(0.5)
    return ct.lookup_events(**kwargs)


def _endpoint(dms, name: str = "src", ssl: str = "none") -> str:
    return dms.create_endpoint(
        EndpointIdentifier=name, EndpointType="source", EngineName="postgres", ServerName="198.51.100.1",
        Port=5432, DatabaseName="d", Username="admin", Password="s3cr3t-pass", SslMode=ssl,
    )["Endpoint"]["EndpointArn"]


def _dms_events(ct) -> list[dict]:
    out = _lookup(ct, LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "dms.amazonaws.com"}])
    return out["Events"]


def test_a_write_is_recorded_as_cloudtrail_records_it(client):
    dms, ct = client("dms"), client("cloudtrail")
    arn = _endpoint(dms)
    events = _dms_events(ct)
    assert [e["EventName"] for e in events] == ["CreateEndpoint"]
    event = events[0]
    assert event["ReadOnly"] == "false"
    assert {"ResourceType": "AWS::DMS::Endpoint", "ResourceName": arn} in event["Resources"]
    record = json.loads(event["CloudTrailEvent"])
    assert record["eventSource"] == "dms.amazonaws.com"
    assert record["eventName"] == "CreateEndpoint"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventCategory"] == "Management" and record["managementEvent"] is True
    assert record["userIdentity"]["type"] == "AssumedRole"
    params = record["requestParameters"]
    assert params["engineName"] == "postgres" and params["sslMode"] == "none"
    assert params["password"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert "s3cr3t-pass" not in event["CloudTrailEvent"]
    assert record["responseElements"]["endpoint"]["endpointArn"] == arn
    # Reads are not write events; other regions hold their own history.
    dms.describe_endpoints()
    assert len(_dms_events(ct)) == 1
    assert _dms_events(client("cloudtrail", "eu-west-1")) == []


def test_answer_times_are_written_as_cloudtrail_writes_them(client):
    # KMS Developer Guide, the CloudTrail log entry for CreateKey: an event at
    # 2022-08-10T22:38:27Z records `"creationDate": "Aug 10, 2022, 10:38:27 PM"`.
    from dmsemu.cloudtrail import cloudtrail_time

    assert cloudtrail_time(datetime(2022, 8, 10, 22, 38, 27, tzinfo=UTC)) == "Aug 10, 2022, 10:38:27 PM"
    assert cloudtrail_time(datetime(2026, 1, 1, 0, 5, tzinfo=UTC)) == "Jan 1, 2026, 12:05:00 AM"
    kms, ct = client("kms"), client("cloudtrail")
    created = kms.create_key()["KeyMetadata"]["CreationDate"]
    [event] = _lookup(ct, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateKey"}])["Events"]
    written = json.loads(event["CloudTrailEvent"])["responseElements"]["keyMetadata"]["creationDate"]
    assert written == cloudtrail_time(created.astimezone(UTC))


def test_switching_a_store_s_encryption_on_is_recorded_with_its_parameters(client):
    """What collect looks up (EventName) to see a target store encrypted after a run: a
    Redshift ModifyCluster with `encrypted`, a Kinesis StartStreamEncryption."""
    redshift, kinesis, ct = client("redshift"), client("kinesis"), client("cloudtrail")
    redshift.create_cluster(ClusterIdentifier="dw", NodeType="ra3.xlplus", MasterUsername="admin",
                            MasterUserPassword="Secret-pass1", ClusterType="single-node")
    redshift.modify_cluster(ClusterIdentifier="dw", Encrypted=True)
    assert redshift.describe_clusters(ClusterIdentifier="dw")["Clusters"][0]["Encrypted"] is True
    kinesis.create_stream(StreamName="cdc", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="cdc", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    found = {}
    for name in ("ModifyCluster", "StartStreamEncryption"):
        events = _lookup(ct, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
        assert [e["EventName"] for e in events] == [name]
        found[name] = json.loads(events[0]["CloudTrailEvent"])["requestParameters"]
    assert found["ModifyCluster"]["clusterIdentifier"] == "dw" and found["ModifyCluster"]["encrypted"] is True
    assert found["StartStreamEncryption"]["streamName"] == "cdc"


def test_a_store_is_dated_by_the_call_that_created_it(client, endpoint, account):
    """AWS dates a database or store by the call that made it; a scenario's clock moves
    that call into the past, so a store made "60 days ago" says so (collect compares it
    with the run's dates: one created again after a run is not what the run wrote to)."""
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "us-east-1", "clock": "-60d"})
    redshift, rds, kinesis, dynamodb = client("redshift"), client("rds"), client("kinesis"), client("dynamodb")
    redshift.create_cluster(ClusterIdentifier="dw", NodeType="ra3.xlplus", MasterUsername="admin",
                            MasterUserPassword="Secret-pass1", ClusterType="single-node")
    rds.create_db_instance(DBInstanceIdentifier="db", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="admin", MasterUserPassword="Secret-pass1", AllocatedStorage=20)
    kinesis.create_stream(StreamName="cdc", ShardCount=1)
    dynamodb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "us-east-1", "clock": "now"})
    rds.create_db_instance(DBInstanceIdentifier="fresh", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="admin", MasterUserPassword="Secret-pass1", AllocatedStorage=20)
    created = {
        "redshift": redshift.describe_clusters(ClusterIdentifier="dw")["Clusters"][0]["ClusterCreateTime"],
        "rds": rds.describe_db_instances(DBInstanceIdentifier="db")["DBInstances"][0]["InstanceCreateTime"],
        "kinesis": kinesis.describe_stream_summary(StreamName="cdc")["StreamDescriptionSummary"][
            "StreamCreationTimestamp"],
        "dynamodb": dynamodb.describe_table(TableName="orders")["Table"]["CreationDateTime"],
    }
    now = datetime.now(UTC)
    for service, when in created.items():
        age = now - when.astimezone(UTC)
        assert timedelta(days=60) - timedelta(minutes=5) < age < timedelta(days=60, minutes=5), (service, when)
    fresh = rds.describe_db_instances(DBInstanceIdentifier="fresh")["DBInstances"][0]["InstanceCreateTime"]
    assert now - fresh.astimezone(UTC) < timedelta(minutes=5)


def test_a_rest_call_is_recorded_with_its_path_and_body_members(client):
    """OpenSearch is a REST service: the domain name is in the path, the options in the
    body; CloudTrail records both (collect looks up UpdateDomainConfig and CreateDomain)."""
    opensearch, ct = client("opensearch"), client("cloudtrail")
    opensearch.create_domain(DomainName="search", EngineVersion="OpenSearch_2.11",
                             EncryptionAtRestOptions={"Enabled": False})
    opensearch.update_domain_config(DomainName="search", EncryptionAtRestOptions={"Enabled": True})
    found = {}
    for name in ("CreateDomain", "UpdateDomainConfig"):
        events = _lookup(ct, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
        assert [e["EventName"] for e in events] == [name]
        found[name] = json.loads(events[0]["CloudTrailEvent"])["requestParameters"]
    assert found["CreateDomain"]["domainName"] == "search"
    assert found["CreateDomain"]["encryptionAtRestOptions"] == {"enabled": False}
    assert found["UpdateDomainConfig"]["domainName"] == "search"
    assert found["UpdateDomainConfig"]["encryptionAtRestOptions"] == {"enabled": True}
    # Each section of the domain's configuration has its Status, as AWS answers it.
    config = opensearch.describe_domain_config(DomainName="search")["DomainConfig"]
    status = config["EncryptionAtRestOptions"]["Status"]
    assert status["State"] == "Active" and status["UpdateDate"] >= status["CreationDate"]
    assert config["EncryptionAtRestOptions"]["Options"]["Enabled"] is True


def test_modify_operations_update_the_resource_and_are_recorded(client):
    dms, ct = client("dms"), client("cloudtrail")
    arn = _endpoint(dms)
    modified = dms.modify_endpoint(EndpointArn=arn, SslMode="verify-full", ServerName="db.example.org")["Endpoint"]
    assert (modified["SslMode"], modified["ServerName"]) == ("verify-full", "db.example.org")
    described = dms.describe_endpoints()["Endpoints"][0]
    assert described["SslMode"] == "verify-full"
    instance = dms.create_replication_instance(
        ReplicationInstanceIdentifier="ri", ReplicationInstanceClass="dms.t3.medium", PubliclyAccessible=False,
    )["ReplicationInstance"]["ReplicationInstanceArn"]
    target = dms.create_endpoint(EndpointIdentifier="tgt", EndpointType="target", EngineName="postgres",
                                 ServerName="t.example.org", Port=5432, DatabaseName="d")["Endpoint"]["EndpointArn"]
    task = dms.create_replication_task(
        ReplicationTaskIdentifier="t", SourceEndpointArn=arn, TargetEndpointArn=target,
        ReplicationInstanceArn=instance, MigrationType="full-load",
        TableMappings='{"rules": []}',
    )["ReplicationTask"]["ReplicationTaskArn"]
    changed = dms.modify_replication_task(ReplicationTaskArn=task, MigrationType="full-load-and-cdc")["ReplicationTask"]
    assert changed["MigrationType"] == "full-load-and-cdc"
    resized = dms.modify_replication_instance(ReplicationInstanceArn=instance, ReplicationInstanceClass="dms.r5.large")
    assert resized["ReplicationInstance"]["ReplicationInstanceArn"] == instance
    names = [e["EventName"] for e in _dms_events(ct)]
    assert names[:3] == ["ModifyReplicationInstance", "ModifyReplicationTask", "CreateReplicationTask"]
    assert "ModifyEndpoint" in names
    with pytest.raises(ClientError) as err:
        dms.modify_endpoint(EndpointArn=arn.replace(arn.rsplit(":", 1)[-1], "NOPE"), SslMode="require")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundFault"
    # The refused call is in the history too, with its error and no answer.
    failed = json.loads(_dms_events(ct)[0]["CloudTrailEvent"])
    assert failed["eventName"] == "ModifyEndpoint"
    assert failed["errorCode"] == "ResourceNotFoundFault" and failed["errorMessage"]
    assert failed["responseElements"] is None


def test_lookup_pages_filters_and_limits_as_aws_documents(client):
    dms, ct = client("dms"), client("cloudtrail")
    for i in range(3):
        _endpoint(dms, f"e{i}")
    first = _lookup(ct, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateEndpoint"}],
                    MaxResults=2)
    assert len(first["Events"]) == 2 and first["NextToken"]
    rest = _lookup(ct, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateEndpoint"}],
                   MaxResults=2, NextToken=first["NextToken"])
    assert len(rest["Events"]) == 1 and "NextToken" not in rest
    # Newest first.
    times = [e["EventTime"] for e in first["Events"] + rest["Events"]]
    assert times == sorted(times, reverse=True)
    cases: list[tuple[dict, str]] = [
        ({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "a"},
                               {"AttributeKey": "EventSource", "AttributeValue": "b"}]},
         "InvalidLookupAttributesException"),
        ({"StartTime": datetime.now(UTC), "EndTime": datetime.now(UTC) - timedelta(days=1)},
         "InvalidTimeRangeException"),
        ({"NextToken": "bm90LWEtdG9rZW4="}, "InvalidNextTokenException"),
    ]
    for bad, code in cases:
        with pytest.raises(ClientError) as err:
            _lookup(ct, **bad)
        assert err.value.response["Error"]["Code"] == code, bad


def test_more_than_two_lookups_a_second_are_throttled(client):
    ct = client("cloudtrail")
    # Three lookups within one second: on a busy machine they may take longer, and then
    # the third is rightly not throttled; try again (a rate is about time, measured here).
    for _ in range(5):
        time.sleep(1.1)
        began, codes = time.monotonic(), []
        for _ in range(3):
            try:
                ct.lookup_events(MaxResults=1)
                codes.append("ok")
            except ClientError as err:
                codes.append(err.response["Error"]["Code"])
        if time.monotonic() - began < 1.0:
            break
    else:
        pytest.fail("three lookups never fit in one second: the machine is too busy to test the rate")
    assert codes == ["ok", "ok", "ThrottlingException"]


def test_the_clock_dates_history_in_the_past_and_90_days_are_kept(endpoint, account, client):
    dms, ct = client("dms"), client("cloudtrail")
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "us-east-1", "clock": "-60d"})
    _endpoint(dms, "old")
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "us-east-1", "clock": "-100d"})
    _endpoint(dms, "too-old")
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "us-east-1", "clock": "now"})
    events = _dms_events(ct)
    assert len(events) == 1, "the event of 100 days ago is past event history's 90 days"
    age = datetime.now(UTC) - events[0]["EventTime"]
    assert timedelta(days=59) < age < timedelta(days=61)
    with pytest.raises(urllib.error.HTTPError):
        _admin(endpoint, "state/cloudtrail", {"account": account, "region": "us-east-1", "clock": "yesterday"})


def _trail_records(s3, bucket: str, prefix: str = "") -> list[tuple[str, dict]]:
    """Every record of every log file in the bucket, with the file's key."""
    out: list[tuple[str, dict]] = []
    for obj in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
        body = gzip.decompress(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
        out.extend((obj["Key"], r) for r in json.loads(body)["Records"])
    return out


def test_a_logging_trail_delivers_log_files_to_its_bucket_past_event_history(endpoint, account, client):
    s3, ct, dms = client("s3"), client("cloudtrail"), client("dms", "eu-west-1")
    s3.create_bucket(Bucket="trail-logs")
    ct.create_trail(Name="main", S3BucketName="trail-logs", S3KeyPrefix="ct", IsMultiRegionTrail=True)
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "eu-west-1", "clock": "-120d"})
    _endpoint(dms, "before-logging")
    ct.start_logging(Name="main")
    arn = _endpoint(dms, "logged", ssl="verify-full")
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "eu-west-1", "clock": "now"})
    ct.stop_logging(Name="main")
    _endpoint(dms, "after-logging")
    records = _trail_records(s3, "trail-logs")
    names = [(r["eventSource"], r["eventName"]) for _, r in records]
    # Only what happened while it logged, StartLogging and StopLogging included.
    assert ("dms.amazonaws.com", "CreateEndpoint") in names
    assert ("cloudtrail.amazonaws.com", "StartLogging") in names
    assert ("cloudtrail.amazonaws.com", "StopLogging") in names
    created = [r for _, r in records if r["eventName"] == "CreateEndpoint"]
    assert [r["requestParameters"]["endpointIdentifier"] for r in created] == ["logged"]
    key, record = next((k, r) for k, r in records if r["eventName"] == "CreateEndpoint")
    assert record["responseElements"]["endpoint"]["endpointArn"] == arn
    assert record["requestParameters"]["password"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    day = datetime.fromisoformat(record["eventTime"])
    assert timedelta(days=119) < datetime.now(UTC) - day < timedelta(days=121)
    assert key.startswith(f"ct/AWSLogs/{account}/CloudTrail/eu-west-1/{day:%Y/%m/%d}/{account}_CloudTrail_eu-west-1_")
    assert key.endswith(".json.gz")
    # Event history no longer holds the call of 120 days ago; the trail does.
    assert _dms_events(client("cloudtrail", "eu-west-1"))[0]["EventName"] == "CreateEndpoint"
    assert len(_dms_events(client("cloudtrail", "eu-west-1"))) == 1


def test_a_validating_trail_signs_hourly_digest_files_chained_to_each_other(endpoint, account, client):
    """Digest files as the AWS CLI's `cloudtrail validate-logs` checks them: signed
    SHA256withRSA with the key ListPublicKeys gives, each listing the SHA-256 of its log
    files' uncompressed content and naming the previous digest and its signature."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    s3, ct, dms = client("s3"), client("cloudtrail"), client("dms", "eu-west-1")
    s3.create_bucket(Bucket="signed-logs")
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "us-east-1", "clock": "-5h"})
    ct.create_trail(Name="main", S3BucketName="signed-logs", IsMultiRegionTrail=True, EnableLogFileValidation=True)
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "eu-west-1", "clock": "-5h"})
    ct.start_logging(Name="main")
    _endpoint(dms, "signed", ssl="verify-full")
    _admin(endpoint, "state/cloudtrail", {"account": account, "region": "eu-west-1", "clock": "now"})
    listed = s3.list_objects_v2(Bucket="signed-logs", Prefix=f"AWSLogs/{account}/CloudTrail-Digest/eu-west-1/")
    keys = sorted(o["Key"] for o in listed.get("Contents", []))
    # One digest an hour, empty hours too, from the first log file to now.
    assert 4 <= len(keys) <= 5, keys
    assert all("_CloudTrail-Digest_eu-west-1_main_us-east-1_" in k for k in keys)
    # The key of the region whose digests these are (the CLI asks that region).
    regional = client("cloudtrail", "eu-west-1")
    pub = regional.list_public_keys(StartTime=datetime.now(UTC) - timedelta(days=1))["PublicKeyList"]
    by_print = {}
    for k in pub:
        loaded = serialization.load_der_public_key(k["Value"])
        assert isinstance(loaded, rsa.RSAPublicKey)
        by_print[k["Fingerprint"]] = loaded
    previous_signature, files = None, []
    for key in keys:
        obj = s3.get_object(Bucket="signed-logs", Key=key)
        raw = gzip.decompress(obj["Body"].read())
        doc = json.loads(raw)
        signature = obj["Metadata"]["signature"]
        assert obj["Metadata"]["signature-algorithm"] == "SHA256withRSA"
        assert (doc["digestS3Bucket"], doc["digestS3Object"]) == ("signed-logs", key)
        assert doc["previousDigestSignature"] == previous_signature
        to_sign = (f"{doc['digestEndTime']}\nsigned-logs/{key}\n{hashlib.sha256(raw).hexdigest()}\n"
                   f"{previous_signature or 'null'}")
        by_print[doc["digestPublicKeyFingerprint"]].verify(
            bytes.fromhex(signature), to_sign.encode(), padding.PKCS1v15(), hashes.SHA256())
        files.extend(doc["logFiles"])
        previous_signature = signature
    assert files, "the log files of the hour they were delivered in"
    for f in files:
        body = gzip.decompress(s3.get_object(Bucket=f["s3Bucket"], Key=f["s3Object"])["Body"].read())
        assert hashlib.sha256(body).hexdigest() == f["hashValue"]
    assert any("CloudTrail/eu-west-1/" in f["s3Object"] for f in files)
