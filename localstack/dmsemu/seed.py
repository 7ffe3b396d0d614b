"""Loads declarative scenario files (fixtures/scenarios/*.json) into a running emulator.

Everything AWS has an API for is created through that ordinary API with boto3
(KMS keys, VPCs, subnet groups, replication instances, endpoints, tasks, RDS,
CloudWatch metrics, log groups, IAM roles, serverless replication configs). Only
state AWS derives itself (table statistics, task stats and status, creation dates,
assessment runs, replications' progress, Schema Conversion projects, events,
account quotas) goes through the admin route `/_dmsemu/state/dms`.

Prints one JSON document: per account and region, the identifiers and ARNs created.
See docs/scenarios.md for the format.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import re
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import boto3
from botocore.config import Config

RELATIVE = re.compile(r"^(?P<sign>[-+])(?P<n>\d+(?:\.\d+)?)(?P<unit>[smhd])$")
REPEAT_TOKEN = re.compile(r"\{n(?:%(?P<mod>\d+))?(?::0(?P<width>\d+))?\}")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
SEEDER_ROLE = "dmsemu-seeder"
READONLY_ROLE = "dms-evidence-readonly"
POLICIES = Path(__file__).resolve().parents[2] / "policies"


T = TypeVar("T")


class ScenarioError(Exception):
    """A scenario file that cannot be loaded; says which file and where."""


# ---------------------------------------------------------------- helpers


def when(value: Any, now: datetime) -> str:
    """'-40d', '+2h', 'now' or an ISO timestamp, as ISO-8601 UTC."""
    if value == "now":
        return now.isoformat()
    if isinstance(value, str):
        match = RELATIVE.match(value)
        if match:
            delta = timedelta(**{UNITS[match["unit"]]: float(match["n"])})
            return (now - delta if match["sign"] == "-" else now + delta).isoformat()
    return value


def resolve_times(value: Any, now: datetime) -> Any:
    """Resolves relative times in every key that names a date or time."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(item, str) and re.search(r"(^Date|Date|Time|Timestamp)$|^Date", key):
                out[key] = when(item, now)
            else:
                out[key] = resolve_times(item, now)
        return out
    if isinstance(value, list):
        return [resolve_times(v, now) for v in value]
    return value


def _substitute(value: Any, n: int) -> Any:
    if isinstance(value, str):

        def repl(match: re.Match) -> str:
            number = n if not match["mod"] else (n - 1) % int(match["mod"]) + 1
            return str(number).zfill(int(match["width"] or 0))

        replaced = REPEAT_TOKEN.sub(repl, value)
        return int(replaced) if value.startswith("{n") and value.endswith("}") and replaced.isdigit() else replaced
    if isinstance(value, dict):
        return {k: _substitute(v, n) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, n) for v in value]
    return value


def expand(items: list[Any] | None) -> list[Any]:
    """Entries with "repeat": N become N entries, {n} / {n:03} / {n%K} substituted."""
    out: list[Any] = []
    for item in items or []:
        if isinstance(item, dict) and "repeat" in item:
            template = {k: v for k, v in item.items() if k != "repeat"}
            out.extend(_substitute(copy.deepcopy(template), n) for n in range(1, int(item["repeat"]) + 1))
        else:
            out.append(item)
    return out


def tags(mapping: dict | None) -> list[dict]:
    return [{"Key": k, "Value": str(v)} for k, v in (mapping or {}).items()]


def as_json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# ---------------------------------------------------------------- the loader


class Loader:
    def __init__(self, endpoint: str, scenario_path: Path, now: datetime):
        self.endpoint = endpoint.rstrip("/")
        self.path = scenario_path
        self.now = now
        self.config = Config(retries={"max_attempts": 2, "mode": "standard"})

    def fail(self, where: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.path}: {where}: {message}")

    def session(self, account: str) -> boto3.Session:
        sts = boto3.client(
            "sts", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing", config=self.config,
        )
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{SEEDER_ROLE}", RoleSessionName="dmsemu-seed"
        )["Credentials"]
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    def client(self, session: boto3.Session, service: str, region: str):
        return session.client(service, endpoint_url=self.endpoint, region_name=region, config=self.config)

    def admin(self, path: str, doc: dict) -> dict:
        request = urllib.request.Request(
            f"{self.endpoint}/_dmsemu/{path}", data=json.dumps(doc).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # the loopback admin route
            return json.loads(response.read())

    # ------------------------------------------------------------ scenario

    def load(self) -> dict:
        try:
            doc = json.loads(self.path.read_text())
        except FileNotFoundError as err:
            raise ScenarioError(f"{self.path}: no such scenario file") from err
        except json.JSONDecodeError as err:
            raise ScenarioError(f"{self.path}:{err.lineno}:{err.colno}: not valid JSON: {err.msg}") from err
        if not isinstance(doc.get("accounts"), list) or not doc["accounts"]:
            raise self.fail("accounts", "a scenario needs a non-empty 'accounts' list")
        created = {"scenario": doc.get("scenario", self.path.stem), "accounts": {}}
        for index, account in enumerate(doc["accounts"]):
            account_id = str(account.get("account_id", ""))
            if not re.fullmatch(r"\d{12}", account_id):
                raise self.fail(f"accounts[{index}].account_id", f"'{account_id}' is not a 12-digit account id")
            created["accounts"][account_id] = self.load_account(account_id, account, f"accounts[{index}]")
        return created

    def load_account(self, account_id: str, account: dict, where: str) -> dict:
        session = self.session(account_id)
        out: dict = {"iam_roles": [], "regions": {}}
        iam = self.client(session, "iam", "us-east-1")
        for role in expand(account.get("iam_roles")):
            self.create_role(iam, role)
            out["iam_roles"].append(role["name"])
        for policy in expand(account.get("iam_policies")):
            self.create_policy(iam, account_id, policy)
        if account.get("readonly_role", True):
            self.create_readonly_role(iam, account.get("external_id"))
        for index, region in enumerate(account.get("regions") or []):
            name = region.get("region")
            if not name:
                raise self.fail(f"{where}.regions[{index}]", "missing 'region'")
            out["regions"][name] = RegionLoader(self, session, account_id, name, region).load()
        return out

    def create_role(self, iam, role: dict) -> None:
        trust = {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": role.get("trust_service", "dms.amazonaws.com")},
                "Action": "sts:AssumeRole",
            }],
        }
        iam.create_role(RoleName=role["name"], AssumeRolePolicyDocument=json.dumps(trust),
                        Path=role.get("path", "/"), Tags=tags(role.get("tags")))
        for arn in role.get("managed_policy_arns", []):
            iam.attach_role_policy(RoleName=role["name"], PolicyArn=arn)

    def create_readonly_role(self, iam, external_id: str | None) -> None:
        """The case study's read-only role, from policies/ as a customer creates it;
        the emulator enforces its policy on the collector's calls. With the account's
        `external_id`, its trust policy requires it, as the CloudFormation template's does
        (policies/dms-evidence-readonly-role.cfn.yaml)."""
        statement: dict = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
        if external_id:
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
        trust = {"Version": "2012-10-17", "Statement": [statement]}
        iam.create_role(RoleName=READONLY_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName=READONLY_ROLE, PolicyName=READONLY_ROLE,
                            PolicyDocument=(POLICIES / "dms-evidence-readonly-policy.json").read_text())

    def create_policy(self, iam, account_id: str, policy: dict) -> None:
        arn = iam.create_policy(PolicyName=policy["name"], PolicyDocument=json.dumps(policy["document"]))["Policy"]["Arn"]
        for role in policy.get("attach_to_roles", []):
            iam.attach_role_policy(RoleName=role, PolicyArn=arn)


