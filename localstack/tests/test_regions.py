"""Regions an account has not enabled (dmsemu/regions.py): refused as AWS refuses them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError


def _disable(endpoint: str, account: str, regions: list[str]) -> dict:
    body = json.dumps({"account": account, "disabled": regions}).encode()
    req = urllib.request.Request(f"{endpoint}/_dmsemu/regions", data=body, method="POST")
    return json.loads(urllib.request.urlopen(req, timeout=10).read())


def test_every_region_is_enabled_until_the_admin_route_disables_one(client, endpoint, account):
    ec2 = client("ec2")
    regions = {r["RegionName"]: r["OptInStatus"] for r in ec2.describe_regions(AllRegions=True)["Regions"]}
    assert regions["us-east-1"] == "opt-in-not-required"
    assert regions["ap-east-1"] == "opted-in"  # moto alone says not-opted-in, yet serves it
    client("dms", "ap-east-1").describe_account_attributes()

    assert _disable(endpoint, account, ["ap-east-1"]) == {"account": account, "disabled": ["ap-east-1"]}
    listed = ec2.describe_regions(RegionNames=["ap-east-1", "eu-west-1"])["Regions"]
    assert {r["RegionName"]: r["OptInStatus"] for r in listed} == {
        "ap-east-1": "not-opted-in",
        "eu-west-1": "opt-in-not-required",
    }
    assert "ap-east-1" not in {r["RegionName"] for r in ec2.describe_regions()["Regions"]}


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("dms", lambda c: c.describe_account_attributes(), "UnrecognizedClientException"),
        ("rds", lambda c: c.describe_db_instances(), "InvalidClientTokenId"),
        ("ec2", lambda c: c.describe_vpcs(), "AuthFailure"),
        ("logs", lambda c: c.describe_log_groups(), "UnrecognizedClientException"),
    ],
)
def test_calls_in_a_disabled_region_are_refused_in_the_protocols_shape(client, endpoint, account, service, call, code):
    _disable(endpoint, account, ["me-south-1"])
    with pytest.raises(ClientError) as err:
        call(client(service, "me-south-1"))
    assert err.value.response["Error"]["Code"] == code
    call(client(service, "us-east-1"))  # other regions answer
    client("iam").list_roles()  # and IAM, global, too


def test_bad_settings_are_refused(endpoint):
    body = json.dumps({"account": "12", "disabled": "me-south-1"}).encode()
    req = urllib.request.Request(f"{endpoint}/_dmsemu/regions", data=body, method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 400
