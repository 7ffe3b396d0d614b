"""AWS DMS as the AWS SDK for Rust expects it, on top of moto 5.2.5.

Fixes (each could go upstream to moto):
- timestamps as epoch numbers (awsJson 1.1), not ISO strings, and no JSON nulls;
- MaxRecords/Marker paging, driven by botocore's paginator model;
- the defaults AWS fills in (PubliclyAccessible true, the account's aws/dms key,
  MultiAZ, AutoMinorVersionUpgrade, EngineVersion, SslMode none), endpoint status
  `active`, task status `ready` after creation, real subnet group VPC and subnets;
- read operations moto lacks, backed by state a scenario loader sets through the
  admin route (table statistics, account attributes, certificates, assessment runs,
  serverless replications, Schema Conversion projects, events, engine versions).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from . import cloudtrail, shapes
from .protocol import Call, Forward, Handler, Response, Service, error_response, json_response

DEFAULT_ENGINE_VERSION = "3.5.4"
DEFAULT_PAGE = 100
PAGE_LIMITS = {"DescribeTableStatistics": 500, "DescribeReplicationTableStatistics": 500}

# What DescribeEngineVersions answers: DMS engine releases with their lifecycle.
# Dates follow the DMS release notes; the emulator serves them as data.
ENGINE_VERSIONS = [
    {"Version": "3.4.7", "Lifecycle": "deprecated", "ReleaseStatus": "prod", "LaunchDate": "2022-06-06T00:00:00Z",
     "DeprecationDate": "2024-09-30T00:00:00Z", "ForceUpgradeDate": "2024-10-15T00:00:00Z", "AvailableUpgrades": ["3.5.3", "3.5.4"]},
    {"Version": "3.5.1", "Lifecycle": "deprecated", "ReleaseStatus": "prod", "LaunchDate": "2023-06-30T00:00:00Z",
     "DeprecationDate": "2025-03-31T00:00:00Z", "AvailableUpgrades": ["3.5.3", "3.5.4"]},
    {"Version": "3.5.2", "Lifecycle": "deprecated", "ReleaseStatus": "prod", "LaunchDate": "2023-10-29T00:00:00Z",
     "DeprecationDate": "2025-07-31T00:00:00Z", "AvailableUpgrades": ["3.5.3", "3.5.4"]},
    {"Version": "3.5.3", "Lifecycle": "available", "ReleaseStatus": "prod", "LaunchDate": "2024-05-17T00:00:00Z",
     "AvailableUpgrades": ["3.5.4"]},
    {"Version": "3.5.4", "Lifecycle": "available", "ReleaseStatus": "prod", "LaunchDate": "2024-12-16T00:00:00Z",
     "AvailableUpgrades": ["3.6.1"]},
    {"Version": "3.6.1", "Lifecycle": "available", "ReleaseStatus": "beta", "LaunchDate": "2025-08-01T00:00:00Z",
     "AvailableUpgrades": []},
]

# Default DMS quotas (DMS User Guide, "Quotas for AWS Database Migration Service").
DEFAULT_QUOTAS = {
    "ReplicationInstances": 60,
    "AllocatedStorage": 30000,
    "Endpoints": 1000,
    "ReplicationTasks": 600,
    "EndpointsPerInstance": 100,
    "ReplicationSubnetGroups": 60,
    "SubnetsPerReplicationSubnetGroup": 60,
    "EventSubscriptions": 60,
    "Certificates": 100,
}


# MaxRecords ranges the DMS API Reference documents ("Constraints: Minimum 20,
# maximum 100"; DescribeTableStatistics: maximum 500). Operations without a documented
# range accept what they are given.
MAX_RECORDS = {
    "DescribeReplicationInstances": (20, 100),
    "DescribeReplicationSubnetGroups": (20, 100),
    "DescribeEndpoints": (20, 100),
    "DescribeReplicationTasks": (20, 100),
    "DescribeEvents": (20, 100),
    "DescribeEventSubscriptions": (20, 100),
    "DescribeTableStatistics": (20, 500),
}

# The engine settings object DescribeEndpoints returns per engine, repeating the
# connection details even for endpoints created without settings (the Terraform AWS
# provider reads ServerName/Port/DatabaseName/Username back from these objects).
SETTINGS_OBJECT = {
    "mysql": "MySQLSettings", "mariadb": "MySQLSettings", "aurora": "MySQLSettings",
    "postgres": "PostgreSQLSettings", "aurora-postgresql": "PostgreSQLSettings",
    "oracle": "OracleSettings", "sqlserver": "MicrosoftSQLServerSettings",
    "sybase": "SybaseSettings", "db2": "IBMDb2Settings", "db2-zos": "IBMDb2Settings",
    "mongodb": "MongoDbSettings", "docdb": "DocDbSettings", "redshift": "RedshiftSettings",
    "gcp-mysql": "GcpMySQLSettings",
}


def resource_id() -> str:
    """A DMS-generated resource identifier, as AWS puts at the end of ARNs: 26 base32
    characters (A-Z, 2-7)."""
    return base64.b32encode(secrets.token_bytes(17)).decode()[:26]


def zone_for(region: str, name: str) -> str:
    """AWS places a resource created without an Availability Zone in one it picks;
    nothing guarantees `<region>a`. Deterministic per name, so scenarios repeat."""
    return f"{region}{'abc'[sum(name.encode()) % 3]}"


class DmsError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class DmsState:
    """What AWS derives itself and moto does not keep, for one account and region."""

    table_statistics: dict[str, list] = field(default_factory=dict)
    tasks: dict[str, dict] = field(default_factory=dict)
    instances: dict[str, dict] = field(default_factory=dict)
    certificates: dict[str, dict] = field(default_factory=dict)
    assessment_runs: list = field(default_factory=list)
    replication_configs: dict[str, dict] = field(default_factory=dict)
    replications: dict[str, dict] = field(default_factory=dict)
    replication_table_statistics: dict[str, list] = field(default_factory=dict)
    migration_projects: list = field(default_factory=list)
    data_providers: list = field(default_factory=list)
    events: list = field(default_factory=list)
    account_quotas: dict[str, int] = field(default_factory=dict)
    event_subscriptions: list = field(default_factory=list)
    metadata_assessments: dict[str, list] = field(default_factory=dict)


_LOCK = threading.RLock()
_STATE: dict[tuple[str, str], DmsState] = {}


def state(account: str, region: str) -> DmsState:
    with _LOCK:
        return _STATE.setdefault((account, region), DmsState())


def reset() -> None:
    with _LOCK:
        _STATE.clear()


def seed_state(doc: dict) -> dict:
    """Merges derived state from the admin route: dicts update, lists append."""
    account, region = doc.get("account"), doc.get("region")
    if not account or not region:
        raise DmsError("ValidationException", "state needs 'account' and 'region'")
    st = state(account, region)
    with _LOCK:
        for key, value in doc.items():
            if key in ("account", "region"):
                continue
            if not hasattr(st, key):
                raise DmsError("ValidationException", f"unknown state key '{key}'")
            current = getattr(st, key)
            if isinstance(current, dict) and isinstance(value, dict):
                for arn, item in value.items():
                    if isinstance(current.get(arn), dict) and isinstance(item, dict):
                        current[arn].update(item)
                    else:
                        current[arn] = item
            elif isinstance(current, list) and isinstance(value, list):
                current.extend(value)
            else:
                raise DmsError("ValidationException", f"state key '{key}' has the wrong type")
    return {"account": account, "region": region}


# ---------------------------------------------------------------- moto access


def _backend(call: Call):
    from moto.dms.models import dms_backends

    return dms_backends[call.account][call.region]


def aws_managed_key_arn(account: str, region: str, service: str = "dms") -> str:
    """The ARN of the account's `aws/<service>` key, created on first use as AWS does.

    moto 5.2.5 creates reserved-alias keys with KeyManager CUSTOMER and has no
    `aws/dms` at all; AWS-managed keys say KeyManager AWS and rotate yearly.
    """
    from moto.kms.models import kms_backends

    kms = kms_backends[account][region]
    alias = f"alias/aws/{service}"
    with _LOCK:
        key_id = next((k.id for k in kms.keys.values() if alias in k.aliases), None)
        if key_id is None:
            key = kms.create_key(
                policy=None,
                key_usage="ENCRYPT_DECRYPT",
                key_spec="SYMMETRIC_DEFAULT",
                description=f"Default key that protects my {service.upper()} data when no other key is defined",
                tags=None,
            )
            kms.create_alias(key.id, alias)
            key_id = key.id
        key = kms.keys[key_id]
        key.key_manager = "AWS"
        key.key_rotation_status = True
        return key.arn


def _subnet_group_view(call: Call, ident: str | None, base: dict | None) -> dict | None:
    """A subnet group with the VPC and subnets EC2 really has (moto says vpc-12345)."""
    if not ident:
        return base
    group = _backend(call).replication_subnet_groups.get(ident)
    if group is None:
        return base
    view = dict(base or group.to_dict())
    view["ReplicationSubnetGroupDescription"] = group.description
    subnet_ids = group.subnetIds or []
    try:
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[call.account][call.region]
        subnets = [ec2.get_subnet(sid) for sid in subnet_ids]
    except Exception:  # noqa: BLE001 - unknown subnet ids: keep what moto said
        return view
    if subnets:
        view["VpcId"] = subnets[0].vpc_id
        view["Subnets"] = [
            {"SubnetIdentifier": s.id, "SubnetAvailabilityZone": {"Name": s.availability_zone}, "SubnetStatus": "Active"}
            for s in subnets
        ]
    return view


def _fix_new_subnet_group(call: Call, request: dict, payload: dict) -> None:
    """moto 5.2.5 drops the SubnetIds of a new subnet group; keep them."""
    ident = request.get("ReplicationSubnetGroupIdentifier")
    group = _backend(call).replication_subnet_groups.get(ident)
    if group is None:
        return
    group.subnetIds = list(request.get("SubnetIds") or [])
    payload["ReplicationSubnetGroup"] = _subnet_group_view(call, ident, group.to_dict())


def _fix_new_instance(call: Call, request: dict, payload: dict) -> None:
    """AWS's defaults for a replication instance created without them."""
    arn = payload.get("ReplicationInstance", {}).get("ReplicationInstanceArn")
    inst = next((i for i in _backend(call).replication_instances.values() if i.arn == arn), None)
    if inst is None:
        return
    if inst.kms_key_id is None:
        inst.kms_key_id = aws_managed_key_arn(call.account, call.region)
    if inst.publicly_accessible is None:
        inst.publicly_accessible = True
        inst.public_ip_addresses = [f"54.{len(inst.id) % 250}.{abs(hash(inst.id)) % 250}.10"]
    if inst.multi_az is None:
        inst.multi_az = False
    if inst.auto_minor_version_upgrade is None:
        inst.auto_minor_version_upgrade = True
    if inst.engine_version is None:
        inst.engine_version = DEFAULT_ENGINE_VERSION
    if inst.availability_zone is None:
        inst.availability_zone = zone_for(call.region, inst.id)
    _rekey(call, _backend(call).replication_instances, inst, "rep")
    payload["ReplicationInstance"] = inst.to_dict()


