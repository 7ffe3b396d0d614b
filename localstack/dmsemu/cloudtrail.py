"""AWS CloudTrail event history, as AWS keeps it, which moto 5.2.5 does not.

Every write call through the emulator (any service) is recorded for the caller's
account and region as a management event shaped like a CloudTrail record
(CloudTrail User Guide, "CloudTrail record contents"): eventVersion, userIdentity,
eventTime, eventSource, eventName, awsRegion, requestParameters and responseElements
in lowerCamelCase, sensitive members (botocore's `sensitive` shapes) as
HIDDEN_DUE_TO_SECURITY_REASONS, requestID, eventID, readOnly false, eventType
AwsApiCall, managementEvent, recipientAccountId, eventCategory Management.

LookupEvents serves them as the CloudTrail API Reference describes: "You can look up
events that occurred in a Region within the last 90 days"; one lookup attribute
("Currently the list can contain only one item"); StartTime/EndTime; MaxResults 1–50
(default 50); NextToken valid only with the same parameters; newest first; and "The
rate of lookup requests is limited to two per second, per account, per Region. If
this limit is exceeded, a throttling error occurs."

Known deviations: data events (PutMetricData, PutLogEvents, PutObject) are not in
event history, as on AWS; read-only calls are not recorded (AWS records them too, with
readOnly true); responseElements are recorded for JSON-protocol services only (query
and REST answers are XML). Timestamps in responseElements are written as CloudTrail writes
them ("Aug 10, 2022, 10:38:27 PM", UTC), not as the JSON protocol's epoch numbers.

Trails deliver too (CloudTrail User Guide, "CloudTrail log file examples" and "Finding
your CloudTrail log files"): each recorded event is written, for every trail of the
account that logs at the time and covers the region (a multi-region trail, or one whose
home region it is), to the trail's S3 bucket as a gzip JSON log file `{"Records": [...]}`
under `<prefix>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`, named
`<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 characters>.json.gz` (an organization
trail's under `AWSLogs/<organization id>/<account>/…`). StopLogging is delivered before
logging stops; CloudTrail's own management calls (CreateTrail, StartLogging, StopLogging)
are recorded like any other. Deviations: one file per event, delivered at once (AWS
batches events into a file about every five minutes, and a file may hold records of
the day before); a bucket in another account is not written.

A trail with log file validation on (EnableLogFileValidation) delivers digest files
(CloudTrail User Guide, "CloudTrail digest file structure" and "Custom implementations of
CloudTrail log file integrity validation"): one an hour per region, empty hours too, under
`<prefix>/AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/` named
`<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHMMSSZ>.json.gz`,
listing each log file delivered in the hour with the SHA-256 of its uncompressed content,
chained to the previous digest by its S3 location and signature, and signed SHA256withRSA
with the region's key over `<digestEndTime>\n<bucket>/<key>\n<SHA-256 of the uncompressed
digest>\n<previous signature or "null">`, the signature in the object's metadata
(x-amz-meta-signature, x-amz-meta-signature-algorithm). A stop (StopLogging, DeleteTrail)
ends the chain after the hour it falls in; a new chain starts with null previous fields.
ListPublicKeys serves each region's key (DER PKCS #1, its fingerprint the MD5 of that
DER). Deviations: digests are written when the bucket is next read (S3 GetObject or a
listing), for every hour since the last one up to the real time; a log file delivered
with a date in an hour already digested goes into the next digest (AWS writes a backfill
digest); a region gets digests only once a log file was delivered in it (AWS: every region
a multi-region trail covers); one key per region, valid from 2015 to 2099.

The admin route `POST /_dmsemu/state/cloudtrail` sets the recording clock of an
account and region (`{"account", "region", "clock": "-60d"}`): later events are dated
that far in the past, so a scenario can seed a migration that ran months ago.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import logging
import re
import secrets
import string
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import shapes
from .protocol import Call, Forward, Response, Service, error_response, json_response, page_offset, page_token, patched

LOG = logging.getLogger("dmsemu")
RETENTION = timedelta(days=90)
MAX_RESULTS = 50
RATE_PER_SECOND = 2
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
# Data-plane calls CloudTrail logs as data events, never in event history (CloudTrail
# User Guide, "Logging data events"): PutMetricData, PutLogEvents, S3 object writes.
DATA_EVENTS = {("monitoring", "PutMetricData"), ("logs", "PutLogEvents"), ("s3", "PutObject")}
READ_PREFIXES = ("Describe", "List", "Get", "Lookup", "Head", "Search", "BatchGet", "Scan", "Query", "Test", "Select")
LOOKUP_KEYS = {
    "EventId": "EventId",
    "EventName": "EventName",
    "ReadOnly": "ReadOnly",
    "Username": "Username",
    "ResourceType": None,
    "ResourceName": None,
    "EventSource": "EventSource",
    "AccessKeyId": "AccessKeyId",
}
# The ARN kinds of DMS resources, as CloudTrail's Resources list names them.
DMS_RESOURCE_TYPES = {
    "endpoint": "AWS::DMS::Endpoint",
    "rep": "AWS::DMS::ReplicationInstance",
    "task": "AWS::DMS::ReplicationTask",
    "subgrp": "AWS::DMS::ReplicationSubnetGroup",
    "cert": "AWS::DMS::Certificate",
    "replication-config": "AWS::DMS::ReplicationConfig",
}
ARN = re.compile(r"^arn:aws:(?P<service>[a-z0-9-]+):[a-z0-9-]*:\d*:(?P<kind>[a-z-]+)[:/]")


@dataclass
class Trail:
    """One account and region's event history and its recording clock."""

    events: list[dict] = field(default_factory=list)
    offset: timedelta = timedelta(0)
    lookups: deque = field(default_factory=deque)


