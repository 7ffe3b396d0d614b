"""IAM enforcement for assumed-role sessions, which moto 5.2.5 does not do.

A request signed with the credentials of an assumed role is allowed only when the
role's identity policies (inline and attached customer-managed) allow the IAM action
that authorises the operation, and no statement denies it (AWS IAM User Guide,
"Policy evaluation logic": an explicit deny wins, otherwise an allow is needed).
The operation -> action table is the project's own, `policies/operations.json`, the
one the collector and the read-only policy use: a wrong action name in the policy
fails the tests end to end, as it would fail on AWS.

Deviations, documented in docs/emulator.md: only roles that exist in the account's
IAM are enforced (moto lets any role be assumed; AWS would refuse AssumeRole for a
missing role), the seeder's own role is exempt (it stands for the account owner),
`Resource` and `Condition` elements of identity policies are not evaluated (our
policies grant on "*"), and AWS managed policies are not loaded by moto. AssumeRole is
refused when the role's trust policy requires an external id (Condition StringEquals
sts:ExternalId) the request does not give.
"""

from __future__ import annotations

import fnmatch
import json
import threading
from functools import lru_cache
from pathlib import Path

from .protocol import Call

TABLE_FILE = Path(__file__).resolve().parents[2] / "policies" / "operations.json"
SEEDER_ROLE = "dmsemu-seeder"

# Signing names whose service is named differently in the table or in IAM.
TABLE_SERVICE = {"monitoring": "cloudwatch", "es": "opensearch"}
IAM_PREFIX = {"monitoring": "cloudwatch", "opensearch": "es"}

_ENFORCED = threading.Event()
_ENFORCED.set()


def set_enforced(on: bool) -> dict:
    if on:
        _ENFORCED.set()
    else:
        _ENFORCED.clear()
    return enforced()


def enforced() -> dict:
    return {"enforce": _ENFORCED.is_set()}


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, str], str]:
    doc = json.loads(TABLE_FILE.read_text())
    return {(o["service"], o["operation"]): o["iam_action"] for o in doc["operations"]}


def action_for(call: Call) -> str:
    """The IAM action that authorises this request's operation."""
    service = TABLE_SERVICE.get(call.service, call.service)
    found = table().get((service, call.operation))
    if found:
        return found
    return f"{IAM_PREFIX.get(call.service, call.service)}:{call.operation}"


def assumed_role(call: Call):
    """The assumed-role session whose credentials signed this request, if any."""
    return _assumed_role(call)


def _assumed_role(call: Call):
    from moto.sts.models import sts_backends

    try:
        backend = sts_backends[call.account]["aws"]
    except KeyError:
        return None
    return backend.get_assumed_role_from_access_key(call.access_key)


def _documents(account: str, role_name: str) -> list[dict] | None:
    """The role's identity policy documents, or None when the role does not exist."""
    from moto.iam.models import iam_backends

    backend = iam_backends[account]["aws"]
    role = next((r for r in backend.roles.values() if r.name == role_name), None)
    if role is None:
        return None
    docs = []
    for text in role.policies.values():
        docs.append(json.loads(text) if isinstance(text, str) else text)
    for policy in role.managed_policies.values():
        version = next((v for v in policy.versions if v.is_default), None)
        if version is not None:
            doc = version.document
            docs.append(json.loads(doc) if isinstance(doc, str) else doc)
    return docs


def _matches(patterns, action: str) -> bool:
    if isinstance(patterns, str):
        patterns = [patterns]
    return any(fnmatch.fnmatchcase(action.lower(), str(p).lower()) for p in patterns or [])


def evaluate(documents: list[dict], action: str) -> bool:
    """Identity-policy evaluation: an explicit deny wins; otherwise an allow is needed."""
    allowed = False
    for doc in documents:
        statements = doc.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        for st in statements:
            hit = _matches(st.get("Action"), action) if "Action" in st else not _matches(st.get("NotAction"), action)
            if not hit:
                continue
            if st.get("Effect") == "Deny":
                return False
            if st.get("Effect") == "Allow":
                allowed = True
    return allowed


def external_ids(trust: dict) -> list[str] | None:
    """The external ids a trust policy's Allow statements for sts:AssumeRole require
    (Condition StringEquals sts:ExternalId), or None when none is required."""
    required: list[str] = []
    statements = trust.get("Statement") or []
    for st in [statements] if isinstance(statements, dict) else statements:
        if st.get("Effect") != "Allow" or not _matches(st.get("Action"), "sts:AssumeRole"):
            continue
        condition = (st.get("Condition") or {}).get("StringEquals") or {}
        value = next((v for k, v in condition.items() if k.lower() == "sts:externalid"), None)
        if value is None:
            return None  # an Allow without the condition: no external id needed
        required += [value] if isinstance(value, str) else list(value)
    return required or None


def assume_role_refused(call: Call) -> tuple[int, str, str] | None:
    """AssumeRole into a role whose trust policy requires an external id the request does
    not give: AWS refuses it with AccessDenied (IAM User Guide, "Access to AWS accounts
    owned by third parties": the role's trust policy requires sts:ExternalId). Roles that
    do not exist are not refused (moto lets them be assumed; a documented deviation)."""
    from urllib.parse import parse_qs

    from moto.iam.models import iam_backends

    form = parse_qs(call.body.decode("utf-8", "replace"))
    role_arn = (form.get("RoleArn") or [""])[0]
    given = next(iter(form.get("ExternalId") or []), None)
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("role/"):
        return None
    account, name = parts[4], parts[5].split("/")[-1]
    try:
        backend = iam_backends[account]["aws"]
    except KeyError:
        return None
    role = next((r for r in backend.roles.values() if r.name == name), None)
    if role is None:
        return None
    trust = role.assume_role_policy_document
    required = external_ids(json.loads(trust) if isinstance(trust, str) else trust or {})
    if required is None or given in required:
        return None
    return (
        403,
        "AccessDenied",
        f"User: {call.access_key} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
    )


def check(call: Call) -> tuple[int, str, str] | None:
    """The AccessDenied error for this request, or None when it may proceed."""
    if not _ENFORCED.is_set() or not call.operation:
        return None
    if call.service == "sts" and call.operation == "AssumeRole":
        return assume_role_refused(call)
    if call.service in ("sts", ""):
        return None
    assumed = _assumed_role(call)
    if assumed is None:
        return None
    role_name = assumed.role_arn.split("/")[-1]
    if role_name == SEEDER_ROLE:
        return None
    docs = _documents(call.account, role_name)
    if docs is None:
        return None
    action = action_for(call)
    if evaluate(docs, action):
        return None
    code = "AccessDenied" if call.protocol in ("query", "rest") else "AccessDeniedException"
    return (
        403 if call.protocol in ("query", "rest") else 400,
        code,
        (
            f"User: {assumed.arn} is not authorized to perform: {action} because no identity-based policy allows "
            f"the {action} action"
        ),
    )