def _rekey(call: Call, table: dict, resource, kind: str) -> None:
    """Gives a new resource the resource id AWS ends its ARN with (moto uses the
    identifier): the one the request named (DMS API Reference, CreateReplicationTask
    ResourceIdentifier: "the resource identifier at the end of the ... Arn"), else a
    random one as DMS generates."""
    named = getattr(resource, "resource_identifier", None)
    old = resource.arn
    new = f"arn:aws:dms:{call.region}:{call.account}:{kind}:{named or resource_id()}"
    if new == old:
        return
    backend = _backend(call)
    with _LOCK:
        table.pop(old, None)
        table[new] = resource
        resource.arn = new
        tags = backend.tagger.list_tags_for_resource(old).get("Tags", [])
        if tags:
            backend.tagger.tag_resource(new, tags)
            backend.tagger.delete_all_tags_for_resource(old)


def _fix_new_endpoint(call: Call, request: dict, payload: dict) -> None:
    arn = payload.get("Endpoint", {}).get("EndpointArn")
    endpoint = next((e for e in _backend(call).endpoints.values() if e.endpoint_arn == arn), None)
    if endpoint is None:
        return
    if endpoint.ssl_mode is None:
        endpoint.ssl_mode = "none"
    if endpoint.kms_key_id is None:
        endpoint.kms_key_id = aws_managed_key_arn(call.account, call.region)
    endpoint.status = "active"
    payload["Endpoint"] = endpoint.to_dict()