class RegionLoader:
    """Seeds one region of one account, resolving references between resources."""

    def __init__(self, loader: Loader, session: boto3.Session, account: str, region: str, spec: dict):
        self.l, self.account, self.region, self.spec = loader, account, region, spec
        self.where = f"accounts[{account}].regions[{region}]"
        self.dms = loader.client(session, "dms", region)
        self.rds = loader.client(session, "rds", region)
        self.kms = loader.client(session, "kms", region)
        self.ec2 = loader.client(session, "ec2", region)
        self.cw = loader.client(session, "cloudwatch", region)
        self.logs = loader.client(session, "logs", region)
        self.session = session
        self.keys: dict[str, str] = {}
        self.ec2_instances: dict[str, dict] = {}
        self.redshift_clusters: dict[str, dict] = {}
        # What created an RDS instance or a Redshift cluster, to create it again (`recreated`).
        self.created_with: dict[tuple[str, str], dict] = {}
        self.subnets: dict[str, str] = {}
        self.security_groups: dict[str, str] = {}
        self.instances: dict[str, str] = {}
        self.endpoints: dict[str, str] = {}
        self.tasks: dict[str, str] = {}
        self.certs: dict[str, str] = {}
        self.configs: dict[str, str] = {}
        self.db_instances: dict[str, dict] = {}
        self.db_clusters: dict[str, dict] = {}
        self.state: dict = {"account": account, "region": region}
        self.out: dict = {}
        self.base_clock = "now"

    def ref(self, table: dict[str, T], name: str, kind: str) -> T:
        if name not in table:
            raise self.l.fail(self.where, f"{kind} '{name}' is not defined in this region")
        return table[name]

    def record(self, kind: str, value: Any) -> None:
        self.out.setdefault(kind, []).append(value)

    def load(self) -> dict:
        s = self.spec
        # Resources are created before anything the scenario dates happened (a run that
        # started 40 days ago was created before): CloudTrail dates their creation so.
        self.base_clock = earliest_clock(s)
        self.clock(self.base_clock)
        for t in expand(s.get("trails")):
            self.trail(t)
        if s.get("config_recorder"):
            self.config_recorder(s["config_recorder"])
        for key in expand(s.get("kms_keys")):
            self.kms_key(key)
        self.network(s.get("vpc"))
        for group in expand(s.get("replication_subnet_groups")):
            self.subnet_group(group)
        for cert in expand(s.get("certificates")):
            self.certificate(cert)
        for db in expand(s.get("rds_instances")):
            self.db_instance(db)
        for cluster in expand(s.get("rds_clusters")):
            self.db_cluster(cluster)
        for inst in expand(s.get("ec2_instances")):
            self.ec2_instance(inst)
        for store in expand(s.get("target_stores")):
            self.target_store(store)
        for inst in expand(s.get("replication_instances")):
            self.replication_instance(inst)
        for ep in expand(s.get("endpoints")):
            self.endpoint(ep)
        for task in expand(s.get("tasks")):
            self.task(task)
        for config in expand(s.get("replication_configs")):
            self.replication_config(config)
        for run in expand(s.get("assessment_runs")):
            self.assessment_run(run)
        for project in expand(s.get("migration_projects")):
            self.state.setdefault("migration_projects", []).append(self.migration_project(project))
        for provider in expand(s.get("data_providers")):
            self.state.setdefault("data_providers", []).append(self.data_provider(provider))
        for event in expand(s.get("events")):
            self.state.setdefault("events", []).append(self.event(event))
        if s.get("account_quotas"):
            self.state["account_quotas"] = s["account_quotas"]
        for sub in expand(s.get("event_subscriptions")):
            self.state.setdefault("event_subscriptions", []).append(self.event_subscription(sub))
        for metric in expand(s.get("metrics")):
            self.metric(metric)
        for group in expand(s.get("log_groups")):
            self.log_group(group)
        if len(self.state) > 2:
            self.l.admin("state/dms", resolve_times(self.state, self.l.now))
        self.clock("now")
        self.history()
        return self.out

    # ------------------------------------------------------------ history

    def clock(self, at: str) -> None:
        """Dates the CloudTrail events of the next calls `at` ("-60d") in the past."""
        try:
            self.l.admin("state/cloudtrail", {"account": self.account, "region": self.region, "clock": at})
        except urllib.error.HTTPError as err:
            raise self.l.fail(self.where, f"history time '{at}' is not 'now' or -<n>d/-<n>h/-<n>m") from err

    def dated(self, spec: dict, undo: bool = False) -> None:
        """A resource created `created` ago ("-62d") is created with CloudTrail's clock
        set that far back, then the clock returns to now."""
        created = spec.get("created")
        if isinstance(created, str) and re.fullmatch(r"-\d+[dhm]", created):
            self.clock(self.base_clock if undo else created)

    def history(self) -> None:
        """What happened to the DMS resources after they were created, in time order and
        dated in CloudTrail: endpoint `modify` (members, and a new address named as at
        creation), task `modify` (its settings
        document), task `started`/`stopped`, and `deleted`
        of tasks, endpoints and instances (DeleteReplicationTask, DeleteEndpoint,
        DeleteReplicationInstance, as a customer does after cut-over); serverless
        replication configs' `modify`, `started`, `stopped`, `failed` (the run fails by
        itself: the derived state says so) and `deleted` likewise."""
        steps: list[tuple[float, int, str, Any]] = []

        def at(value: str) -> float:
            return datetime.fromisoformat(when(value, self.l.now)).timestamp()

        for spec in expand(self.spec.get("endpoints")):
            arn = self.endpoints[spec["id"]]
            for change in spec.get("modify") or []:
                members = dict(change.get("settings", {}))
                # A new address, named as at creation (`server`, `rds_cluster`, ...).
                server = self.server_name(change)
                if server is not None:
                    members["ServerName"] = server
                steps.append((at(change["at"]), 1, change["at"], ("modify_endpoint", arn, members)))
            if spec.get("deleted"):
                steps.append((at(spec["deleted"]), 3, spec["deleted"], ("delete_endpoint", arn, None)))
        for spec in expand(self.spec.get("tasks")):
            arn = self.tasks[spec["id"]]
            for change in spec.get("modify") or []:
                steps.append((at(change["at"]), 1, change["at"], ("modify_task", arn, change.get("settings", {}))))
            for key, order, op in (("started", 0, "start_task"), ("stopped", 1, "stop_task"), ("deleted", 2, "delete_task")):
                if spec.get(key):
                    steps.append((at(spec[key]), order, spec[key], (op, arn, None)))
        for spec in expand(self.spec.get("replication_configs")):
            arn = self.configs[spec["id"]]
            for change in spec.get("modify") or []:
                steps.append((at(change["at"]), 1, change["at"], ("modify_config", arn, self.config_members(change))))
            for key, order, op in (("started", 0, "start_config"), ("stopped", 1, "stop_config"),
                                   ("failed", 1, "fail_config"), ("deleted", 2, "delete_config")):
                if spec.get(key):
                    steps.append((at(spec[key]), order, spec[key], (op, arn, None)))
        recorder = self.spec.get("config_recorder") or {}
        for key, order in (("started", 0), ("stopped", 0), ("restarted", 0)):
            if recorder.get(key):
                op = "stop_recorder" if key == "stopped" else "start_recorder"
                steps.append((at(recorder[key]), order, recorder[key], (op, "default", None)))
        for spec in expand(self.spec.get("replication_instances")):
            if spec.get("deleted"):
                arn = self.instances[spec["id"]]
                steps.append((at(spec["deleted"]), 4, spec["deleted"], ("delete_instance", arn, None)))
        for kind, specs in (("rds", self.spec.get("rds_instances")), ("redshift", self.spec.get("target_stores"))):
            for spec in expand(specs):
                again = spec.get("recreated")
                if again and (kind, spec["id"]) in self.created_with:
                    steps.append((at(again["at"]), 5, again["at"], ("recreate", f"{kind}:{spec['id']}", again)))
        if not steps:
            return
        for _, _, moment, (op, arn, settings) in sorted(steps, key=lambda s: (s[0], s[1])):
            self.clock(moment)
            if op == "modify_endpoint":
                self.dms.modify_endpoint(EndpointArn=arn, **settings)
            elif op == "modify_task":
                self.dms.modify_replication_task(ReplicationTaskArn=arn, ReplicationTaskSettings=json.dumps(settings))
            elif op == "start_task":
                self.dms.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
            elif op == "stop_task":
                self.dms.stop_replication_task(ReplicationTaskArn=arn)
            elif op == "delete_task":
                self.dms.delete_replication_task(ReplicationTaskArn=arn)
            elif op == "delete_endpoint":
                self.dms.delete_endpoint(EndpointArn=arn)
            elif op == "delete_instance":
                self.dms.delete_replication_instance(ReplicationInstanceArn=arn)
            elif op == "start_recorder":
                self.l.client(self.session, "config", self.region).start_configuration_recorder(
                    ConfigurationRecorderName=arn)
            elif op == "stop_recorder":
                self.l.client(self.session, "config", self.region).stop_configuration_recorder(
                    ConfigurationRecorderName=arn)
            elif op == "recreate":
                self.recreate(arn, settings)
            else:
                self.config_step(op, arn, settings)
        self.clock("now")

    def recreate(self, ref: str, again: dict) -> None:
        """An RDS instance or Redshift cluster deleted and created again under its name,
        encrypted or not as `encrypted` says (as customers encrypt one after the fact)."""
        kind, name = ref.split(":", 1)
        params = dict(self.created_with[(kind, name)])
        encrypted = bool(again.get("encrypted", True))
        if kind == "rds":
            self.rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
            self.rds.create_db_instance(**{**params, "StorageEncrypted": encrypted})
        else:
            client = self.l.client(self.session, "redshift", self.region)
            client.delete_cluster(ClusterIdentifier=name, SkipFinalClusterSnapshot=True)
            client.create_cluster(**{**params, "Encrypted": encrypted})

    def config_step(self, op: str, arn: str, members: Any) -> None:
        """One dated step of a serverless replication's history."""
        if op == "modify_config":
            self.dms.modify_replication_config(ReplicationConfigArn=arn, **members)
        elif op == "start_config":
            self.dms.start_replication(ReplicationConfigArn=arn, StartReplicationType="start-replication")
        elif op == "stop_config":
            self.dms.stop_replication(ReplicationConfigArn=arn)
        elif op == "delete_config":
            self.dms.delete_replication_config(ReplicationConfigArn=arn)
        elif op == "fail_config":
            # A run that fails by itself: no API call makes it, so the derived state says it.
            self.l.admin("state/dms", {"account": self.account, "region": self.region, "replications": {
                arn: {"Status": "failed", "StopReason": "Stop Reason FATAL_ERROR"}}})

    def config_members(self, change: dict) -> dict:
        """ModifyReplicationConfig members of a `modify` step: `source`/`target` endpoint
        ids, `settings` (the ReplicationSettings document), `replication_type`, `compute`."""
        members: dict[str, Any] = {}
        if change.get("source"):
            members["SourceEndpointArn"] = self.ref(self.endpoints, change["source"], "endpoint")
        if change.get("target"):
            members["TargetEndpointArn"] = self.ref(self.endpoints, change["target"], "endpoint")
        if "settings" in change:
            members["ReplicationSettings"] = as_json_text(change["settings"])
        if change.get("replication_type"):
            members["ReplicationType"] = change["replication_type"]
        if change.get("compute"):
            members["ComputeConfig"] = dict(change["compute"])
        return members

    # ------------------------------------------------------------ resources

    def bucket(self, name: str) -> Any:
        """CreateBucket in this region (outside us-east-1 S3 needs the region named as the
        location constraint: S3 API Reference, CreateBucket); the S3 client."""
        s3 = self.l.client(self.session, "s3", self.region)
        args: dict = {"Bucket": name}
        if self.region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        s3.create_bucket(**args)
        return s3

    def trail(self, spec: dict) -> None:
        """A trail logging to its own bucket (CreateBucket, CreateTrail, StartLogging), so
        that the scenario's later calls are delivered to it as log files."""
        self.bucket(spec["bucket"])
        ct = self.l.client(self.session, "cloudtrail", self.region)
        params: dict = {"Name": spec["name"], "S3BucketName": spec["bucket"],
                        "IsMultiRegionTrail": bool(spec.get("multi_region", True))}
        if spec.get("prefix"):
            params["S3KeyPrefix"] = spec["prefix"]
        if spec.get("log_file_validation"):
            params["EnableLogFileValidation"] = True
        ct.create_trail(**params)
        ct.start_logging(Name=spec["name"])
        self.record("trails", spec["name"])

    def config_recorder(self, spec: dict) -> None:
        """An AWS Config recorder named `default` recording every supported type (or
        `resource_types`) at `frequency` (CONTINUOUS by default), delivering to its own
        bucket (PutConfigurationRecorder, PutDeliveryChannel); it starts now, before the
        scenario's resources, or at `started`, and may be `stopped` and `restarted`. With
        `retention_days`, the region's items are kept that long (PutRetentionConfiguration)."""
        bucket = f"config-{self.account}-{self.region}"
        self.bucket(bucket)
        cfg = self.l.client(self.session, "config", self.region)
        types = spec.get("resource_types")
        group = {"allSupported": False, "resourceTypes": types} if types else {"allSupported": True}
        cfg.put_configuration_recorder(ConfigurationRecorder={
            "name": "default", "roleARN": f"arn:aws:iam::{self.account}:role/aws-service-role/config.amazonaws.com/"
            "AWSServiceRoleForConfig", "recordingGroup": group,
            "recordingMode": {"recordingFrequency": spec.get("frequency", "CONTINUOUS")}})
        cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
        if spec.get("retention_days"):
            cfg.put_retention_configuration(RetentionPeriodInDays=int(spec["retention_days"]))
        if not spec.get("started"):
            cfg.start_configuration_recorder(ConfigurationRecorderName="default")
        self.record("config_recorders", "default")

    def kms_key(self, spec: dict) -> None:
        meta = self.kms.create_key(
            Description=spec.get("description", spec["ref"]),
            KeyUsage=spec.get("key_usage", "ENCRYPT_DECRYPT"),
            KeySpec=spec.get("key_spec", "SYMMETRIC_DEFAULT"),
            Tags=[{"TagKey": k, "TagValue": str(v)} for k, v in (spec.get("tags") or {}).items()],
        )["KeyMetadata"]
        if spec.get("alias"):
            self.kms.create_alias(AliasName=spec["alias"], TargetKeyId=meta["KeyId"])
        if spec.get("rotation"):
            self.kms.enable_key_rotation(KeyId=meta["KeyId"])
        self.keys[spec["ref"]] = meta["Arn"]
        self.record("kms_keys", meta["Arn"])

    def key_arn(self, ref: str | None) -> str | None:
        if ref is None:
            return None
        if ref.startswith(("arn:", "alias/")):
            return ref
        return self.ref(self.keys, ref, "kms key")

    def network(self, vpc: dict | None) -> None:
        if not vpc:
            return
        vpc_id = self.ec2.create_vpc(CidrBlock=vpc.get("cidr", "10.0.0.0/16"))["Vpc"]["VpcId"]
        for subnet in vpc.get("subnets", []):
            sid = self.ec2.create_subnet(
                VpcId=vpc_id, CidrBlock=subnet["cidr"], AvailabilityZone=subnet.get("az", f"{self.region}a")
            )["Subnet"]["SubnetId"]
            self.subnets[subnet["ref"]] = sid
        for group in vpc.get("security_groups", []):
            gid = self.ec2.create_security_group(
                GroupName=group["ref"], Description=group.get("description", group["ref"]), VpcId=vpc_id
            )["GroupId"]
            self.security_groups[group["ref"]] = gid

    def subnet_group(self, spec: dict) -> None:
        subnet_ids = [self.ref(self.subnets, s, "subnet") for s in spec.get("subnets", [])]
        self.dms.create_replication_subnet_group(
            ReplicationSubnetGroupIdentifier=spec["id"],
            ReplicationSubnetGroupDescription=spec.get("description", spec["id"]),
            SubnetIds=subnet_ids,
            Tags=tags(spec.get("tags")),
        )
        self.record("replication_subnet_groups", spec["id"])

    def certificate(self, spec: dict) -> None:
        pem = spec.get("pem") or self_signed_pem(spec.get("common_name", spec["id"]), spec.get("valid_days", 365),
                                                 spec.get("not_before_days", 30), self.l.now)
        arn = self.dms.import_certificate(CertificateIdentifier=spec["id"], CertificatePem=pem)["Certificate"][
            "CertificateArn"]
        self.certs[spec["id"]] = arn
        self.record("certificates", arn)

    def db_instance(self, spec: dict) -> None:
        params = {
            "DBInstanceIdentifier": spec["id"],
            "DBInstanceClass": spec.get("class", "db.r6g.large"),
            "Engine": spec["engine"],
            "MasterUsername": "admin_user",
            "MasterUserPassword": "seeded-in-emulator-only",
            "StorageEncrypted": bool(spec.get("encrypted", False)),
            "MultiAZ": bool(spec.get("multi_az", False)),
            "PubliclyAccessible": bool(spec.get("publicly_accessible", False)),
            "Tags": tags(spec.get("tags")),
        }
        if spec.get("cluster"):
            params["DBClusterIdentifier"] = spec["cluster"]
            params.pop("MasterUsername")
            params.pop("MasterUserPassword")
            params.pop("StorageEncrypted")
            params.pop("MultiAZ")
        else:
            params["AllocatedStorage"] = int(spec.get("storage", 100))
            if spec.get("iops"):
                params["Iops"] = int(spec["iops"])
                params["StorageType"] = "io1"
        if spec.get("kms_key") and not spec.get("cluster"):
            params["KmsKeyId"] = self.key_arn(spec["kms_key"])
        if spec.get("engine_version"):
            params["EngineVersion"] = spec["engine_version"]
        if spec.get("availability_zone"):
            params["AvailabilityZone"] = spec["availability_zone"]
        if spec.get("replica_of"):
            db = self.rds.create_db_instance_read_replica(
                DBInstanceIdentifier=spec["id"], SourceDBInstanceIdentifier=spec["replica_of"],
                DBInstanceClass=params["DBInstanceClass"],
            )["DBInstance"]
        else:
            db = self.rds.create_db_instance(**params)["DBInstance"]
            self.created_with[("rds", spec["id"])] = params
        self.db_instances[spec["id"]] = db
        self.record("rds_instances", spec["id"])

    def db_cluster(self, spec: dict) -> None:
        params = {
            "DBClusterIdentifier": spec["id"],
            "Engine": spec["engine"],
            "MasterUsername": "admin_user",
            "MasterUserPassword": "seeded-in-emulator-only",
            "StorageEncrypted": bool(spec.get("encrypted", False)),
            "Tags": tags(spec.get("tags")),
        }
        if spec.get("kms_key"):
            params["KmsKeyId"] = self.key_arn(spec["kms_key"])
        if spec.get("engine_version"):
            params["EngineVersion"] = spec["engine_version"]
        cluster = self.rds.create_db_cluster(**params)["DBCluster"]
        self.db_clusters[spec["id"]] = cluster
        self.record("rds_clusters", spec["id"])
        for member in spec.get("instances", []):
            self.db_instance({**member, "engine": spec["engine"], "cluster": spec["id"]})

    def replication_instance(self, spec: dict) -> None:
        params: dict = {
            "ReplicationInstanceIdentifier": spec["id"],
            "ReplicationInstanceClass": spec.get("class", "dms.t3.medium"),
            "AllocatedStorage": int(spec.get("storage", 50)),
            "Tags": tags(spec.get("tags")),
        }
        optional = {
            "publicly_accessible": "PubliclyAccessible",
            "multi_az": "MultiAZ",
            "engine_version": "EngineVersion",
            "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
            "availability_zone": "AvailabilityZone",
        }
        for key, api in optional.items():
            if key in spec:
                params[api] = spec[key]
        if spec.get("subnet_group"):
            params["ReplicationSubnetGroupIdentifier"] = spec["subnet_group"]
        if spec.get("security_groups"):
            params["VpcSecurityGroupIds"] = [self.ref(self.security_groups, g, "security group")
                                             for g in spec["security_groups"]]
        if spec.get("kms_key"):
            params["KmsKeyId"] = self.key_arn(spec["kms_key"])
        self.dated(spec)
        arn = self.dms.create_replication_instance(**params)["ReplicationInstance"]["ReplicationInstanceArn"]
        self.dated(spec, undo=True)
        self.instances[spec["id"]] = arn
        self.record("replication_instances", arn)
        if spec.get("created"):
            self.state.setdefault("instances", {})[arn] = {"InstanceCreateTime": spec["created"]}

    def server_name(self, spec: dict) -> str | None:
        if spec.get("rds_instance"):
            db = self.db_instances.get(spec["rds_instance"])
            if db is None:
                raise self.l.fail(self.where, f"rds instance '{spec['rds_instance']}' is not defined")
            return db.get("Endpoint", {}).get("Address")
        if spec.get("rds_cluster"):
            cluster = self.db_clusters.get(spec["rds_cluster"])
            if cluster is None:
                raise self.l.fail(self.where, f"rds cluster '{spec['rds_cluster']}' is not defined")
            return cluster.get("Endpoint")
        if spec.get("redshift_cluster"):
            redshift = self.ref(self.redshift_clusters, spec["redshift_cluster"], "redshift cluster")
            return redshift.get("Endpoint", {}).get("Address")
        if spec.get("ec2_instance"):
            inst = self.ref(self.ec2_instances, spec["ec2_instance"], "ec2 instance")
            return inst.get("PrivateDnsName") if spec.get("by") == "dns" else inst.get("PrivateIpAddress")
        return spec.get("server")

    def ec2_instance(self, spec: dict) -> None:
        params: dict = {"ImageId": spec.get("image", "ami-12c6146b"), "MinCount": 1, "MaxCount": 1,
                        "InstanceType": spec.get("type", "r6i.large")}
        if spec.get("subnet"):
            params["SubnetId"] = self.ref(self.subnets, spec["subnet"], "subnet")
        if spec.get("private_ip"):
            params["PrivateIpAddress"] = spec["private_ip"]
        inst = self.ec2.run_instances(**params)["Instances"][0]
        self.ec2_instances[spec["ref"]] = inst
        self.record("ec2_instances", inst["InstanceId"])

    def target_store(self, spec: dict) -> None:
        """A store DMS writes to, created through its own service's API."""
        kind = spec["kind"]
        if kind == "redshift":
            params = {"ClusterIdentifier": spec["id"], "NodeType": "ra3.xlplus", "MasterUsername": "admin_user",
                      "MasterUserPassword": "Seeded1-emulator", "ClusterType": "single-node",
                      "Encrypted": bool(spec.get("encrypted", False)),
                      "PubliclyAccessible": bool(spec.get("publicly_accessible", False))}
            if spec.get("kms_key"):
                params["KmsKeyId"] = self.key_arn(spec["kms_key"])
            client = self.l.client(self.session, "redshift", self.region)
            self.redshift_clusters[spec["id"]] = client.create_cluster(**params)["Cluster"]
            self.created_with[("redshift", spec["id"])] = params
        elif kind == "s3":
            client = self.bucket(spec["id"])
            if spec.get("sse"):
                rule: dict = {"SSEAlgorithm": spec["sse"]}
                if spec.get("kms_key"):
                    rule["KMSMasterKeyID"] = self.key_arn(spec["kms_key"])
                client.put_bucket_encryption(Bucket=spec["id"], ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": rule}]})
        elif kind == "dynamodb":
            client = self.l.client(self.session, "dynamodb", self.region)
            args = {"TableName": spec["id"], "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}
            if spec.get("kms_key"):
                args["SSESpecification"] = {"Enabled": True, "SSEType": "KMS",
                                            "KMSMasterKeyId": self.key_arn(spec["kms_key"])}
            client.create_table(**args)
        elif kind == "kinesis":
            client = self.l.client(self.session, "kinesis", self.region)
            client.create_stream(StreamName=spec["id"], ShardCount=1)
            if spec.get("kms_key"):
                client.start_stream_encryption(StreamName=spec["id"], EncryptionType="KMS",
                                               KeyId=self.key_arn(spec["kms_key"]))
        elif kind == "opensearch":
            client = self.l.client(self.session, "opensearch", self.region)
            args = {"DomainName": spec["id"], "EngineVersion": "OpenSearch_2.11",
                    "EncryptionAtRestOptions": {"Enabled": bool(spec.get("encrypted", False))},
                    "NodeToNodeEncryptionOptions": {"Enabled": True},
                    "DomainEndpointOptions": {"EnforceHTTPS": True}}
            domain = client.create_domain(**args)["DomainStatus"]
            self.redshift_clusters[f"opensearch:{spec['id']}"] = {"Endpoint": {"Address": domain.get("Endpoint")}}
        elif kind == "redshift-serverless":
            namespace = {"namespaceName": spec["id"], "namespaceId": spec["id"],
                         "namespaceArn": f"arn:aws:redshift-serverless:{self.region}:{self.account}:namespace/{spec['id']}",
                         "kmsKeyId": self.key_arn(spec.get("kms_key")) or "AWS_OWNED_KMS_KEY", "status": "AVAILABLE"}
            address = f"{spec.get('workgroup', spec['id'])}.{self.account}.{self.region}.redshift-serverless.amazonaws.com"
            workgroup = {"workgroupName": spec.get("workgroup", spec["id"]), "namespaceName": spec["id"],
                         "workgroupArn": f"arn:aws:redshift-serverless:{self.region}:{self.account}:workgroup/{spec['id']}",
                         "publiclyAccessible": bool(spec.get("publicly_accessible", False)), "status": "AVAILABLE",
                         "endpoint": {"address": address, "port": 5439}}
            self.l.admin("state/redshift-serverless", {"account": self.account, "region": self.region,
                                                      "namespaces": [namespace], "workgroups": [workgroup]})
            self.redshift_clusters[spec["id"]] = {"Endpoint": {"Address": address}}
        else:
            raise self.l.fail(self.where, f"unknown target store kind '{kind}'")
        self.record("target_stores", f"{kind}:{spec['id']}")

    def event_subscription(self, spec: dict) -> dict:
        return {"CustomerAwsId": self.account, "CustSubscriptionId": spec["id"],
                "SnsTopicArn": f"arn:aws:sns:{self.region}:{self.account}:{spec.get('topic', spec['id'])}",
                "Status": "active", "SubscriptionCreationTime": spec.get("created", "2025-01-01"),
                "SourceType": spec.get("source_type", "replication-task"),
                "EventCategoriesList": spec.get("categories", ["failure"]), "Enabled": spec.get("enabled", True)}

    def endpoint(self, spec: dict) -> None:
        params: dict = {
            "EndpointIdentifier": spec["id"],
            "EndpointType": spec["type"],
            "EngineName": spec["engine"],
            "Tags": tags(spec.get("tags")),
        }
        server = self.server_name(spec)
        if server:
            params["ServerName"] = server
            params["Port"] = int(spec.get("port", 5432))
            params["Username"] = spec.get("username", "dms_user")
            params["Password"] = "seeded-in-emulator-only"
        if spec.get("database"):
            params["DatabaseName"] = spec["database"]
        if spec.get("ssl_mode"):
            params["SslMode"] = spec["ssl_mode"]
        if spec.get("certificate"):
            params["CertificateArn"] = self.ref(self.certs, spec["certificate"], "certificate")
        if spec.get("kms_key"):
            params["KmsKeyId"] = self.key_arn(spec["kms_key"])
        if spec.get("extra_connection_attributes"):
            params["ExtraConnectionAttributes"] = spec["extra_connection_attributes"]
        if spec.get("service_access_role"):
            params["ServiceAccessRoleArn"] = f"arn:aws:iam::{self.account}:role/{spec['service_access_role']}"
        params.update(copy.deepcopy(spec.get("settings") or {}))
        if spec.get("opensearch_domain"):
            domain = self.ref(self.redshift_clusters, f"opensearch:{spec['opensearch_domain']}", "opensearch domain")
            params.setdefault("ElasticsearchSettings", {})["EndpointUri"] = f"https://{domain['Endpoint']['Address']}"
        self.dated(spec)
        arn = self.dms.create_endpoint(**params)["Endpoint"]["EndpointArn"]
        self.dated(spec, undo=True)
        self.endpoints[spec["id"]] = arn
        self.record("endpoints", arn)

    def task(self, spec: dict) -> None:
        self.dated(spec)
        arn = self.dms.create_replication_task(
            ReplicationTaskIdentifier=spec["id"],
            SourceEndpointArn=self.ref(self.endpoints, spec["source"], "endpoint"),
            TargetEndpointArn=self.ref(self.endpoints, spec["target"], "endpoint"),
            ReplicationInstanceArn=self.ref(self.instances, spec["instance"], "replication instance"),
            MigrationType=spec.get("migration_type", "full-load"),
            TableMappings=as_json_text(spec.get("table_mappings") or default_mappings()),
            ReplicationTaskSettings=as_json_text(spec.get("settings") or {}),
            Tags=tags(spec.get("tags")),
            # DMS API Reference, CreateReplicationTask ResourceIdentifier: the value at the
            # end of the ARN, instead of one DMS generates.
            **({"ResourceIdentifier": spec["resource_identifier"]} if spec.get("resource_identifier") else {}),
        )["ReplicationTask"]["ReplicationTaskArn"]
        self.dated(spec, undo=True)
        self.tasks[spec["id"]] = arn
        self.record("tasks", arn)
        if spec.get("start"):
            self.dms.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
        if spec.get("state"):
            self.state.setdefault("tasks", {})[arn] = spec["state"]
        stats = table_statistics(spec.get("table_statistics"))
        if stats:
            self.state.setdefault("table_statistics", {})[arn] = stats
            self.out.setdefault("table_statistics", {})[arn] = len(stats)

    def replication_config(self, spec: dict) -> None:
        self.dated(spec)
        config = self.dms.create_replication_config(
            ReplicationConfigIdentifier=spec["id"],
            SourceEndpointArn=self.ref(self.endpoints, spec["source"], "endpoint"),
            TargetEndpointArn=self.ref(self.endpoints, spec["target"], "endpoint"),
            ComputeConfig=self.compute_config(spec),
            ReplicationType=spec.get("replication_type", "full-load-and-cdc"),
            TableMappings=as_json_text(spec.get("table_mappings") or default_mappings()),
            ReplicationSettings=as_json_text(spec.get("settings") or {}),
            Tags=tags(spec.get("tags")),
        )["ReplicationConfig"]
        self.dated(spec, undo=True)
        arn = config["ReplicationConfigArn"]
        self.configs[spec["id"]] = arn
        self.record("replication_configs", arn)
        if spec.get("start"):
            self.dms.start_replication(ReplicationConfigArn=arn, StartReplicationType="start-replication")
        if spec.get("state"):
            self.state.setdefault("replications", {})[arn] = spec["state"]
        stats = table_statistics(spec.get("table_statistics"))
        if stats:
            self.state.setdefault("replication_table_statistics", {})[arn] = stats
            self.out.setdefault("replication_table_statistics", {})[arn] = len(stats)

    def compute_config(self, spec: dict) -> dict:
        compute = dict(spec.get("compute") or {"MaxCapacityUnits": 16, "MinCapacityUnits": 2})
        if spec.get("kms_key"):
            compute["KmsKeyId"] = self.key_arn(spec["kms_key"])
        if spec.get("subnet_group"):
            compute["ReplicationSubnetGroupId"] = spec["subnet_group"]
        return compute

    def assessment_run(self, spec: dict) -> None:
        task_arn = self.ref(self.tasks, spec["task"], "task")
        run = {
            "ReplicationTaskAssessmentRunArn": f"arn:aws:dms:{self.region}:{self.account}:assessment-run:{spec['id']}",
            "ReplicationTaskArn": task_arn,
            "Status": spec.get("status", "passed"),
            "ReplicationTaskAssessmentRunCreationDate": spec.get("created", "-30d"),
            "AssessmentRunName": spec["id"],
            "ResultLocationBucket": spec.get("bucket", "dms-assessments"),
            "ServiceAccessRoleArn": f"arn:aws:iam::{self.account}:role/dms-access-for-endpoint",
            "AssessmentProgress": {"IndividualAssessmentCount": spec.get("count", 12),
                                   "IndividualAssessmentCompletedCount": spec.get("count", 12)},
            "ResultStatistic": spec.get("result", {"Passed": spec.get("count", 12), "Failed": 0, "Error": 0,
                                                   "Warning": 0, "Cancelled": 0}),
        }
        self.state.setdefault("assessment_runs", []).append(run)
        self.record("assessment_runs", run["ReplicationTaskAssessmentRunArn"])

    def migration_project(self, spec: dict) -> dict:
        arn = f"arn:aws:dms:{self.region}:{self.account}:migration-project:{spec['id']}"
        self.record("migration_projects", arn)
        if spec.get("assessments"):
            self.state.setdefault("metadata_assessments", {})[arn] = [
                {"RequestIdentifier": f"{spec['id']}-assessment-{i}", "MigrationProjectArn": arn,
                 "Status": a.get("status", "SUCCESS")}
                for i, a in enumerate(spec["assessments"])
            ]
        return {
            "MigrationProjectName": spec["id"],
            "MigrationProjectArn": arn,
            "MigrationProjectCreationTime": spec.get("created", "-60d"),
            "SourceDataProviderDescriptors": [{"DataProviderName": spec.get("source", "source")}],
            "TargetDataProviderDescriptors": [{"DataProviderName": spec.get("target", "target")}],
            "Description": spec.get("description", ""),
            "SchemaConversionApplicationAttributes": {"S3BucketPath": spec.get("bucket", "s3://dms-sc/")},
        }

    def data_provider(self, spec: dict) -> dict:
        arn = f"arn:aws:dms:{self.region}:{self.account}:data-provider:{spec['id']}"
        self.record("data_providers", arn)
        return {
            "DataProviderName": spec["id"],
            "DataProviderArn": arn,
            "DataProviderCreationTime": spec.get("created", "-60d"),
            "Engine": spec["engine"],
            "Description": spec.get("description", ""),
        }

    def event(self, spec: dict) -> dict:
        source = spec.get("source_identifier", "")
        return {
            "SourceIdentifier": source,
            "SourceType": spec.get("source_type", "replication-task"),
            "Message": spec["message"],
            "EventCategories": spec.get("categories", ["state change"]),
            "Date": spec.get("date", "-1d"),
        }

    def metric(self, spec: dict) -> None:
        dims = dict(spec.get("dimensions") or {})
        if spec.get("instance"):
            dims["ReplicationInstanceIdentifier"] = spec["instance"]
        if spec.get("task"):
            task_arn = self.ref(self.tasks, spec["task"], "task")
            dims["ReplicationTaskIdentifier"] = task_arn.rsplit(":", 1)[-1]
        if spec.get("cluster"):
            dims["DBClusterIdentifier"] = spec["cluster"]
        if spec.get("db_instance"):
            dims["DBInstanceIdentifier"] = spec["db_instance"]
        points = metric_points(spec, self.l.now)
        data = [
            {
                "MetricName": spec["name"],
                "Dimensions": [{"Name": k, "Value": str(v)} for k, v in dims.items()],
                "Timestamp": ts,
                "Value": value,
                "Unit": spec.get("unit", "None"),
            }
            for ts, value in points
        ]
        for start in range(0, len(data), 500):
            self.cw.put_metric_data(Namespace=spec["namespace"], MetricData=data[start : start + 500])
        self.record("metrics", f"{spec['namespace']}/{spec['name']}")

    def log_group(self, spec: dict) -> None:
        if spec.get("replication_config"):
            # DMS Serverless logs to dms-serverless-replication-<config resource id>.
            config_arn = self.ref(self.configs, spec["replication_config"], "replication config")
            spec = {**spec, "name": f"dms-serverless-replication-{config_arn.rsplit(':', 1)[-1]}"}
        self.logs.create_log_group(logGroupName=spec["name"])
        if spec.get("retention_days"):
            self.logs.put_retention_policy(logGroupName=spec["name"], retentionInDays=int(spec["retention_days"]))
        for stream in spec.get("streams", []):
            if stream.get("task"):
                # DMS names a task's stream after the resource id at the end of its ARN.
                task_arn = self.ref(self.tasks, stream["task"], "task")
                stream = {**stream, "name": f"dms-task-{task_arn.rsplit(':', 1)[-1]}"}
            self.logs.create_log_stream(logGroupName=spec["name"], logStreamName=stream["name"])
            events = sorted(
                (
                    {
                        "timestamp": int(datetime.fromisoformat(when(e.get("at", "-1h"), self.l.now)).timestamp() * 1000),
                        "message": e["message"],
                    }
                    for e in stream.get("events", [])
                ),
                key=lambda e: e["timestamp"],
            )
            if events:
                self.logs.put_log_events(logGroupName=spec["name"], logStreamName=stream["name"], logEvents=events)
        self.record("log_groups", spec["name"])


# ---------------------------------------------------------------- generators


def earliest_clock(spec: Any) -> str:
    """A CloudTrail clock a day before the earliest relative time ("-40d") a region's
    spec names, or "now" when it names none."""
    days = 0.0

    def visit(value: Any) -> None:
        nonlocal days
        if isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, str):
            match = RELATIVE.match(value)
            if match and match["sign"] == "-":
                delta = timedelta(**{UNITS[match["unit"]]: float(match["n"])})
                days = max(days, delta.total_seconds() / 86400)

    visit(spec)
    return f"-{math.ceil(days) + 1}d" if days else "now"


def default_mappings() -> dict:
    return {"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "all",
                       "object-locator": {"schema-name": "%", "table-name": "%"}, "rule-action": "include"}]}


