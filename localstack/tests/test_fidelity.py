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


def test_a_named_resource_identifier_ends_the_arn(client):
    # DMS API Reference, CreateReplicationTask ResourceIdentifier: "A friendly name for the
    # resource identifier at the end of the EndpointArn response parameter"; moto ends a
    # task's ARN with its identifier instead.
    dms = client("dms")
    task = dms.create_replication_task(
        ReplicationTaskIdentifier="named-task", SourceEndpointArn=_endpoint(dms, "s", "source"),
        TargetEndpointArn=_endpoint(dms, "t", "target"), ReplicationInstanceArn=_instance(dms, "ri-named"),
        MigrationType="full-load", TableMappings=json.dumps({"rules": []}),
        ReplicationTaskSettings=json.dumps({"Logging": {"EnableLogging": True}}),
        ResourceIdentifier="ErpMigration2025",
    )["ReplicationTask"]
    assert task["ReplicationTaskArn"].endswith(":task:ErpMigration2025")
    [listed] = dms.describe_replication_tasks()["ReplicationTasks"]
    assert listed["ReplicationTaskArn"] == task["ReplicationTaskArn"]
    settings = json.loads(listed["ReplicationTaskSettings"])
    assert settings["Logging"]["CloudWatchLogStream"] == "dms-task-ErpMigration2025"


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
             "namespaces": [{"namespaceName": "warehouse", "kmsKeyId": "AWS_OWNED_KMS_KEY"}],
             "workgroups": [{"workgroupName": "bi-wg", "namespaceName": "warehouse",
                             "endpoint": {"address": "bi.x", "port": 5439}}]}
    req = urllib.request.Request(f"{endpoint}/_dmsemu/state/redshift-serverless", data=json.dumps(state).encode(),
                                 method="POST")
    urllib.request.urlopen(req, timeout=10).read()
    rs = client("redshift-serverless")
    assert [n["namespaceName"] for n in rs.list_namespaces()["namespaces"]] == ["warehouse"]
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


def _shape(service: str, name: str):
    from dmsemu import shapes

    return shapes.service_model(service).shape_for(name)


@pytest.mark.parametrize(
    ("service", "shape", "answer", "found"),
    [
        # As AWS answers: nothing to report.
        ("kms", "KeyMetadata", {"KeyId": "k", "KeyManager": "CUSTOMER", "MultiRegion": False}, []),
        # A member the model does not have (the name moto once served assessment progress under).
        ("dms", "ReplicationTaskAssessmentRun", {"ReplicationTaskAssessmentRunProgress": {}},
         ["member ReplicationTaskAssessmentRunProgress is not in ReplicationTaskAssessmentRun"]),
        # A null where AWS leaves the member out.
        ("kms", "KeyMetadata", {"KeyId": "k", "SigningAlgorithms": None}, ["SigningAlgorithms is null"]),
        # A value outside the enum, and a documented wider one.
        ("kms", "KeyMetadata", {"KeyId": "k", "KeyManager": "PARTNER"}, ["'PARTNER', not one of KeyManagerType"]),
        ("dms", "Event", {"SourceType": "replication-task"}, []),
        # A wrong type; an ISO-8601 timestamp where the shape says so.
        ("kms", "KeyMetadata", {"KeyId": "k", "Enabled": "yes"}, ["Enabled is str, the model says boolean"]),
        ("dms", "DataProvider", {"DataProviderCreationTime": "2026-01-01T00:00:00Z"}, []),
        # A required member missing; a string shorter than the model allows.
        ("kms", "KeyMetadata", {"Enabled": True}, ["required member KeyId is missing"]),
        ("redshift-serverless", "Workgroup", {"workgroupName": "bi"}, ["workgroupName has length 2"]),
        # List lengths and numeric ranges bound requests only (AWS answers [] and 0).
        ("kinesis", "EnhancedMetrics", {"ShardLevelMetrics": []}, []),
    ],
)
def test_answers_are_checked_against_the_output_shapes(service, shape, answer, found):
    from dmsemu import validate

    got = validate.answer_deviations(answer, _shape(service, shape), shape)
    assert len(got) == len(found), got
    for want, have in zip(found, got, strict=True):
        assert want in have, got