def _fix_new_task(call: Call, request: dict, payload: dict) -> None:
    arn = payload.get("ReplicationTask", {}).get("ReplicationTaskArn")
    task = _backend(call).replication_tasks.get(arn)
    if task is not None:
        task.ready()
        task.creation_date = cloudtrail.clock(call.account, call.region)
        task.resource_identifier = request.get("ResourceIdentifier")
        _rekey(call, _backend(call).replication_tasks, task, "task")
        _set_log_names(call, task)
        payload["ReplicationTask"] = _task_view(call, task.to_dict(), task)


def _set_log_names(call: Call, task) -> None:
    """DMS fills Logging.CloudWatchLogGroup/CloudWatchLogStream itself when logging is
    on (DMS User Guide, "Logging task settings": dms-tasks-<instance>, dms-task-<id>)."""
    try:
        settings = json.loads(task.replication_task_settings or "{}")
    except ValueError:
        return
    logging = settings.get("Logging")
    if not isinstance(logging, dict) or not logging.get("EnableLogging"):
        return
    instance = next(
        (i for i in _backend(call).replication_instances.values() if i.arn == task.replication_instance_arn), None
    )
    if instance is not None:
        logging["CloudWatchLogGroup"] = f"dms-tasks-{instance.id}"
    logging["CloudWatchLogStream"] = f"dms-task-{task.arn.rsplit(':', 1)[-1]}"
    task.replication_task_settings = json.dumps(settings)


def _endpoint_view(call: Call, item: dict) -> dict:
    """An endpoint as DescribeEndpoints returns it on AWS: the engine settings object
    repeats the connection details, whatever settings were given."""
    name = SETTINGS_OBJECT.get((item.get("EngineName") or "").lower())
    if name:
        echoed = {k: item[k] for k in ("ServerName", "Port", "DatabaseName", "Username") if item.get(k) is not None}
        if echoed:
            item[name] = {**echoed, **(item.get(name) or {})}
    return item


def _task_view(call: Call, item: dict, task=None) -> dict:
    """A task as AWS reports it: honest stats, and the state the scenario set."""
    arn: str = item.get("ReplicationTaskArn", "")
    if task is None:
        task = _backend(call).replication_tasks.get(arn)
    started = getattr(task, "start_date", None)
    stats = {
        "FullLoadProgressPercent": 0,
        "ElapsedTimeMillis": 0,
        "TablesLoaded": 0,
        "TablesLoading": 0,
        "TablesQueued": 0,
        "TablesErrored": 0,
    }
    if started:
        stats.update({"FreshStartDate": started, "StartDate": started, "FullLoadStartDate": started})
    if getattr(task, "stop_date", None):
        stats["StopDate"] = task.stop_date
    item["ReplicationTaskStats"] = stats
    override = state(call.account, call.region).tasks.get(arn, {})
    for key, value in override.items():
        if key == "ReplicationTaskStats" and isinstance(value, dict):
            item["ReplicationTaskStats"] = {**stats, **value}
        else:
            item[key] = value
    return item


# ---------------------------------------------------------------- paging


def _encode_marker(offset: int) -> str:
    return base64.urlsafe_b64encode(f"dmsemu:{offset}".encode()).decode()


def _decode_marker(marker: str) -> int:
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        prefix, offset = text.split(":", 1)
        if prefix != "dmsemu":
            raise ValueError(marker)
        return int(offset)
    except ValueError as err:
        raise DmsError("InvalidParameterValueException", f"Invalid Marker: {marker}") from err


def page(op: str, request: dict, payload: dict) -> dict:
    """Applies MaxRecords/Marker to the result list of a paged operation."""
    config = shapes.paginator_config("dms").get(op)
    if not config:
        return payload
    result_key = config["result_key"]
    items = payload.get(result_key) or []
    limit = PAGE_LIMITS.get(op, DEFAULT_PAGE)
    size = request.get("MaxRecords") or DEFAULT_PAGE
    low, high = MAX_RECORDS.get(op, (1, limit))
    if not low <= int(size) <= high:
        raise DmsError(
            "InvalidParameterValueException",
            f"MaxRecords must be between {low} and {high} for {op}; got {size}",
        )
    size = min(int(size), limit)
    start = _decode_marker(request["Marker"]) if request.get("Marker") else 0
    payload[result_key] = items[start : start + size]
    payload.pop("Marker", None)
    if start + size < len(items):
        payload["Marker"] = _encode_marker(start + size)
    return payload


# ---------------------------------------------------------------- filters


def _filters(request: dict) -> dict[str, set[str]]:
    return {f.get("Name"): set(f.get("Values") or []) for f in request.get("Filters") or []}


def _match(item: dict, filters: dict[str, set[str]], names: dict[str, Callable[[dict], Any]]) -> bool:
    for name, values in filters.items():
        getter = names.get(name)
        if getter is None:
            raise DmsError("InvalidParameterValueException", f"The filter '{name}' is not valid for this operation")
        if getter(item) not in values:
            return False
    return True


def _now() -> datetime:
    return datetime.now(UTC)


def _dated(call: Call) -> str:
    """Now by the account and region's CloudTrail clock (which a scenario moves into the
    past): AWS dates a serverless configuration and its replication by the call."""
    return cloudtrail.clock(call.account, call.region).replace(tzinfo=UTC).isoformat()


# ---------------------------------------------------------------- own operations