_LOCK = threading.RLock()
_TRAILS: dict[tuple[str, str], Trail] = {}


def trail(account: str, region: str) -> Trail:
    with _LOCK:
        return _TRAILS.setdefault((account, region), Trail())


def account_events(account: str) -> list[tuple[str, dict]]:
    """Every recorded event of `account`, with its region (a copy, for other services'
    views of the history: Cost Explorer's billing)."""
    with _LOCK:
        return [(region, e) for (acct, region), t in _TRAILS.items() if acct == account for e in t.events]


def reset() -> None:
    with _LOCK:
        _TRAILS.clear()
        _CHAINS.clear()


def set_clock(doc: dict) -> dict:
    """The admin route: later events of this account and region are dated `clock`
    ("-60d", "-3h", "now") relative to the real time."""
    account, region, clock = doc.get("account"), doc.get("region"), doc.get("clock", "now")
    if not account or not region:
        raise ValueError("cloudtrail state needs 'account' and 'region'")
    match = re.fullmatch(r"now|-(\d+)([dhm])", str(clock))
    if match is None:
        raise ValueError(f"clock '{clock}' is not 'now' or -<n>d/-<n>h/-<n>m")
    offset = timedelta(0)
    if match.group(1):
        n, unit = int(match.group(1)), match.group(2)
        offset = {"d": timedelta(days=n), "h": timedelta(hours=n), "m": timedelta(minutes=n)}[unit]
    with _LOCK:
        trail(account, region).offset = offset
    return {"account": account, "region": region, "clock": clock}


def clock(account: str, region: str) -> datetime:
    """Now, as this account and region's recording clock reads it (naive UTC, as moto
    dates its resources): AWS dates a resource by the call that made or changed it."""
    return (datetime.now(UTC) - trail(account, region).offset).replace(tzinfo=None)


# ---------------------------------------------------------------- resource dates

# The account and region of the call being served, for the dates moto gives what it makes.
_CALLER: ContextVar[tuple[str, str] | None] = ContextVar("dmsemu_caller", default=None)

# moto dates what these services create by the wall clock; AWS by the call that made it
# (RDS API Reference, DBInstance.InstanceCreateTime and DBCluster.ClusterCreateTime;
# Redshift API Reference, Cluster.ClusterCreateTime; Kinesis API Reference,
# StreamDescriptionSummary.StreamCreationTimestamp; DynamoDB API Reference,
# TableDescription.CreationDateTime), which a scenario moves into the past with the clock.
_DATED_BY_CALL = ("moto.rds.models", "moto.redshift.models", "moto.kinesis.models", "moto.dynamodb.models.table")