def table_statistics(spec: Any) -> list:
    """Explicit rows, or {"generate": {...}}: N tables spread over schemas."""
    if not spec:
        return []
    if isinstance(spec, list):
        return spec
    gen = spec.get("generate", {})
    count = int(gen.get("count", 10))
    schemas = gen.get("schemas", ["public"])
    rows = []
    errored = int(gen.get("errored", 0))
    for i in range(count):
        failed = i < errored
        rows.append({
            "SchemaName": schemas[i % len(schemas)],
            "TableName": f"{gen.get('prefix', 'table')}_{i + 1:03d}",
            "Inserts": int(gen.get("inserts", 0)),
            "Updates": int(gen.get("updates", 0)),
            "Deletes": int(gen.get("deletes", 0)),
            "Ddls": 0,
            "FullLoadRows": int(gen.get("rows", 1000)),
            "FullLoadCondtnlChkFailedRows": 0,
            "FullLoadErrorRows": 0,
            "FullLoadStartTime": gen.get("full_load_start", "-40d"),
            "FullLoadEndTime": gen.get("full_load_end", "-39d"),
            "FullLoadReloaded": False,
            "LastUpdateTime": gen.get("last_update", "-1h"),
            "TableState": "Table error" if failed else gen.get("state", "Table completed"),
            "ValidationPendingRecords": 0,
            "ValidationFailedRecords": int(gen.get("validation_failed", 0)),
            "ValidationSuspendedRecords": 0,
            "ValidationState": gen.get("validation", "Not enabled"),
        })
    return rows