def _require_task(call: Call, arn: str) -> None:
    if arn not in _backend(call).replication_tasks:
        raise DmsError("ResourceNotFoundFault", f"Replication Task {arn} not found")


def describe_table_statistics(call: Call, req: dict) -> dict:
    arn = req.get("ReplicationTaskArn", "")
    _require_task(call, arn)
    override = state(call.account, call.region).tasks.get(arn, {})
    if override.get("Status") in ("creating", "deleting", "moving", "failed-move"):
        # DMS API Reference, DescribeTableStatistics errors: InvalidResourceStateFault.
        raise DmsError("InvalidResourceStateFault", f"Replication task {arn} is {override['Status']}")
    rows = state(call.account, call.region).table_statistics.get(arn, [])
    filters = _filters(req)
    names = {
        "schema-name": lambda r: r.get("SchemaName"),
        "table-name": lambda r: r.get("TableName"),
        "table-state": lambda r: r.get("TableState"),
    }
    return {"ReplicationTaskArn": arn, "TableStatistics": [r for r in rows if _match(r, filters, names)]}


def describe_account_attributes(call: Call, req: dict) -> dict:
    backend = _backend(call)
    used = {
        "ReplicationInstances": len(backend.replication_instances),
        "AllocatedStorage": sum(int(i.allocated_storage or 0) for i in backend.replication_instances.values()),
        "Endpoints": len(backend.endpoints),
        "ReplicationTasks": len(backend.replication_tasks),
        "ReplicationSubnetGroups": len(backend.replication_subnet_groups),
        "Certificates": len(state(call.account, call.region).certificates),
        "EventSubscriptions": 0,
        "EndpointsPerInstance": 0,
        "SubnetsPerReplicationSubnetGroup": max(
            [len(g.subnetIds or []) for g in backend.replication_subnet_groups.values()] or [0]
        ),
    }
    quotas = {**DEFAULT_QUOTAS, **state(call.account, call.region).account_quotas}
    return {
        "AccountQuotas": [{"AccountQuotaName": name, "Used": used.get(name, 0), "Max": mx} for name, mx in quotas.items()],
        "UniqueAccountIdentifier": f"{call.account[-4:]}{call.region.replace('-', '')[:6]}",
    }


def import_certificate(call: Call, req: dict) -> dict:
    from cryptography import x509

    ident = req.get("CertificateIdentifier")
    pem = req.get("CertificatePem")
    if not ident or not pem:
        raise DmsError("InvalidParameterValueException", "CertificateIdentifier and CertificatePem are required")
    st = state(call.account, call.region)
    if any(c["CertificateIdentifier"] == ident for c in st.certificates.values()):
        raise DmsError("ResourceAlreadyExistsFault", f"Certificate {ident} already exists")
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError as err:
        raise DmsError("InvalidCertificateFault", f"The certificate is not a valid PEM: {err}") from err
    arn = f"arn:aws:dms:{call.region}:{call.account}:cert:{uuid.uuid4().hex[:26].upper()}"
    key = cert.public_key()
    record = {
        "CertificateIdentifier": ident,
        "CertificateCreationDate": _now().isoformat(),
        "CertificatePem": pem,
        "CertificateArn": arn,
        "CertificateOwner": call.account,
        "ValidFromDate": cert.not_valid_before_utc.isoformat(),
        "ValidToDate": cert.not_valid_after_utc.isoformat(),
        "SigningAlgorithm": cert.signature_algorithm_oid._name,  # noqa: SLF001 - the OID's name has no public accessor
        "KeyLength": getattr(key, "key_size", 0),
    }
    with _LOCK:
        st.certificates[arn] = record
    if req.get("Tags"):
        _backend(call).tagger.tag_resource(arn, req["Tags"])
    return {"Certificate": record}


def describe_certificates(call: Call, req: dict) -> dict:
    names = {"certificate-id": lambda c: c["CertificateIdentifier"], "certificate-arn": lambda c: c["CertificateArn"]}
    filters = _filters(req)
    certs = state(call.account, call.region).certificates.values()
    return {"Certificates": [c for c in certs if _match(c, filters, names)]}


def delete_certificate(call: Call, req: dict) -> dict:
    st = state(call.account, call.region)
    with _LOCK:
        cert = st.certificates.pop(req.get("CertificateArn", ""), None)
    if cert is None:
        raise DmsError("ResourceNotFoundFault", f"Certificate {req.get('CertificateArn')} not found")
    return {"Certificate": cert}


def describe_assessment_runs(call: Call, req: dict) -> dict:
    names = {
        "replication-task-assessment-run-arn": lambda r: r.get("ReplicationTaskAssessmentRunArn"),
        "replication-task-arn": lambda r: r.get("ReplicationTaskArn"),
        "status": lambda r: r.get("Status"),
    }
    filters = _filters(req)
    runs = state(call.account, call.region).assessment_runs
    return {"ReplicationTaskAssessmentRuns": [r for r in runs if _match(r, filters, names)]}


def create_replication_config(call: Call, req: dict) -> dict:
    ident = req.get("ReplicationConfigIdentifier")
    for required in ("ReplicationConfigIdentifier", "SourceEndpointArn", "TargetEndpointArn", "ComputeConfig",
                     "ReplicationType", "TableMappings"):
        if not req.get(required):
            raise DmsError("InvalidParameterValueException", f"{required} is required")
    backend = _backend(call)
    known = {e.endpoint_arn for e in backend.endpoints.values()}
    for arn in (req["SourceEndpointArn"], req["TargetEndpointArn"]):
        if arn not in known:
            raise DmsError("ResourceNotFoundFault", f"Endpoint {arn} not found")
    st = state(call.account, call.region)
    if any(c["ReplicationConfigIdentifier"] == ident for c in st.replication_configs.values()):
        raise DmsError("ResourceAlreadyExistsFault", f"Replication config {ident} already exists")
    arn = f"arn:aws:dms:{call.region}:{call.account}:replication-config:{uuid.uuid4().hex[:26].upper()}"
    compute = dict(req["ComputeConfig"])
    compute.setdefault("MultiAZ", False)
    compute.setdefault("KmsKeyId", aws_managed_key_arn(call.account, call.region))
    record = {
        "ReplicationConfigIdentifier": ident,
        "ReplicationConfigArn": arn,
        "SourceEndpointArn": req["SourceEndpointArn"],
        "TargetEndpointArn": req["TargetEndpointArn"],
        "ReplicationType": req["ReplicationType"],
        "ComputeConfig": compute,
        "ReplicationSettings": req.get("ReplicationSettings") or "{}",
        "SupplementalSettings": req.get("SupplementalSettings") or "{}",
        "TableMappings": req["TableMappings"],
        "ReplicationConfigCreateTime": _dated(call),
        "ReplicationConfigUpdateTime": _dated(call),
    }
    with _LOCK:
        st.replication_configs[arn] = record
    if req.get("Tags"):
        backend.tagger.tag_resource(arn, req["Tags"])
    return {"ReplicationConfig": record}


