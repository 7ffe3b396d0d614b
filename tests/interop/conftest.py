"""Fixtures for the interoperability tests: the built dms-evidence binary and a private
emulator (seeded with `exemplary`) on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def binary() -> Path:
    path = Path(os.environ.get("DMS_EVIDENCE_BIN", ROOT / "target" / "debug" / "dms-evidence"))
    if not path.exists():
        pytest.fail(f"{path} is missing: build it first (scripts/test does), or set DMS_EVIDENCE_BIN")
    return path


@pytest.fixture(scope="session")
def endpoint():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "EMULATOR_PORT": str(port), "DMSEMU_PARENT_PID": str(os.getpid())}
    url = subprocess.run([str(ROOT / "localstack" / "up")], env=env, check=True, capture_output=True, text=True).stdout.split()[-1]
    subprocess.run([str(ROOT / "localstack" / "seed"), str(ROOT / "fixtures" / "scenarios" / "exemplary.json")],
                   env={**env, "AWS_ENDPOINT_URL": url}, check=True, capture_output=True)
    yield url
    subprocess.run([str(ROOT / "localstack" / "down")], env=env, check=False, capture_output=True)


@pytest.fixture
def run(binary, endpoint):
    def call(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "interop", "AWS_SECRET_ACCESS_KEY": "interop",
               "AWS_EC2_METADATA_DISABLED": "true"}
        return subprocess.run([str(binary), *args], env=env, capture_output=True, text=True, check=False)

    return call