def metric_points(spec: dict, now: datetime) -> list[tuple[datetime, float]]:
    """Hourly (or every `every_hours`) points ending at the current hour."""
    if "values" in spec:
        step = timedelta(hours=int(spec.get("every_hours", 1)))
        end = now.replace(minute=0, second=0, microsecond=0)
        values = spec["values"]
        return [(end - step * (len(values) - 1 - i), float(v)) for i, v in enumerate(values)]
    shape = spec.get("shape", {})
    hours = int(spec.get("hours", 24))
    every = int(spec.get("every_hours", 1))
    end = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=int(spec.get("ends_hours_ago", 0)))
    base = float(shape.get("base", 0))
    amplitude = float(shape.get("amplitude", 0))
    growth = float(shape.get("growth", 0))  # total added from first to last point
    points = []
    steps = max(1, hours // every)
    for i in range(steps):
        t = end - timedelta(hours=(steps - 1 - i) * every)
        fraction = i / max(1, steps - 1)
        value = base + growth * fraction + amplitude * math.sin(2 * math.pi * t.hour / 24)
        points.append((t, max(0.0, round(value, 3))))
    return points


def self_signed_pem(common_name: str, valid_days: int, not_before_days: int, now: datetime) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = now - timedelta(days=not_before_days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localstack/seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    results = []
    try:
        for path in args.files:
            results.append(Loader(args.endpoint, path, now).load())
    except ScenarioError as err:
        print(f"localstack/seed: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - an AWS call the emulator refused
        print(f"localstack/seed: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    json.dump(results[0] if len(results) == 1 else results, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