def describe_replication_configs(call: Call, req: dict) -> dict:
    names = {
        "replication-config-arn": lambda c: c["ReplicationConfigArn"],
        "replication-config-id": lambda c: c["ReplicationConfigIdentifier"],
    }
    filters = _filters(req)
    configs = state(call.account, call.region).replication_configs.values()
    return {"ReplicationConfigs": [c for c in configs if _match(c, filters, names)]}


def _config(call: Call, req: dict) -> tuple[DmsState, str, dict]:
    """The account and region's state, and the configuration `ReplicationConfigArn` names."""
    st = state(call.account, call.region)
    arn = req.get("ReplicationConfigArn", "")
    config = st.replication_configs.get(arn)
    if config is None:
        raise DmsError("ResourceNotFoundFault", f"Replication config {arn} not found")
    return st, arn, config


MODIFIABLE_CONFIG = ("ReplicationConfigIdentifier", "ReplicationType", "TableMappings", "ReplicationSettings",
                     "SupplementalSettings", "SourceEndpointArn", "TargetEndpointArn")


def modify_replication_config(call: Call, req: dict) -> dict:
    """ModifyReplicationConfig (DMS API Reference): the members given replace the
    configuration's (ComputeConfig's members one by one). "You can only modify a replication
    configuration before any replication that uses it has started ... even if you stop it.
    Other run statuses that allow you to run this command include FAILED and CREATED":
    refused with InvalidResourceStateFault otherwise."""
    st, arn, config = _config(call, req)
    run = st.replications.get(arn, {})
    status = str(run.get("Status", "created")).lower()
    if run.get("StartReplicationType") and status not in ("failed", "created"):
        raise DmsError("InvalidResourceStateFault",
                       f"Replication config {arn} cannot be modified: its replication has started (status {status})")
    known = {e.endpoint_arn for e in _backend(call).endpoints.values()}
    for member in ("SourceEndpointArn", "TargetEndpointArn"):
        if member in req and req[member] not in known:
            raise DmsError("ResourceNotFoundFault", f"Endpoint {req[member]} not found")
    with _LOCK:
        for member in MODIFIABLE_CONFIG:
            if member in req:
                config[member] = req[member]
        if isinstance(req.get("ComputeConfig"), dict):
            config["ComputeConfig"] = {**config["ComputeConfig"], **req["ComputeConfig"]}
        config["ReplicationConfigUpdateTime"] = _dated(call)
    return {"ReplicationConfig": dict(config)}


def stop_replication(call: Call, req: dict) -> dict:
    """StopReplication: a running replication stops (Status stopped, StopDate now)."""
    st, arn, config = _config(call, req)
    now = _dated(call)
    with _LOCK:
        run = st.replications.get(arn)
        if not run or str(run.get("Status", "")).lower() != "running":
            raise DmsError("InvalidResourceStateFault", f"Replication {arn} is not running")
        run.update({"Status": "stopped", "StopReason": "Stop Reason NORMAL", "ReplicationUpdateTime": now})
        run.setdefault("ReplicationStats", {})["StopDate"] = now
    return {"Replication": _replication_view(config, run)}


def delete_replication_config(call: Call, req: dict) -> dict:
    st = state(call.account, call.region)
    with _LOCK:
        record = st.replication_configs.pop(req.get("ReplicationConfigArn", ""), None)
        st.replications.pop(req.get("ReplicationConfigArn", ""), None)
    if record is None:
        raise DmsError("ResourceNotFoundFault", "Replication config not found")
    return {"ReplicationConfig": record}


def _replication_view(config: dict, override: dict) -> dict:
    item = {
        "ReplicationConfigIdentifier": config["ReplicationConfigIdentifier"],
        "ReplicationConfigArn": config["ReplicationConfigArn"],
        "SourceEndpointArn": config["SourceEndpointArn"],
        "TargetEndpointArn": config["TargetEndpointArn"],
        "ReplicationType": config["ReplicationType"],
        "Status": "created",
        "ReplicationCreateTime": config["ReplicationConfigCreateTime"],
        "ReplicationUpdateTime": config["ReplicationConfigUpdateTime"],
    }
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(item.get(key), dict):
            item[key] = {**item[key], **value}
        else:
            item[key] = value
    return item


def start_replication(call: Call, req: dict) -> dict:
    st, arn, config = _config(call, req)
    now = _dated(call)
    with _LOCK:
        override = st.replications.setdefault(arn, {})
        override.update({"Status": "running", "StartReplicationType": req.get("StartReplicationType", "start-replication"),
                         "ReplicationUpdateTime": now})
        override.setdefault("ReplicationStats", {"StartDate": now, "FreshStartDate": now, "FullLoadStartDate": now})
    return {"Replication": _replication_view(config, override)}


def describe_replications(call: Call, req: dict) -> dict:
    st = state(call.account, call.region)
    names = {
        "replication-config-arn": lambda r: r["ReplicationConfigArn"],
        "replication-config-id": lambda r: r["ReplicationConfigIdentifier"],
        "replication-type": lambda r: r["ReplicationType"],
    }
    filters = _filters(req)
    items = [_replication_view(c, st.replications.get(arn, {})) for arn, c in st.replication_configs.items()]
    return {"Replications": [r for r in items if _match(r, filters, names)]}


