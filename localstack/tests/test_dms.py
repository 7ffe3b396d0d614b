"""The DMS fixes: epoch timestamps, paging, AWS defaults, statuses, the operations moto lacks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError


def make_instance(dms, ident="ri-1", **kwargs):
    return dms.create_replication_instance(
        ReplicationInstanceIdentifier=ident, ReplicationInstanceClass="dms.t3.medium", **kwargs
    )["ReplicationInstance"]


def make_endpoint(dms, ident, kind="source", engine="postgres", **kwargs):
    return dms.create_endpoint(EndpointIdentifier=ident, EndpointType=kind, EngineName=engine,
                               ServerName="db.example.com", Port=5432, Username="u", Password="p", **kwargs)["Endpoint"]


def make_task(dms, ident="task-1"):
    ri = make_instance(dms, f"{ident}-ri")
    src = make_endpoint(dms, f"{ident}-src")
    tgt = make_endpoint(dms, f"{ident}-tgt", kind="target")
    return dms.create_replication_task(
        ReplicationTaskIdentifier=ident, SourceEndpointArn=src["EndpointArn"], TargetEndpointArn=tgt["EndpointArn"],
        ReplicationInstanceArn=ri["ReplicationInstanceArn"], MigrationType="full-load-and-cdc",
        TableMappings=json.dumps({"rules": []}),
    )["ReplicationTask"]


def raw_call(endpoint, account, target, body):
    """A raw awsJson call, to see the wire types boto3 would hide."""
    import urllib.request

    req = urllib.request.Request(endpoint, data=json.dumps(body).encode(), method="POST", headers={
        "X-Amz-Target": f"AmazonDMSv20160101.{target}",
        "Content-Type": "application/x-amz-json-1.1",
        "x-moto-account-id": account,
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/dms/aws4_request, SignedHeaders=host, Signature=0",
    })
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_timestamps_are_epoch_numbers_and_nulls_dropped(endpoint, account, client):
    make_instance(client("dms"))
    raw = raw_call(endpoint, account, "DescribeReplicationInstances", {})
    inst = raw["ReplicationInstances"][0]
    assert isinstance(inst["InstanceCreateTime"], (int, float))
    assert None not in inst.values()


def test_defaults_aws_fills_in(client):
    dms, kms = client("dms"), client("kms")
    inst = make_instance(dms)
    assert inst["PubliclyAccessible"] is True
    assert inst["ReplicationInstancePublicIpAddress"]
    assert inst["MultiAZ"] is False and inst["AutoMinorVersionUpgrade"] is True
    assert inst["EngineVersion"]
    key = kms.describe_key(KeyId=inst["KmsKeyId"])["KeyMetadata"]
    assert key["KeyManager"] == "AWS"
    aliases = kms.list_aliases(KeyId=key["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in aliases] == ["alias/aws/dms"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True

    ep = make_endpoint(dms, "ep-default")
    assert ep["SslMode"] == "none" and ep["Status"] == "active"
    assert ep["KmsKeyId"] == inst["KmsKeyId"]


def test_given_values_are_kept(client):
    inst = make_instance(client("dms"), PubliclyAccessible=False, MultiAZ=True, EngineVersion="3.5.3")
    assert (inst["PubliclyAccessible"], inst["MultiAZ"], inst["EngineVersion"]) == (False, True, "3.5.3")
    assert "ReplicationInstancePublicIpAddress" not in inst


def test_subnet_group_keeps_its_real_subnets(client):
    ec2, dms = client("ec2"), client("dms")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    dms.create_replication_subnet_group(ReplicationSubnetGroupIdentifier="g", ReplicationSubnetGroupDescription="d",
                                        SubnetIds=[subnet])
    group = dms.describe_replication_subnet_groups()["ReplicationSubnetGroups"][0]
    assert group["VpcId"] == vpc
    assert [s["SubnetIdentifier"] for s in group["Subnets"]] == [subnet]
    inst = make_instance(dms, ReplicationSubnetGroupIdentifier="g")
    assert inst["ReplicationSubnetGroup"]["VpcId"] == vpc


def test_task_lifecycle_statuses_and_honest_stats(client):
    dms = client("dms")
    task = make_task(dms)
    assert task["Status"] == "ready"
    assert task["ReplicationTaskStats"]["TablesLoaded"] == 0
    started = dms.start_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"],
                                         StartReplicationTaskType="start-replication")["ReplicationTask"]
    assert started["Status"] == "running"
    listed = dms.describe_replication_tasks(WithoutSettings=True)["ReplicationTasks"][0]
    assert "TableMappings" not in listed


def test_paging_follows_max_records_and_marker(client):
    dms = client("dms")
    for i in range(45):
        make_endpoint(dms, f"ep-{i:02d}")
    pages = list(dms.get_paginator("describe_endpoints").paginate(PaginationConfig={"PageSize": 20}))
    assert [len(p["Endpoints"]) for p in pages] == [20, 20, 5]
    ids = [e["EndpointIdentifier"] for p in pages for e in p["Endpoints"]]
    assert ids == [f"ep-{i:02d}" for i in range(45)]
    with pytest.raises(ClientError) as err:
        dms.describe_endpoints(Marker="not-a-marker")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_table_statistics_from_seeded_state(endpoint, account, client):
    import urllib.request

    dms = client("dms")
    task = make_task(dms)
    rows = [{"SchemaName": "s", "TableName": f"t{i}", "TableState": "Table completed", "FullLoadRows": i,
             "LastUpdateTime": "2026-01-02T03:04:05Z"} for i in range(30)]
    doc = {"account": account, "region": "us-east-1", "table_statistics": {task["ReplicationTaskArn"]: rows}}
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/_dmsemu/state/dms", data=json.dumps(doc).encode(),
                                                  method="POST"), timeout=10).read()
    pages = list(dms.get_paginator("describe_table_statistics").paginate(
        ReplicationTaskArn=task["ReplicationTaskArn"], PaginationConfig={"PageSize": 20}))
    assert sum(len(p["TableStatistics"]) for p in pages) == 30
    assert isinstance(pages[0]["TableStatistics"][0]["LastUpdateTime"], datetime)
    with pytest.raises(ClientError) as err:
        dms.describe_table_statistics(ReplicationTaskArn="arn:aws:dms:us-east-1:1:task:nope")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundFault"


def test_account_attributes_count_what_exists(client):
    dms = client("dms")
    make_instance(dms, AllocatedStorage=80)
    quotas = {q["AccountQuotaName"]: q for q in dms.describe_account_attributes()["AccountQuotas"]}
    assert quotas["ReplicationInstances"]["Used"] == 1
    assert quotas["AllocatedStorage"]["Used"] == 80
    assert quotas["Endpoints"]["Max"] == 1000


def test_certificates_import_and_describe(client):
    from dmsemu.seed import self_signed_pem

    dms = client("dms")
    now = datetime.now(UTC)
    pem = self_signed_pem("db.example.com", 10, 1, now)
    cert = dms.import_certificate(CertificateIdentifier="ca", CertificatePem=pem)["Certificate"]
    listed = dms.describe_certificates()["Certificates"]
    assert [c["CertificateArn"] for c in listed] == [cert["CertificateArn"]]
    assert listed[0]["ValidToDate"] > now + timedelta(days=8)
    with pytest.raises(ClientError) as err:
        dms.import_certificate(CertificateIdentifier="bad", CertificatePem="not a pem")
    assert err.value.response["Error"]["Code"] == "InvalidCertificateFault"


def test_serverless_replication_config_and_replications(client):
    dms = client("dms")
    src = make_endpoint(dms, "s-src")
    tgt = make_endpoint(dms, "s-tgt", kind="target", engine="redshift")
    config = dms.create_replication_config(
        ReplicationConfigIdentifier="cfg", SourceEndpointArn=src["EndpointArn"], TargetEndpointArn=tgt["EndpointArn"],
        ComputeConfig={"MaxCapacityUnits": 8}, ReplicationType="cdc", TableMappings="{}",
    )["ReplicationConfig"]
    assert config["ComputeConfig"]["KmsKeyId"].startswith("arn:aws:kms:")
    assert dms.describe_replications()["Replications"][0]["Status"] == "created"
    dms.start_replication(ReplicationConfigArn=config["ReplicationConfigArn"], StartReplicationType="start-replication")
    replication = dms.describe_replications()["Replications"][0]
    assert replication["Status"] == "running"
    assert isinstance(replication["ReplicationStats"]["StartDate"], datetime)
    assert dms.describe_replication_configs()["ReplicationConfigs"][0]["ReplicationConfigIdentifier"] == "cfg"


def test_a_serverless_config_is_modified_only_before_its_replication_starts(client):
    """DMS API Reference, ModifyReplicationConfig: only before any replication of it has
    started (or after one failed); then StopReplication dates the stop."""
    dms = client("dms")
    src = make_endpoint(dms, "m-src")
    other = make_endpoint(dms, "m-src-2")
    tgt = make_endpoint(dms, "m-tgt", kind="target", engine="redshift")
    arn = dms.create_replication_config(
        ReplicationConfigIdentifier="mod", SourceEndpointArn=src["EndpointArn"], TargetEndpointArn=tgt["EndpointArn"],
        ComputeConfig={"MaxCapacityUnits": 8}, ReplicationType="cdc", TableMappings="{}",
    )["ReplicationConfig"]["ReplicationConfigArn"]
    changed = dms.modify_replication_config(
        ReplicationConfigArn=arn, SourceEndpointArn=other["EndpointArn"], ComputeConfig={"MultiAZ": True},
    )["ReplicationConfig"]
    assert changed["SourceEndpointArn"] == other["EndpointArn"]
    assert changed["ComputeConfig"]["MultiAZ"] is True and changed["ComputeConfig"]["MaxCapacityUnits"] == 8
    dms.start_replication(ReplicationConfigArn=arn, StartReplicationType="start-replication")
    with pytest.raises(ClientError) as err:
        dms.modify_replication_config(ReplicationConfigArn=arn, SourceEndpointArn=src["EndpointArn"])
    assert err.value.response["Error"]["Code"] == "InvalidResourceStateFault"
    stopped = dms.stop_replication(ReplicationConfigArn=arn)["Replication"]
    assert stopped["Status"] == "stopped" and isinstance(stopped["ReplicationStats"]["StopDate"], datetime)
    with pytest.raises(ClientError):  # stopped is not enough: it has started once
        dms.modify_replication_config(ReplicationConfigArn=arn, ReplicationType="full-load")


def test_other_read_operations_answer(client):
    dms = client("dms")
    assert dms.describe_replication_task_assessment_runs()["ReplicationTaskAssessmentRuns"] == []
    assert dms.describe_migration_projects()["MigrationProjects"] == []
    assert dms.describe_data_providers()["DataProviders"] == []
    assert dms.describe_events(StartTime=datetime.now(UTC) - timedelta(days=14))["Events"] == []
    versions = dms.describe_engine_versions()["EngineVersions"]
    assert {"3.5.3", "3.5.4"} <= {v["Version"] for v in versions}


def test_lifecycle_calls_record_dms_events_as_dms_does(client):
    """Create, start, stop, modify and delete each record the event the DMS User Guide's
    event tables name (CHAP_Events), by identifier; a failed call records none."""
    dms = client("dms")
    task = make_task(dms, "ev")
    arn = task["ReplicationTaskArn"]
    dms.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    dms.stop_replication_task(ReplicationTaskArn=arn)
    dms.modify_replication_task(ReplicationTaskArn=arn, MigrationType="cdc")
    with pytest.raises(ClientError):
        dms.modify_replication_task(ReplicationTaskArn=arn + "-missing", MigrationType="cdc")
    dms.delete_replication_task(ReplicationTaskArn=arn)
    dms.delete_replication_instance(ReplicationInstanceArn=task["ReplicationInstanceArn"])
    events = dms.describe_events(StartTime=datetime.now(UTC) - timedelta(days=1))["Events"]
    seen = [(e["SourceType"], e["SourceIdentifier"], e["EventCategories"], e["Message"]) for e in events]
    assert seen == [
        ("replication-instance", "ev-ri", ["creation"], "A replication instance is created."),
        ("replication-task", "ev", ["creation"], "The replication task is created."),
        ("replication-task", "ev", ["state change"], "The replication task has started."),
        ("replication-task", "ev", ["state change"], "The replication task has stopped."),
        ("replication-task", "ev", ["configuration change"], "The replication task is modified."),
        ("replication-task", "ev", ["deletion"], "The replication task is deleted."),
        ("replication-instance", "ev-ri", ["deletion"], "The replication instance is deleted."),
    ]
    assert all(isinstance(e["Date"], datetime) for e in events)
    only = dms.describe_events(StartTime=datetime.now(UTC) - timedelta(days=1), SourceIdentifier="ev-ri")["Events"]
    assert len(only) == 2


def test_tags_batch_listing(client):
    dms = client("dms")
    a = make_endpoint(dms, "tag-a")
    b = make_endpoint(dms, "tag-b")
    dms.add_tags_to_resource(ResourceArn=a["EndpointArn"], Tags=[{"Key": "project", "Value": "x"}])
    dms.add_tags_to_resource(ResourceArn=b["EndpointArn"], Tags=[{"Key": "team", "Value": "y"}])
    tags = dms.list_tags_for_resource(ResourceArnList=[a["EndpointArn"], b["EndpointArn"]])["TagList"]
    assert {(t["ResourceArn"], t["Key"]) for t in tags} == {(a["EndpointArn"], "project"), (b["EndpointArn"], "team")}


def test_unimplemented_operation_is_a_json_error_not_html(client):
    dms = client("dms")
    with pytest.raises(ClientError) as err:
        dms.describe_orderable_replication_instances()
    assert err.value.response["Error"]["Code"] == "NotImplemented"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_rds_default_keys_as_aws(client):
    rds, kms = client("rds"), client("kms")
    db = rds.create_db_instance(DBInstanceIdentifier="enc", DBInstanceClass="db.t3.micro", Engine="postgres",
                                MasterUsername="u", MasterUserPassword="password1", AllocatedStorage=20,
                                StorageEncrypted=True)["DBInstance"]
    key = kms.describe_key(KeyId=db["KmsKeyId"])["KeyMetadata"]
    assert key["KeyManager"] == "AWS"
    assert [a["AliasName"] for a in kms.list_aliases(KeyId=key["KeyId"])["Aliases"]] == ["alias/aws/rds"]
    cluster = rds.create_db_cluster(DBClusterIdentifier="plain", Engine="aurora-mysql", MasterUsername="u",
                                    MasterUserPassword="password1")["DBCluster"]
    assert "KmsKeyId" not in cluster
    assert "KmsKeyId" not in rds.describe_db_clusters()["DBClusters"][0]


def test_schema_conversion_timestamps_are_iso8601(endpoint, account, client):
    import urllib.request

    doc = {"account": account, "region": "us-east-1", "migration_projects": [
        {"MigrationProjectName": "p", "MigrationProjectArn": "arn:aws:dms:us-east-1:1:migration-project:p",
         "MigrationProjectCreationTime": "2026-01-02T03:04:05Z"}]}
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/_dmsemu/state/dms", data=json.dumps(doc).encode(),
                                                  method="POST"), timeout=10).read()
    raw = raw_call(endpoint, account, "DescribeMigrationProjects", {})
    assert raw["MigrationProjects"][0]["MigrationProjectCreationTime"].startswith("2026-01-02T03:04:05")