def _call_time() -> datetime:
    caller = _CALLER.get()
    if caller is None:
        return datetime.now(UTC).replace(tzinfo=None)
    return clock(*caller)


def date_by_call() -> None:
    """Makes those services date what they create and change by the caller's clock."""
    import importlib

    for name in _DATED_BY_CALL:
        setattr(importlib.import_module(name), "utcnow", _call_time)  # noqa: B010 - moto's module global


@contextlib.contextmanager
def calling(call: Call) -> Iterator[None]:
    """While `call` is served, moto's dates follow its account and region's clock."""
    token = _CALLER.set((call.account, call.region))
    try:
        yield
    finally:
        _CALLER.reset(token)


# ---------------------------------------------------------------- recording


def is_write(operation: str) -> bool:
    return bool(operation) and not operation.startswith(READ_PREFIXES)


def camel(value: Any) -> Any:
    """Member names as CloudTrail writes them: the first letter lower case."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:] if isinstance(k, str) else k): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def cloudtrail_time(when: datetime) -> str:
    """A time as CloudTrail writes it in responseElements: "Aug 10, 2022, 10:38:27 PM", UTC
    (KMS Developer Guide, the CloudTrail log entry for CreateKey: `creationDate` of that
    event at 2022-08-10T22:38:27Z)."""
    return f"{when:%b} {when.day}, {when.year}, {when.hour % 12 or 12}:{when:%M:%S} {'AM' if when.hour < 12 else 'PM'}"


def _times(value: Any, shape) -> Any:
    """The answer's timestamps (epoch numbers in the JSON protocol) as CloudTrail writes them."""
    if value is None or shape is None:
        return value
    if shape.type_name == "timestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return cloudtrail_time(datetime.fromtimestamp(value, UTC))
    if shape.type_name == "structure" and isinstance(value, dict):
        return {k: _times(v, shape.members.get(k)) for k, v in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [_times(v, shape.member) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _times(v, shape.value) for k, v in value.items()}
    return value


def _hide(value: Any, shape) -> Any:
    """Values of members the service model marks sensitive, hidden."""
    if value is None or shape is None:
        return value
    if shape.metadata.get("sensitive"):
        return HIDDEN
    if shape.type_name == "structure" and isinstance(value, dict):
        out = {}
        for key, item in value.items():
            member = shape.members.get(key)
            hidden_member = member is not None and member.metadata.get("sensitive")
            out[key] = HIDDEN if hidden_member else _hide(item, member)
        return out
    if shape.type_name == "list" and isinstance(value, list):
        return [_hide(item, shape.member) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _hide(v, shape.value) for k, v in value.items()}
    return value


def _request(call: Call) -> dict:
    if call.protocol == "json":
        return call.json_body()
    if call.protocol == "cbor" and call.body:
        try:
            value = cbor2.loads(call.body)
        except Exception:  # noqa: BLE001 - undecodable: nothing to record
            return {}
        return shapes.from_cbor(value) if isinstance(value, dict) else {}
    if call.protocol == "query":
        form = parse_qs(call.body.decode("utf-8", "replace"))
        return {k: v[0] for k, v in form.items() if k not in ("Action", "Version")}
    if call.protocol == "rest":
        # A JSON body's members, and those the path carries (restJson: OpenSearch, ...).
        body = call.json_body() if call.body[:1] == b"{" else {}
        return {**shapes.rest_labels(call.service, call.operation, call.path), **body}
    return {}


def _typed(request: dict, shape) -> dict:
    """A query-protocol request's top-level scalars as the model types them (CloudTrail
    writes `"encrypted": true`, not the form's text); nested members stay as the form
    flattened them."""
    if shape is None or shape.type_name != "structure":
        return request
    out: dict = {}
    for key, value in request.items():
        member = shape.members.get(key)
        kind = member.type_name if member is not None else None
        if kind == "boolean" and value in ("true", "false"):
            out[key] = value == "true"
        elif kind in ("integer", "long") and str(value).lstrip("-").isdigit():
            out[key] = int(value)
        else:
            out[key] = value
    return out


def _response(call: Call, response: Response) -> dict | None:
    if call.protocol != "json" or not response.body:
        return None
    try:
        value = json.loads(response.body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _arns(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for item in value.values():
            found.extend(_arns(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_arns(item))
    elif isinstance(value, str) and value.startswith("arn:aws:"):
        found.append(value)
    return found


def _resources(request: dict, answer: dict | None) -> list[dict]:
    out, seen = [], set()
    for arn in _arns(request) + _arns(answer or {}):
        match = ARN.match(arn)
        if match is None or arn in seen:
            continue
        seen.add(arn)
        kind = match.group("kind")
        if match.group("service") == "dms":
            kind_name = DMS_RESOURCE_TYPES.get(kind, f"AWS::DMS::{kind}")
        else:
            kind_name = f"AWS::{match.group('service').upper()}::{kind.title().replace('-', '')}"
        out.append({"ResourceType": kind_name, "ResourceName": arn})
    return out


def _identity(call: Call) -> dict:
    from . import iam

    identity = {"accountId": call.account, "accessKeyId": call.access_key}
    assumed = iam.assumed_role(call)
    if assumed is not None:
        return {**identity, "type": "AssumedRole", "arn": assumed.arn, "principalId": f"AROA:{assumed.session_name}"}
    return {**identity, "type": "IAMUser", "arn": f"arn:aws:iam::{call.account}:user/dmsemu", "userName": "dmsemu"}


def _error(response: Response) -> tuple[str, str]:
    """The error code and message of a refused call, as its protocol wrote them."""
    body = response.body.decode("utf-8", "replace")
    try:
        doc = json.loads(body)
        code = str(doc.get("__type", "")).rsplit("#", 1)[-1]
        return code, str(doc.get("message") or doc.get("Message") or "")
    except ValueError:
        found_code = re.search(r"<Code>([^<]*)</Code>", body)
        found_message = re.search(r"<Message>([^<]*)</Message>", body)
        return (found_code.group(1) if found_code else "", found_message.group(1) if found_message else "")


def record(call: Call, response: Response) -> None:
    """Records a write call as CloudTrail would: a successful one with its answer, and one
    refused by the service or by IAM (4xx) with `errorCode` and `errorMessage` and no
    answer, as CloudTrail records failed calls too (CloudTrail User Guide, "CloudTrail
    record contents": errorCode, errorMessage)."""
    failed = 400 <= response.status < 500
    if (response.status >= 300 and not failed) or not is_write(call.operation) or call.service in ("sts", ""):
        return
    if (call.service, call.operation) in DATA_EVENTS:
        return
    op_model = shapes.operation(call.service, call.operation)
    request = _request(call)
    answer = None if failed else _response(call, response)
    if op_model is not None:
        if call.protocol == "query":
            request = _typed(request, op_model.input_shape)
        request = _hide(request, op_model.input_shape)
        if answer is not None:
            answer = _times(_hide(answer, op_model.output_shape), op_model.output_shape)
    source = "monitoring" if call.service == "monitoring" else call.service
    region = "us-east-1" if call.service == "iam" else call.region
    with _LOCK:
        t = trail(call.account, region)
        when = datetime.now(UTC) - t.offset
        identity = _identity(call)
        event_id = str(uuid.uuid4())
        body = {
            "eventVersion": "1.11",
            "userIdentity": identity,
            "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": f"{source}.amazonaws.com",
            "eventName": call.operation,
            "awsRegion": region,
            "sourceIPAddress": "127.0.0.1",
            "userAgent": call.headers.get("user-agent", ""),
            "requestParameters": camel(request) or None,
            "responseElements": camel(answer) if answer is not None else None,
            "requestID": response.header("x-amzn-requestid") or str(uuid.uuid4()),
            "eventID": event_id,
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": call.account,
            "eventCategory": "Management",
        }
        if failed:
            body["errorCode"], body["errorMessage"] = _error(response)
        _deliver(call.account, region, body, when)
        t.events.append({
            "EventId": event_id,
            "EventName": call.operation,
            "ReadOnly": "false",
            "AccessKeyId": call.access_key,
            "EventTime": when,
            "EventSource": f"{source}.amazonaws.com",
            "Username": identity["arn"].rsplit("/", 1)[-1],
            "Resources": _resources(request, answer),
            "CloudTrailEvent": json.dumps(body),
        })


# ---------------------------------------------------------------- trail delivery


def _logging(t: Any, body: dict) -> bool:
    """Whether trail `t` logs `body`: it is logging, or `body` is the StopLogging call that
    stops it (CloudTrail logs that call before it stops)."""
    if t.status.is_logging:
        return True
    named = (body.get("requestParameters") or {}).get("name", "")
    return body["eventName"] == "StopLogging" and named in (t.trail_name, t.arn)


def log_file_key(trail_prefix: str | None, account: str, region: str, when: datetime,
                 organization: str | None = None) -> str:
    """Where a trail delivers a log file (CloudTrail User Guide, "Finding your CloudTrail
    log files"; an organization trail adds the organization id before the account)."""
    prefix = f"{trail_prefix.strip('/')}/" if trail_prefix else ""
    owner = f"{organization}/{account}" if organization else account
    unique = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16))
    return (f"{prefix}AWSLogs/{owner}/CloudTrail/{region}/{when:%Y/%m/%d}/"
            f"{account}_CloudTrail_{region}_{when:%Y%m%dT%H%MZ}_{unique}.json.gz")


def _deliver(account: str, region: str, body: dict, when: datetime) -> None:
    """Writes `body` as a log file of every trail of `account` that logs it, and lists it
    for the trail's next digest file when the trail validates its log files."""
    from moto.cloudtrail.models import cloudtrail_backends
    from moto.s3.models import s3_backends

    for backend in list(cloudtrail_backends[account].values()):
        for t in list(backend.trails.values()):
            if not (t.is_multi_region or t.region_name == region) or not _logging(t, body):
                continue
            key = log_file_key(t.s3_key_prefix, account, region, when)
            raw = json.dumps({"Records": [body]}).encode()
            # A bucket gone (or in another account here) gets no file.
            try:
                s3_backends[account]["aws"].put_object(t.bucket_name, key, gzip.compress(raw))
            except Exception:  # noqa: BLE001
                LOG.debug("trail %s: no log file delivered to %s", t.trail_name, t.bucket_name)
                continue
            if t.log_validation:
                _chain_file(account, region, t, body, when, key, hashlib.sha256(raw).hexdigest())


# ---------------------------------------------------------------- digest files

DIGEST_PERIOD = timedelta(hours=1)
KEY_VALIDITY = (datetime(2015, 1, 1, tzinfo=UTC), datetime(2099, 12, 31, tzinfo=UTC))
_KEYS: dict[str, rsa.RSAPrivateKey] = {}


@dataclass
class Chain:
    """One trail's digest files in one region: the next digest's start, the last one's
    location and signature, and the log files delivered since."""

    account: str
    region: str
    bucket: str
    prefix: str | None
    trail_name: str
    home_region: str
    start: datetime
    previous: dict | None = None
    files: list[dict] = field(default_factory=list)
    stopped: datetime | None = None


_CHAINS: dict[tuple[str, str, str], Chain] = {}


def region_key(region: str) -> rsa.RSAPrivateKey:
    with _LOCK:
        if region not in _KEYS:
            _KEYS[region] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return _KEYS[region]


def public_key(region: str) -> tuple[bytes, str]:
    """The region's public key as ListPublicKeys gives it (DER PKCS #1) and its fingerprint."""
    der = region_key(region).public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return der, hashlib.md5(der, usedforsecurity=False).hexdigest()


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _chain_file(account: str, region: str, t: Any, body: dict, when: datetime, key: str, sha: str) -> None:
    """Lists a delivered log file for its trail's digest; a stop ends the chain after its
    hour, and a start after a stop begins a new chain."""
    ident = (account, t.arn, region)
    aware = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    chain = _CHAINS.get(ident)
    if chain is not None and chain.stopped is not None and aware > chain.stopped:
        _flush(chain, chain.stopped + DIGEST_PERIOD)
        chain = None
    if chain is None:
        chain = Chain(account, region, t.bucket_name, t.s3_key_prefix, t.trail_name, t.region_name,
                      start=aware - timedelta(seconds=1))
        _CHAINS[ident] = chain
    chain.files.append({"s3Bucket": t.bucket_name, "s3Object": key, "hashValue": sha, "hashAlgorithm": "SHA-256",
                        "newestEventTime": body["eventTime"], "oldestEventTime": body["eventTime"], "_at": aware})
    if body["eventName"] in ("StopLogging", "DeleteTrail"):
        chain.stopped = aware


def digest_key(chain: Chain, end: datetime) -> str:
    prefix = f"{chain.prefix.strip('/')}/" if chain.prefix else ""
    return (f"{prefix}AWSLogs/{chain.account}/CloudTrail-Digest/{chain.region}/{end:%Y/%m/%d}/"
            f"{chain.account}_CloudTrail-Digest_{chain.region}_{chain.trail_name}_{chain.home_region}_"
            f"{end:%Y%m%dT%H%M%SZ}.json.gz")


def _flush(chain: Chain, upto: datetime) -> None:
    """Writes the chain's digest files for every hour that ended by `upto`."""
    from moto.s3.models import s3_backends

    _, fingerprint = public_key(chain.region)
    while chain.start + DIGEST_PERIOD <= upto:
        end = chain.start + DIGEST_PERIOD
        listed = [f for f in chain.files if f["_at"] < end]
        chain.files = [f for f in chain.files if f["_at"] >= end]
        key = digest_key(chain, end)
        prev = chain.previous or {}
        times = sorted(f["newestEventTime"] for f in listed)
        doc = {
            "awsAccountId": chain.account,
            "digestStartTime": _iso(chain.start),
            "digestEndTime": _iso(end),
            "digestS3Bucket": chain.bucket,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": times[-1] if times else None,
            "oldestEventTime": times[0] if times else None,
            "previousDigestS3Bucket": prev.get("bucket"),
            "previousDigestS3Object": prev.get("key"),
            "previousDigestHashValue": prev.get("hash"),
            "previousDigestHashAlgorithm": "SHA-256" if prev else None,
            "previousDigestSignature": prev.get("signature"),
            "logFiles": [{k: v for k, v in f.items() if k != "_at"} for f in listed],
        }
        raw = json.dumps(doc).encode()
        digest_hash = hashlib.sha256(raw).hexdigest()
        to_sign = f"{doc['digestEndTime']}\n{chain.bucket}/{key}\n{digest_hash}\n{prev.get('signature') or 'null'}"
        signature = region_key(chain.region).sign(to_sign.encode(), padding.PKCS1v15(), hashes.SHA256()).hex()
        with contextlib.suppress(Exception):
            obj = s3_backends[chain.account]["aws"].put_object(chain.bucket, key, gzip.compress(raw))
            obj.set_metadata({"x-amz-meta-signature": signature, "x-amz-meta-signature-algorithm": "SHA256withRSA"})
        chain.previous = {"bucket": chain.bucket, "key": key, "hash": digest_hash, "signature": signature}
        chain.start = end


def flush_digests(account: str) -> None:
    """Every digest file of `account`'s trails due by now: written before the bucket is read."""
    now = datetime.now(UTC)
    with _LOCK:
        for ident, chain in list(_CHAINS.items()):
            if chain.account != account:
                continue
            _flush(chain, now if chain.stopped is None else min(now, chain.stopped + DIGEST_PERIOD))
            if chain.stopped is not None and chain.start > chain.stopped:
                del _CHAINS[ident]


def _list_public_keys(call: Call, forward: Forward) -> Response:
    """ListPublicKeys: the region's key when its validity overlaps StartTime–EndTime."""
    req = call.json_body()
    now = datetime.now(UTC)
    start = shapes.to_datetime(req["StartTime"]) if "StartTime" in req else now
    end = shapes.to_datetime(req["EndTime"]) if "EndTime" in req else now
    if start > end:
        return error_response(call, 400, "InvalidTimeRangeException", "StartTime is after EndTime")
    der, fingerprint = public_key(call.region)
    valid_from, valid_to = KEY_VALIDITY
    keys = []
    if valid_from <= end and start <= valid_to:
        keys.append({"Value": base64.b64encode(der).decode(), "ValidityStartTime": valid_from.timestamp(),
                     "ValidityEndTime": valid_to.timestamp(), "Fingerprint": fingerprint})
    return json_response({"PublicKeyList": keys})


def _s3_read(call: Call, forward: Forward) -> Response:
    """An S3 read: the account's digest files due by now are written first."""
    flush_digests(call.account)
    return forward(call.body)


# ---------------------------------------------------------------- LookupEvents


class LookupError_(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _untoken(token: str, key: str) -> int:
    try:
        return page_offset("ct", token, key)
    except ValueError as err:
        raise LookupError_("InvalidNextTokenException", "Invalid NextToken") from err


def _matches(event: dict, attribute: dict | None) -> bool:
    if attribute is None:
        return True
    key, value = attribute.get("AttributeKey"), attribute.get("AttributeValue")
    if key == "ResourceType":
        return any(r["ResourceType"] == value for r in event["Resources"])
    if key == "ResourceName":
        return any(r["ResourceName"] == value for r in event["Resources"])
    return event.get(LOOKUP_KEYS.get(str(key)) or "") == value


def _throttled(t: Trail) -> bool:
    now = time.monotonic()
    while t.lookups and now - t.lookups[0] >= 1.0:
        t.lookups.popleft()
    if len(t.lookups) >= RATE_PER_SECOND:
        return True
    t.lookups.append(now)
    return False


def lookup_events(call: Call, req: dict) -> dict:
    attributes = req.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise LookupError_("InvalidLookupAttributesException", "Currently the list can contain only one item")
    attribute = attributes[0] if attributes else None
    if attribute is not None and str(attribute.get("AttributeKey")) not in LOOKUP_KEYS:
        raise LookupError_("InvalidLookupAttributesException", f"Unknown AttributeKey {attribute.get('AttributeKey')}")
    limit = req.get("MaxResults", MAX_RESULTS)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_RESULTS:
        raise LookupError_("InvalidMaxResultsException", "MaxResults must be between 1 and 50")
    now = datetime.now(UTC)
    start = shapes.to_datetime(req["StartTime"]) if "StartTime" in req else now - RETENTION
    end = shapes.to_datetime(req["EndTime"]) if "EndTime" in req else now
    if start > end:
        raise LookupError_("InvalidTimeRangeException", "StartTime is after EndTime")
    start = max(start, now - RETENTION)
    key = json.dumps({k: req.get(k) for k in ("LookupAttributes", "StartTime", "EndTime", "EventCategory")},
                     sort_keys=True, default=str)
    with _LOCK:
        t = trail(call.account, call.region)
        if _throttled(t):
            raise LookupError_("ThrottlingException", "Rate exceeded")
        found = [e for e in t.events if start <= e["EventTime"] <= end and _matches(e, attribute)]
    found.sort(key=lambda e: e["EventTime"], reverse=True)
    offset = _untoken(req["NextToken"], key) if req.get("NextToken") else 0
    page = found[offset : offset + limit]
    out: dict[str, Any] = {"Events": [{**e, "EventTime": e["EventTime"].timestamp()} for e in page]}
    if offset + limit < len(found):
        out["NextToken"] = page_token("ct", offset + limit, key)
    return out


def _lookup(call: Call, forward: Forward) -> Response:
    try:
        return json_response(lookup_events(call, call.json_body()))
    except LookupError_ as err:
        return error_response(call, 400, err.code, err.message)


def _trail_answer(call: Call, forward: Forward) -> Response:
    """moto's CreateTrail/UpdateTrail answer, without the two members it adds that the
    CloudTrail API Reference's CreateTrailResponse does not have (HasCustomEventSelectors
    and HasInsightSelectors belong to the Trail of DescribeTrails and GetTrail)."""

    def edit(doc: dict) -> None:
        for member in ("HasCustomEventSelectors", "HasInsightSelectors"):
            doc.pop(member, None)

    return patched(forward(call.body), edit)


SERVICE = Service({"LookupEvents": _lookup, "CreateTrail": _trail_answer, "UpdateTrail": _trail_answer,
                   "ListPublicKeys": _list_public_keys})
# S3 reads that may meet a trail's digest files.
S3_SERVICE = Service({"GetObject": _s3_read, "ListObjectsV2": _s3_read, "ListObjects": _s3_read,
                      "HeadObject": _s3_read})
