"""RDS key defaults as AWS sets them, on top of moto 5.2.5.

moto 5.2.5 reports KmsKeyId `default_kms_key_id` for an encrypted DB instance or
cluster created without a key (AWS uses the account's `aws/rds` key), and for every
cluster, even an unencrypted one (AWS reports no key).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from .dms import aws_managed_key_arn
from .protocol import Call, Forward, Response, Service

MOTO_PLACEHOLDER = "default_kms_key_id"


def _fix_keys(call: Call) -> str | None:
    from moto.rds.models import rds_backends

    backend = rds_backends[call.account][call.region]
    replaced = None
    for resource in list(backend.clusters.values()) + list(backend.databases.values()):
        if getattr(resource, "kms_key_id", None) != MOTO_PLACEHOLDER:
            continue
        if getattr(resource, "storage_encrypted", False):
            replaced = replaced or aws_managed_key_arn(call.account, call.region, "rds")
            resource.kms_key_id = replaced
        else:
            resource.kms_key_id = None
    return replaced


def _with_aws_keys(call: Call, forward: Forward) -> Response:
    """Any RDS operation: moto's answer with AWS's key defaults."""
    _fix_keys(call)
    response = forward(call.body)
    placeholder = f"<KmsKeyId>{MOTO_PLACEHOLDER}</KmsKeyId>".encode()
    if response.status == 200 and placeholder in response.body:
        _fix_keys(call)
        encrypted = parse_qs(call.body.decode("utf-8", "replace")).get("StorageEncrypted", ["false"])[0] == "true"
        key = aws_managed_key_arn(call.account, call.region, "rds") if encrypted else None
        body = response.body.replace(placeholder, f"<KmsKeyId>{key}</KmsKeyId>".encode() if key else b"")
        return response._replace(body=body)
    return response


# The fix applies to every operation (any answer may carry a DB instance or cluster).
SERVICE = Service(default=_with_aws_keys)