def describe_replication_table_statistics(call: Call, req: dict) -> dict:
    st = state(call.account, call.region)
    arn = req.get("ReplicationConfigArn", "")
    if arn not in st.replication_configs:
        raise DmsError("ResourceNotFoundFault", f"Replication config {arn} not found")
    provision = (st.replications.get(arn, {}).get("ProvisionData") or {}).get("ProvisionState")
    if provision in ("deprovisioned", "deprovisioning"):
        # A deprovisioned serverless replication answers InvalidResourceStateFault
        # (DMS API Reference, DescribeReplicationTableStatistics errors).
        raise DmsError("InvalidResourceStateFault", f"Replication {arn} is {provision}")
    names = {
        "schema-name": lambda r: r.get("SchemaName"),
        "table-name": lambda r: r.get("TableName"),
        "table-state": lambda r: r.get("TableState"),
    }
    filters = _filters(req)
    rows = st.replication_table_statistics.get(arn, [])
    return {"ReplicationConfigArn": arn, "ReplicationTableStatistics": [r for r in rows if _match(r, filters, names)]}


def describe_event_subscriptions(call: Call, req: dict) -> dict:
    subs = state(call.account, call.region).event_subscriptions
    name = req.get("SubscriptionName")
    return {"EventSubscriptionsList": [s for s in subs if not name or s.get("CustSubscriptionId") == name]}


def describe_metadata_model_assessments(call: Call, req: dict) -> dict:
    project = req.get("MigrationProjectIdentifier")
    if not project:
        raise DmsError("InvalidParameterValueException", "MigrationProjectIdentifier is required")
    st = state(call.account, call.region)
    if not any(p.get("MigrationProjectArn") == project or p.get("MigrationProjectName") == project
               for p in st.migration_projects):
        raise DmsError("ResourceNotFoundFault", f"Migration project {project} not found")
    return {"Requests": list(st.metadata_assessments.get(project, []))}


def describe_migration_projects(call: Call, req: dict) -> dict:
    names = {"migration-project-identifier": lambda p: p.get("MigrationProjectArn")}
    filters = _filters(req)
    items = state(call.account, call.region).migration_projects
    return {"MigrationProjects": [p for p in items if _match(p, filters, names)]}


def describe_data_providers(call: Call, req: dict) -> dict:
    names = {"data-provider-identifier": lambda p: p.get("DataProviderArn")}
    filters = _filters(req)
    items = state(call.account, call.region).data_providers
    return {"DataProviders": [p for p in items if _match(p, filters, names)]}


def describe_events(call: Call, req: dict) -> dict:
    now = _now()
    end = shapes.to_datetime(req["EndTime"]) if req.get("EndTime") else now
    if req.get("StartTime"):
        start = shapes.to_datetime(req["StartTime"])
    else:
        start = end - timedelta(minutes=int(req.get("Duration") or 60))
    out = []
    for event in state(call.account, call.region).events:
        when = shapes.to_datetime(event.get("Date"))
        if not isinstance(when, datetime) or not (start <= when <= end):
            continue
        if req.get("SourceType") and event.get("SourceType") != req["SourceType"]:
            continue
        if req.get("SourceIdentifier") and event.get("SourceIdentifier") != req["SourceIdentifier"]:
            continue
        if req.get("EventCategories") and not set(req["EventCategories"]) & set(event.get("EventCategories") or []):
            continue
        out.append(event)
    out.sort(key=lambda e: shapes.to_epoch(e.get("Date")))
    return {"Events": out}


def describe_engine_versions(call: Call, req: dict) -> dict:
    return {"EngineVersions": [dict(v) for v in ENGINE_VERSIONS]}


def add_tags_to_resource(call: Call, req: dict) -> dict:
    arn, tags = req.get("ResourceArn"), req.get("Tags") or []
    if not arn:
        raise DmsError("InvalidParameterValueException", "ResourceArn is required")
    if not _known_arn(call, arn):
        raise DmsError("ResourceNotFoundFault", f"Resource {arn} not found")
    _backend(call).tagger.tag_resource(arn, tags)
    return {}


def remove_tags_from_resource(call: Call, req: dict) -> dict:
    _backend(call).tagger.untag_resource_using_names(req.get("ResourceArn", ""), req.get("TagKeys") or [])
    return {}


def list_tags_for_resource(call: Call, req: dict) -> dict:
    arns = req.get("ResourceArnList") or ([req["ResourceArn"]] if req.get("ResourceArn") else [])
    if not arns:
        raise DmsError("InvalidParameterValueException", "Either ResourceArn or ResourceArnList must be given")
    if req.get("ResourceArn") and req.get("ResourceArnList"):
        raise DmsError("InvalidParameterCombinationException", "Give ResourceArn or ResourceArnList, not both")
    return {"TagList": _backend(call).list_tags_for_resource(arns)}


def _known_arn(call: Call, arn: str) -> bool:
    backend = _backend(call)
    st = state(call.account, call.region)
    return (
        any(e.endpoint_arn == arn for e in backend.endpoints.values())
        or arn in backend.replication_tasks
        or any(i.arn == arn for i in backend.replication_instances.values())
        or arn in st.certificates
        or arn in st.replication_configs
        or ":subgrp:" in arn
    )


# ---------------------------------------------------------------- modify operations
# moto 5.2.5 answers ModifyEndpoint and ModifyReplicationTask with an HTML 500 (not
# implemented). They update the resource in place, as the DMS API Reference describes,
# and answer the resource as Describe* shows it.