def test_moto_nulls_are_left_out_and_every_answer_read_here_is_like_aws(client, endpoint):
    """KMS DescribeKey and Logs DescribeLogGroups answered nulls through moto (MultiRegion,
    SigningAlgorithms, nextToken); AWS leaves such members out."""
    import urllib.request

    kms = client("kms")
    key = kms.create_key(Description="d")["KeyMetadata"]["KeyId"]
    kms.describe_key(KeyId=key)
    client("logs").describe_log_groups(logGroupNamePrefix="dms-tasks-")
    with urllib.request.urlopen(f"{endpoint}/_dmsemu/deviations", timeout=10) as answer:
        deviations = json.load(answer)["deviations"]
    assert not [d for d in deviations if d.startswith(("kms:", "logs:"))], deviations


def test_seeded_state_unlike_an_aws_answer_is_refused(endpoint, account):
    import urllib.error
    import urllib.request

    doc = {"account": account, "region": "us-east-1", "workgroups": [{"workgroupName": "bi"}]}
    req = urllib.request.Request(f"{endpoint}/_dmsemu/state/redshift-serverless", data=json.dumps(doc).encode(),
                                 method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert "workgroupName has length 2" in refused.value.read().decode()


def test_opensearch_service_software_is_where_aws_answers_it(client, endpoint):
    """moto serves ServiceSoftwareOptions' members inside SoftwareUpdateOptions (OpenSearch
    Service API Reference, DomainStatus)."""
    import urllib.request

    es = client("opensearch")
    es.create_domain(DomainName="search-logs")
    status = es.describe_domains(DomainNames=["search-logs"])["DomainStatusList"][0]
    assert set(status.get("SoftwareUpdateOptions", {})) <= {"AutoSoftwareUpdateEnabled"}
    assert "CurrentVersion" in status["ServiceSoftwareOptions"]
    with urllib.request.urlopen(f"{endpoint}/_dmsemu/deviations", timeout=10) as answer:
        deviations = json.load(answer)["deviations"]
    assert not [d for d in deviations if d.startswith("es:")], deviations


@pytest.mark.parametrize(
    ("statements", "required"),
    [
        ([{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}}], None),
        ([{"Effect": "Allow", "Action": "sts:AssumeRole",
           "Condition": {"StringEquals": {"sts:ExternalId": "agreed"}}}], ["agreed"]),
        ([{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
           "Condition": {"StringEquals": {"sts:ExternalId": ["a", "b"]}}}], ["a", "b"]),
        # A statement for another action does not matter; one Allow without it opens the role.
        ([{"Effect": "Allow", "Action": "sts:TagSession"},
          {"Effect": "Allow", "Action": "sts:AssumeRole"}], None),
    ],
)
def test_trust_policies_requiring_an_external_id(statements, required):
    assert iam_enforcement.external_ids({"Statement": statements}) == required


def test_a_redshift_cluster_created_again_answers_on_the_same_address(client):
    """The address's middle string belongs to the account and region, not the cluster
    (Amazon Redshift Management Guide, "Renaming a cluster")."""
    redshift = client("redshift")
    params = {"ClusterIdentifier": "dw", "NodeType": "ra3.xlplus", "MasterUsername": "admin",
              "MasterUserPassword": "Secret-pass1", "ClusterType": "single-node"}
    first = redshift.create_cluster(**params)["Cluster"]["Endpoint"]["Address"]
    other = redshift.create_cluster(**{**params, "ClusterIdentifier": "bi"})["Cluster"]["Endpoint"]["Address"]
    redshift.delete_cluster(ClusterIdentifier="dw", SkipFinalClusterSnapshot=True)
    again = redshift.create_cluster(**{**params, "Encrypted": True})["Cluster"]["Endpoint"]["Address"]
    assert again == first and first.startswith("dw.") and first.endswith(".us-east-1.redshift.amazonaws.com")
    assert other.split(".", 1)[1] == first.split(".", 1)[1]
    elsewhere = client("redshift", "eu-west-1").create_cluster(**params)["Cluster"]["Endpoint"]["Address"]
    assert elsewhere.split(".")[1] != first.split(".")[1]
