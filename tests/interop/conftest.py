"""Fixtures for the interoperability tests: the built dms-evidence binary and a private
emulator (seeded with `exemplary`) on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest
from exports import SCENARIOS

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


@pytest.fixture(scope="session")
def seed(endpoint):
    """Seeds a scenario of fixtures/scenarios into the shared emulator, once."""
    done = {"exemplary"}

    def call(scenario: str) -> None:
        if scenario not in done:
            subprocess.run([str(ROOT / "localstack" / "seed"), str(ROOT / "fixtures" / "scenarios" / f"{scenario}.json")],
                           env={**os.environ, "AWS_ENDPOINT_URL": endpoint}, check=True, capture_output=True)
            done.add(scenario)

    return call


@pytest.fixture(scope="session")
def run(binary, endpoint):
    def call(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "interop", "AWS_SECRET_ACCESS_KEY": "interop",
               "AWS_EC2_METADATA_DISABLED": "true"}
        return subprocess.run([str(binary), *args], env=env, capture_output=True, text=True, check=False)

    return call


@pytest.fixture(scope="session")
def signed(run, seed, tmp_path_factory):
    """Every scenario collected and signed once: {scenario: bundle}, and the public key."""
    root = tmp_path_factory.mktemp("exports")
    private, public = root / "k.pem", root / "k.pub"
    assert run("keygen", "--private-key", str(private), "--public-key", str(public)).returncode == 0
    bundles = {}
    for scenario in SCENARIOS:
        seed(scenario)
        bundle = root / f"{scenario}.json"
        case = ROOT / "fixtures" / "case-studies" / f"{scenario}.toml"
        out = run("collect", "--case-study", str(case), "--key", str(private), "--out", str(bundle))
        assert bundle.exists(), out.stderr
        bundles[scenario] = bundle
    return bundles, public