# ModifyEndpoint request members and the moto Endpoint attributes they set.
_ENDPOINT_FIELDS = {
    "EndpointIdentifier": "endpoint_identifier", "EndpointType": "endpoint_type", "EngineName": "engine_name",
    "Username": "username", "Password": "password", "ServerName": "server_name", "Port": "port",
    "DatabaseName": "database_name", "ExtraConnectionAttributes": "extra_connection_attributes",
    "CertificateArn": "certificate_arn", "SslMode": "ssl_mode", "ServiceAccessRoleArn": "service_access_role_arn",
    "ExternalTableDefinition": "external_table_definition", "DynamoDbSettings": "dynamo_db_settings",
    "S3Settings": "s3_settings", "DmsTransferSettings": "dms_transfer_settings",
    "MongoDbSettings": "mongo_db_settings", "KinesisSettings": "kinesis_settings", "KafkaSettings": "kafka_settings",
    "ElasticsearchSettings": "elasticsearch_settings", "NeptuneSettings": "neptune_settings",
    "RedshiftSettings": "redshift_settings", "PostgreSQLSettings": "postgre_sql_settings",
    "MySQLSettings": "my_sql_settings", "OracleSettings": "oracle_settings", "SybaseSettings": "sybase_settings",
    "MicrosoftSQLServerSettings": "microsoft_sql_server_settings", "IBMDb2Settings": "ibm_db2_settings",
    "DocDbSettings": "doc_db_settings", "RedisSettings": "redis_settings", "GcpMySQLSettings": "gcp_my_sql_settings",
    "TimestreamSettings": "timestream_settings",
}


def modify_endpoint(call: Call, req: dict) -> dict:
    """ModifyEndpoint: the members given replace the endpoint's (DMS API Reference)."""
    arn = req.get("EndpointArn", "")
    endpoint = next((e for e in _backend(call).endpoints.values() if e.endpoint_arn == arn), None)
    if endpoint is None:
        raise DmsError("ResourceNotFoundFault", f"Endpoint {arn} not found")
    with _LOCK:
        for member, attribute in _ENDPOINT_FIELDS.items():
            if member in req:
                setattr(endpoint, attribute, req[member])
    return {"Endpoint": _endpoint_view(call, endpoint.to_dict())}


def modify_replication_task(call: Call, req: dict) -> dict:
    """ModifyReplicationTask: "You can't modify the task endpoints. The task must be
    stopped before you can modify it" (DMS API Reference)."""
    arn = req.get("ReplicationTaskArn", "")
    task = _backend(call).replication_tasks.get(arn)
    if task is None:
        raise DmsError("ResourceNotFoundFault", f"Replication task {arn} not found")
    status = (state(call.account, call.region).tasks.get(arn) or {}).get("Status", task.status)
    if status in ("running", "starting", "creating", "deleting", "modifying", "moving"):
        raise DmsError("InvalidResourceStateFault", f"Replication task {arn} is {status}; stop it first")
    with _LOCK:
        if "ReplicationTaskIdentifier" in req:
            task.id = req["ReplicationTaskIdentifier"]
        if "MigrationType" in req:
            task.migration_type = req["MigrationType"]
        if "TableMappings" in req:
            task.table_mappings = req["TableMappings"]
        if "ReplicationTaskSettings" in req:
            task.replication_task_settings = req["ReplicationTaskSettings"]
            _set_log_names(call, task)
    answer = {"ReplicationTask": _task_view(call, task.to_dict(), task)}
    _event(call, req, answer)
    return answer


# ---------------------------------------------------------------- fixes to moto's answers
# Each takes the call, its request and moto's decoded answer, and fixes the answer in place.

Fix = Callable[[Call, dict, dict], None]


def _dated_by_clock(call: Call, request: dict, payload: dict) -> None:
    """Moto dates a task's start and stop by the real clock; AWS by when the call was
    made, which a scenario moves into the past with the CloudTrail clock: the task's
    ReplicationTaskStartDate and its statistics' StartDate/StopDate follow it."""
    arn = payload.get("ReplicationTask", {}).get("ReplicationTaskArn")
    task = _backend(call).replication_tasks.get(arn)
    if task is None:
        return
    attribute = "start_date" if call.operation == "StartReplicationTask" else "stop_date"
    with _LOCK:
        setattr(task, attribute, cloudtrail.clock(call.account, call.region))
    payload["ReplicationTask"] = task.to_dict()


# The events DMS itself records for the calls that cause them (DMS User Guide, "Working
# with events and notifications in AWS Database Migration Service", CHAP_Events: the
# replication instance and replication task tables). AWS documents each event's id,
# category and description, not its message text: the description stands in for it.
_EVENTS: dict[str, tuple[str, str, str, str]] = {
    "CreateReplicationInstance": ("replication-instance", "creation", "DMS-EVENT-0005",
                                  "A replication instance is created."),
    "DeleteReplicationInstance": ("replication-instance", "deletion", "DMS-EVENT-0003",
                                  "The replication instance is deleted."),
    "CreateReplicationTask": ("replication-task", "creation", "DMS-EVENT-0074", "The replication task is created."),
    "StartReplicationTask": ("replication-task", "state change", "DMS-EVENT-0069",
                             "The replication task has started."),
    "StopReplicationTask": ("replication-task", "state change", "DMS-EVENT-0079", "The replication task has stopped."),
    "ModifyReplicationTask": ("replication-task", "configuration change", "DMS-EVENT-0080",
                              "The replication task is modified."),
    "DeleteReplicationTask": ("replication-task", "deletion", "DMS-EVENT-0073", "The replication task is deleted."),
}


def _event(call: Call, request: dict, payload: dict) -> None:
    """Records the DMS event of a call that succeeded, dated by the CloudTrail clock and
    named by the resource's identifier (CreateEventSubscription: SourceIds are
    identifiers), for DescribeEvents."""
    source_type, category, _event_id, message = _EVENTS[call.operation]
    kind = "ReplicationTask" if source_type == "replication-task" else "ReplicationInstance"
    identifier = (payload.get(kind) or {}).get(f"{kind}Identifier")
    if not identifier:
        return
    with _LOCK:
        state(call.account, call.region).events.append({
            "SourceIdentifier": identifier, "SourceType": source_type, "Message": message,
            "EventCategories": [category], "Date": _dated(call),
        })


def _task_result_view(call: Call, request: dict, payload: dict) -> None:
    if "ReplicationTask" in payload:
        payload["ReplicationTask"] = _task_view(call, payload["ReplicationTask"])


