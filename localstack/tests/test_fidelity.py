"""The emulator behaves as real AWS does where moto 5.2.5 does not. Each case cites
the AWS reference it follows (see docs/emulator.md for the list and the deviations)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from dmsemu import iam as iam_enforcement

PG = {"EngineName": "postgres", "ServerName": "db.example.com", "Port": 5432, "DatabaseName": "app",
      "Username": "dms", "Password": "x"}


def _instance(dms, ident: str, **extra) -> str:
    return dms.create_replication_instance(
        ReplicationInstanceIdentifier=ident, ReplicationInstanceClass="dms.t3.medium", AllocatedStorage=20, **extra
    )["ReplicationInstance"]["ReplicationInstanceArn"]


def _endpoint(dms, ident: str, kind: str) -> str:
    return dms.create_endpoint(EndpointIdentifier=ident, EndpointType=kind, **PG)["Endpoint"]["EndpointArn"]


def test_endpoints_repeat_connection_details_in_engine_settings(client):
    # AWS repeats ServerName/Port/DatabaseName/Username inside the engine settings
    # object even when none were given (Terraform AWS provider reads them back from it).
    dms = client("dms")
    _endpoint(dms, "src", "source")
    [e] = dms.describe_endpoints()["Endpoints"]
    assert e["PostgreSQLSettings"]["ServerName"] == "db.example.com"
    assert e["PostgreSQLSettings"]["Port"] == 5432
    assert e["PostgreSQLSettings"]["DatabaseName"] == "app"
    assert "Password" not in e["PostgreSQLSettings"]


def test_arns_end_in_generated_resource_ids(client):
    # DMS API Reference, CreateReplicationTask ResourceIdentifier: without one, DMS
    # generates the value at the end of the ARN; task metrics and log streams use it.
    dms = client("dms")
    ri = _instance(dms, "my-instance")
    assert not ri.endswith(":my-instance")
    task = dms.create_replication_task(
        ReplicationTaskIdentifier="my-task", SourceEndpointArn=_endpoint(dms, "s", "source"),
        TargetEndpointArn=_endpoint(dms, "t", "target"), ReplicationInstanceArn=ri, MigrationType="full-load",
        TableMappings=json.dumps({"rules": []}),
        ReplicationTaskSettings=json.dumps({"Logging": {"EnableLogging": True}}),
    )["ReplicationTask"]
    rid = task["ReplicationTaskArn"].rsplit(":", 1)[-1]
    assert rid != "my-task" and len(rid) == 26 and rid.isupper()
    # DMS fills the log group and stream names itself ("Logging task settings").
    settings = json.loads(dms.describe_replication_tasks()["ReplicationTasks"][0]["ReplicationTaskSettings"])
    assert settings["Logging"]["CloudWatchLogStream"] == f"dms-task-{rid}"
    assert settings["Logging"]["CloudWatchLogGroup"] == "dms-tasks-my-instance"


def test_instances_are_not_all_in_zone_a(client):
    dms = client("dms", "eu-west-1")
    zones = set()
    for i in range(6):
        _instance(dms, f"ri-{i}")
    for inst in dms.describe_replication_instances()["ReplicationInstances"]:
        zones.add(inst["AvailabilityZone"])
    assert len(zones) > 1, zones


def test_max_records_outside_the_documented_range_is_refused(client):
    # DMS API Reference: "Constraints: Minimum 20, maximum 100."
    dms = client("dms")
    with pytest.raises(ClientError) as err:
        dms.describe_endpoints(MaxRecords=500)
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
    dms.describe_endpoints(MaxRecords=100)


def test_list_metrics_hides_metrics_without_data_for_two_weeks(client):
    # CloudWatch API Reference, ListMetrics: metrics with no new data in the past two
    # weeks do not appear; GetMetricData still returns their data (455 days hourly).
    # Deviation: PutMetricData here accepts old points so scenarios can express history.
    cw = client("cloudwatch")
    old = datetime.now(UTC) - timedelta(days=20)
    cw.put_metric_data(Namespace="AWS/DMS", MetricData=[
        {"MetricName": "CDCIncomingChanges", "Dimensions": [{"Name": "ReplicationTaskIdentifier", "Value": "OLD"}],
         "Timestamp": old, "Value": 5.0}])
    cw.put_metric_data(Namespace="AWS/DMS", MetricData=[
        {"MetricName": "CDCIncomingChanges", "Dimensions": [{"Name": "ReplicationTaskIdentifier", "Value": "NEW"}],
         "Timestamp": datetime.now(UTC), "Value": 5.0}])
    listed = {m["Dimensions"][0]["Value"] for m in cw.list_metrics(Namespace="AWS/DMS")["Metrics"]}
    assert listed == {"NEW"}
    data = cw.get_metric_data(
        MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": {
            "Namespace": "AWS/DMS", "MetricName": "CDCIncomingChanges",
            "Dimensions": [{"Name": "ReplicationTaskIdentifier", "Value": "OLD"}]}, "Period": 3600, "Stat": "Maximum"}}],
        StartTime=old - timedelta(hours=1), EndTime=old + timedelta(hours=2))
    assert data["MetricDataResults"][0]["Values"] == [5.0]


def test_aurora_instances_report_allocated_storage_1(client):
    # RDS API Reference, DBInstance.AllocatedStorage: Aurora instances report 1.
    rds = client("rds")
    rds.create_db_cluster(DBClusterIdentifier="c", Engine="aurora-postgresql", MasterUsername="u",
                          MasterUserPassword="password1")
    rds.create_db_instance(DBInstanceIdentifier="c-1", DBInstanceClass="db.r6g.large", Engine="aurora-postgresql",
                           DBClusterIdentifier="c")
    [db] = rds.describe_db_instances()["DBInstances"]
    assert db["AllocatedStorage"] == 1


def test_deprovisioned_serverless_statistics_answer_invalid_resource_state(client, endpoint, account):
    # DMS API Reference, DescribeReplicationTableStatistics errors: InvalidResourceStateFault.
    import urllib.request

    dms = client("dms")
    config = dms.create_replication_config(
        ReplicationConfigIdentifier="cfg", SourceEndpointArn=_endpoint(dms, "s", "source"),
        TargetEndpointArn=_endpoint(dms, "t", "target"), ComputeConfig={"MaxCapacityUnits": 4},
        ReplicationType="full-load", TableMappings=json.dumps({"rules": []}),
    )["ReplicationConfig"]["ReplicationConfigArn"]
    state = {"account": account, "region": "us-east-1",
             "replications": {config: {"ProvisionData": {"ProvisionState": "deprovisioned"}}}}
    req = urllib.request.Request(f"{endpoint}/_dmsemu/state/dms", data=json.dumps(state).encode(), method="POST")
    urllib.request.urlopen(req, timeout=10).read()
    with pytest.raises(ClientError) as err:
        dms.describe_replication_table_statistics(ReplicationConfigArn=config)
    assert err.value.response["Error"]["Code"] == "InvalidResourceStateFault"


def test_iam_policies_of_assumed_roles_are_enforced(client, endpoint, account):
    # IAM User Guide, "Policy evaluation logic": without an allow, a request is denied;
    # the operation -> action table is the project's (policies/operations.json).
    iam = client("iam")
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    iam.put_role_policy(RoleName="reader", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["dms:DescribeEndpoints", "dms:ListMigrationProjects"],
                       "Resource": "*"},
                      {"Effect": "Allow", "Action": "dms:DescribeMigrationProjects", "Resource": "*"}]}))
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/reader", RoleSessionName="tester")["Credentials"]
    dms = boto3.client("dms", endpoint_url=endpoint, region_name="us-east-1", config=Config(retries={"max_attempts": 1}),
                       aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"])
    dms.describe_endpoints()
    # DescribeMigrationProjects is authorised by dms:ListMigrationProjects, which is granted.
    dms.describe_migration_projects()
    with pytest.raises(ClientError) as err:
        dms.describe_replication_instances()
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "dms:DescribeReplicationInstances" in err.value.response["Error"]["Message"]


@pytest.mark.parametrize("documents, action, allowed", [
    ([{"Statement": [{"Effect": "Allow", "Action": "dms:Describe*"}]}], "dms:DescribeEndpoints", True),
    ([{"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Deny", "Action": "dms:*"}]}],
     "dms:DescribeEndpoints", False),
    ([{"Statement": {"Effect": "Allow", "NotAction": "iam:*"}}], "dms:DescribeEndpoints", True),
    ([{"Statement": [{"Effect": "Allow", "Action": ["dms:DescribeMigrationProjects"]}]}],
     "dms:ListMigrationProjects", False),
    ([], "kms:DescribeKey", False),
])
def test_policy_evaluation(documents, action, allowed):
    assert iam_enforcement.evaluate(documents, action) is allowed


def test_the_operation_table_names_the_real_actions():
    table = iam_enforcement.table()
    assert table[("dms", "DescribeMigrationProjects")] == "dms:ListMigrationProjects"
    assert table[("s3", "GetBucketEncryption")] == "s3:GetEncryptionConfiguration"


def test_redshift_serverless_lists_what_was_seeded(client, endpoint, account):
    import urllib.request

    state = {"account": account, "region": "us-east-1",
             "namespaces": [{"namespaceName": "w", "kmsKeyId": "AWS_OWNED_KMS_KEY"}],
             "workgroups": [{"workgroupName": "bi", "namespaceName": "w", "endpoint": {"address": "bi.x", "port": 5439}}]}
    req = urllib.request.Request(f"{endpoint}/_dmsemu/state/redshift-serverless", data=json.dumps(state).encode(),
                                 method="POST")
    urllib.request.urlopen(req, timeout=10).read()
    rs = client("redshift-serverless")
    assert [n["namespaceName"] for n in rs.list_namespaces()["namespaces"]] == ["w"]
    assert rs.list_workgroups()["workgroups"][0]["endpoint"]["address"] == "bi.x"


def test_requests_outside_the_model_are_refused(endpoint, session):
    # Every JSON/CBOR request is validated against botocore's model, as AWS does; the
    # collector's own requests pass this in every test that collects.
    kms = session.client("kms", endpoint_url=endpoint, region_name="us-east-1",
                         config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as err:
        kms.describe_key(KeyId="k" * 3000)
    assert err.value.response["Error"]["Code"] == "ValidationException"
    assert "KeyId" in err.value.response["Error"]["Message"]
    logs = session.client("logs", endpoint_url=endpoint, region_name="us-east-1",
                          config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as err:
        logs.describe_log_streams(logGroupName="g", limit=0)
    assert err.value.response["Error"]["Code"] == "ValidationException"
