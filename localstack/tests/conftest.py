"""Fixtures: a private emulator on a free loopback port, and boto3 sessions into accounts."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import boto3
import pytest

HERE = Path(__file__).resolve().parent
LOCALSTACK = HERE.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def endpoint():
    port = free_port()
    env = {**os.environ, "EMULATOR_PORT": str(port), "DMSEMU_PARENT_PID": str(os.getpid())}
    out = subprocess.run([str(LOCALSTACK / "up")], env=env, check=True, capture_output=True, text=True)
    url = out.stdout.strip().splitlines()[-1]
    yield url
    subprocess.run([str(LOCALSTACK / "down")], env=env, check=False, capture_output=True)


@pytest.fixture
def faults(endpoint):
    """Sets faults for one test and always switches them off again."""
    import json
    import urllib.request

    def put(doc: dict) -> None:
        req = urllib.request.Request(f"{endpoint}/_dmsemu/faults", data=json.dumps(doc).encode(), method="PUT")
        urllib.request.urlopen(req, timeout=10).read()

    yield put
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/_dmsemu/faults", method="DELETE"), timeout=10).read()


_counter = iter(range(100000000000, 999999999999, 7919))


@pytest.fixture
def account() -> str:
    """A fresh account id per test, so tests share the emulator without sharing state."""
    return str(next(_counter))


@pytest.fixture
def session(endpoint, account):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/test", RoleSessionName="pytest")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name="us-east-1")


@pytest.fixture
def client(session, endpoint):
    from botocore.config import Config

    def make(service: str, region: str = "us-east-1"):
        return session.client(service, endpoint_url=endpoint, region_name=region,
                              config=Config(retries={"max_attempts": 1}))

    return make
