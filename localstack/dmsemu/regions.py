"""Regions an account has not enabled, which moto 5.2.5 does not model.

moto serves every region to every account, and answers EC2 DescribeRegions with a fixed
opt-in status whatever the account did (regions launched after March 2019 always
`not-opted-in`, although it serves them) and ignores `AllRegions`. On AWS an opt-in region
must be enabled for the account before anything can be done there (AWS Account Management
Reference Guide, "Specify which AWS Regions your account can use"), and DescribeRegions tells
which are (EC2 API Reference, DescribeRegions: `OptInStatus` is `opt-in-not-required`,
`opted-in` or `not-opted-in`; without `AllRegions` only the enabled ones are listed).

Here every region is enabled for every account (the opt-in ones as `opted-in`), unless the
admin route `POST /_dmsemu/regions {"account", "disabled": [...]}` disables some for that
account. Then DescribeRegions says `not-opted-in` for them, and a request signed for such a
region with that account's credentials is refused as AWS refuses a token in a region the
account has not enabled: UnrecognizedClientException in the JSON protocols,
InvalidClientTokenId in the query protocol, AuthFailure in EC2's ("The security token
included in the request is invalid"; AWS re:Post, "iam-validate-access-credentials"). STS and
IAM, which answer from their global endpoint, are still served (docs/emulator.md).
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs

from .protocol import Call, Forward, Response, Service

# Regions that need no opt-in (EC2 API Reference, DescribeRegions; those moto also marks so).
NO_OPT_IN = frozenset({
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
    "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
})
GLOBAL_SERVICES = frozenset({"sts", "iam", ""})

_LOCK = threading.Lock()
_DISABLED: dict[str, set[str]] = {}


def set_disabled(doc: dict) -> dict:
    account = str(doc.get("account") or "")
    disabled = doc.get("disabled")
    if not re.fullmatch(r"\d{12}", account) or not isinstance(disabled, list):
        raise ValueError('regions: give {"account": "<12 digits>", "disabled": ["<region>", ...]}')
    with _LOCK:
        _DISABLED[account] = {str(r) for r in disabled}
    return {"account": account, "disabled": sorted(_DISABLED[account])}


def reset() -> None:
    with _LOCK:
        _DISABLED.clear()


def enabled(account: str, region: str) -> bool:
    with _LOCK:
        return region not in _DISABLED.get(account, set())


def refusal(call: Call) -> tuple[int, str, str] | None:
    """The error AWS answers a request in a region its account has not enabled, or None."""
    if call.service in GLOBAL_SERVICES or enabled(call.account, call.region):
        return None
    if call.service == "ec2":
        return 401, "AuthFailure", "AWS was not able to validate the provided access credentials"
    message = "The security token included in the request is invalid."
    if call.protocol == "query":
        return 403, "InvalidClientTokenId", message
    return 400 if call.protocol in ("json", "cbor") else 403, "UnrecognizedClientException", message


_ITEM = re.compile(rb"<item>(.*?)</item>", re.DOTALL)
_NAME = re.compile(rb"<regionName>([^<]*)</regionName>")
_STATUS = re.compile(rb"<optInStatus>[^<]*</optInStatus>")


def _describe_regions(call: Call, forward: Forward) -> Response:
    """moto's answer with each region's status for this account, and without the disabled
    ones unless `AllRegions` or `RegionName.N` asks for them."""
    response = forward(call.body)
    if response.status != 200:
        return response
    form = parse_qs(call.body.decode("utf-8", "replace"))
    listed_all = form.get("AllRegions", [""])[0].lower() == "true" or any(k.startswith("RegionName") for k in form)

    def fix(match: re.Match[bytes]) -> bytes:
        name_match = _NAME.search(match.group(1))
        if name_match is None:
            return match.group(0)
        name = name_match.group(1).decode()
        if enabled(call.account, name):
            status = "opt-in-not-required" if name in NO_OPT_IN else "opted-in"
        elif not listed_all:
            return b""
        else:
            status = "not-opted-in"
        inner = _STATUS.sub(f"<optInStatus>{status}</optInStatus>".encode(), match.group(1))
        return b"<item>" + inner + b"</item>"

    return response._replace(body=_ITEM.sub(fix, response.body))


SERVICE = Service({"DescribeRegions": _describe_regions})
