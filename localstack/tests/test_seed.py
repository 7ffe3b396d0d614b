"""The scenario loader: every scenario seeds; bad files get an error naming file and place."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "fixtures" / "scenarios").glob("*.json"))


def seed(endpoint, *files):
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint}
    return subprocess.run(
        [str(ROOT / "localstack" / "seed"), *map(str, files)], env=env, capture_output=True, text=True, check=False
    )


def test_all_six_scenarios_exist():
    assert {p.stem for p in SCENARIOS} >= {"exemplary", "weak", "homogeneous-ec2", "serverless-redshift", "large",
                                            "two-accounts"}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_seeds(endpoint, path):
    out = seed(endpoint, path)
    assert out.returncode == 0, out.stderr
    created = json.loads(out.stdout)
    assert created["scenario"] == path.stem
    assert created["accounts"]


def test_invalid_json_names_file_and_line(endpoint, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "accounts": [\n    {"account_id": "1",}\n  ]\n}\n')
    out = seed(endpoint, bad)
    assert out.returncode == 2
    assert f"{bad}:3:" in out.stderr


def test_bad_account_id_names_the_field(endpoint, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"accounts": [{"account_id": "12"}]}))
    out = seed(endpoint, bad)
    assert out.returncode == 2
    assert "accounts[0].account_id" in out.stderr


def test_unknown_reference_is_named(endpoint, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"accounts": [{"account_id": "999999999999", "regions": [
        {"region": "us-east-1", "tasks": [{"id": "t", "source": "nope", "target": "x", "instance": "y"}]}]}]}))
    out = seed(endpoint, bad)
    assert out.returncode == 2
    assert "endpoint 'nope' is not defined" in out.stderr