def _tasks_view(call: Call, request: dict, payload: dict) -> None:
    tasks = [_task_view(call, t) for t in payload.get("ReplicationTasks", [])]
    if request.get("WithoutSettings"):
        for t in tasks:
            t.pop("ReplicationTaskSettings", None)
            t.pop("TableMappings", None)
    payload["ReplicationTasks"] = tasks


def _endpoints_view(call: Call, request: dict, payload: dict) -> None:
    if isinstance(payload.get("Endpoint"), dict):
        payload["Endpoint"] = _endpoint_view(call, payload["Endpoint"])
    payload["Endpoints"] = [_endpoint_view(call, e) for e in payload.get("Endpoints", [])] or payload.get("Endpoints")
    if payload.get("Endpoints") is None:
        payload.pop("Endpoints", None)


def _instances_view(call: Call, request: dict, payload: dict) -> None:
    st = state(call.account, call.region)
    items = payload.get("ReplicationInstances") or [payload.get("ReplicationInstance")]
    for inst in filter(None, items):
        group = inst.get("ReplicationSubnetGroup") or {}
        inst["ReplicationSubnetGroup"] = _subnet_group_view(
            call, group.get("ReplicationSubnetGroupIdentifier"), group or None
        )
        inst.update(st.instances.get(inst.get("ReplicationInstanceArn"), {}))


def _subnet_groups_view(call: Call, request: dict, payload: dict) -> None:
    payload["ReplicationSubnetGroups"] = [
        _subnet_group_view(call, g.get("ReplicationSubnetGroupIdentifier"), g)
        for g in payload.get("ReplicationSubnetGroups", [])
    ]


# ---------------------------------------------------------------- the dispatch table


def _finish(call: Call, request: dict, payload: dict) -> Response:
    payload = page(call.operation, request, payload)
    op_model = shapes.operation("dms", call.operation)
    if op_model is not None and op_model.output_shape is not None:
        payload = shapes.walk(payload, op_model.output_shape, shapes.json_leaf)
    return json_response(payload)


def _own(operation: Callable[[Call, dict], dict]) -> Handler:
    """Serves an operation from the layer's own state (moto lacks it or gets it wrong)."""

    def handler(call: Call, forward: Forward) -> Response:
        request = call.json_body()
        try:
            return _finish(call, request, operation(call, request))
        except DmsError as err:
            return error_response(call, err.status, err.code, err.message)

    return handler


def _through_moto(*fixes: Fix) -> Handler:
    """Serves an operation through moto: the whole list (paging is done here, after
    the fixes), then each fix applied to moto's answer in turn."""

    def handler(call: Call, forward: Forward) -> Response:
        request = call.json_body()
        try:
            body = call.body
            if call.operation in shapes.paginator_config("dms"):
                stripped = {k: v for k, v in request.items() if k not in ("MaxRecords", "Marker")}
                body = json.dumps(stripped).encode()
            response = forward(body)
            if response.status != 200:
                return response
            try:
                payload = json.loads(response.body or b"{}")
            except ValueError:
                return response
            for fix in fixes:
                fix(call, request, payload)
            return _finish(call, request, payload)
        except DmsError as err:
            return error_response(call, err.status, err.code, err.message)

    return handler


OPERATIONS: dict[str, Handler] = {
    # moto's answer, fixed.
    "CreateReplicationSubnetGroup": _through_moto(_fix_new_subnet_group),
    "DescribeReplicationSubnetGroups": _through_moto(_subnet_groups_view),
    "CreateReplicationInstance": _through_moto(_fix_new_instance, _instances_view, _event),
    "DescribeReplicationInstances": _through_moto(_instances_view),
    "CreateEndpoint": _through_moto(_fix_new_endpoint, _endpoints_view),
    "DescribeEndpoints": _through_moto(_endpoints_view),
    "ModifyReplicationInstance": _through_moto(_instances_view),
    "CreateReplicationTask": _through_moto(_fix_new_task, _event),
    "StartReplicationTask": _through_moto(_dated_by_clock, _task_result_view, _event),
    "StopReplicationTask": _through_moto(_dated_by_clock, _task_result_view, _event),
    "DeleteReplicationTask": _through_moto(_task_result_view, _event),
    "DeleteReplicationInstance": _through_moto(_event),
    "DescribeReplicationTasks": _through_moto(_tasks_view),
    # The layer's own.
    "ModifyEndpoint": _own(modify_endpoint),
    "ModifyReplicationTask": _own(modify_replication_task),
    "DescribeTableStatistics": _own(describe_table_statistics),
    "DescribeAccountAttributes": _own(describe_account_attributes),
    "ImportCertificate": _own(import_certificate),
    "DescribeCertificates": _own(describe_certificates),
    "DeleteCertificate": _own(delete_certificate),
    "DescribeReplicationTaskAssessmentRuns": _own(describe_assessment_runs),
    "CreateReplicationConfig": _own(create_replication_config),
    "DescribeReplicationConfigs": _own(describe_replication_configs),
    "ModifyReplicationConfig": _own(modify_replication_config),
    "DeleteReplicationConfig": _own(delete_replication_config),
    "StartReplication": _own(start_replication),
    "StopReplication": _own(stop_replication),
    "DescribeReplications": _own(describe_replications),
    "DescribeReplicationTableStatistics": _own(describe_replication_table_statistics),
    "DescribeMigrationProjects": _own(describe_migration_projects),
    "DescribeEventSubscriptions": _own(describe_event_subscriptions),
    "DescribeMetadataModelAssessments": _own(describe_metadata_model_assessments),
    "DescribeDataProviders": _own(describe_data_providers),
    "DescribeEvents": _own(describe_events),
    "DescribeEngineVersions": _own(describe_engine_versions),
    "AddTagsToResource": _own(add_tags_to_resource),
    "RemoveTagsFromResource": _own(remove_tags_from_resource),
    "ListTagsForResource": _own(list_tags_for_resource),
}
# Any other DMS operation: moto's answer, paged here.
SERVICE = Service(OPERATIONS, default=_through_moto())
