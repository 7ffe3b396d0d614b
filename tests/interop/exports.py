"""The field's own validators for our exports: compliance-trestle for NIST OSCAL
Assessment Results, py-ocsf-models for OCSF Compliance Findings. Each check raises
AssertionError naming what is wrong.

py-ocsf-models (0.10, OCSF 1.5.0) types class_uid and category_uid as plain ints, does not
tie type_uid to activity_id, leaves compliance.standards optional and has no `cloud`
object, so those OCSF requirements are checked here by hand."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import trestle.core.validator_factory as vfact
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from trestle.common.const import VAL_MODE_ALL
from trestle.core import oscal_backward_compatibility as compat
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.assessment_results import AssessmentResults

# The six demo scenarios of fixtures/scenarios, each with its case study.
SCENARIOS = ["exemplary", "homogeneous-ec2", "large", "serverless-redshift", "two-accounts", "weak"]


def check_oscal(path: Path) -> AssessmentResults:
    raw = json.loads(path.read_text())
    assert list(raw) == ["assessment-results"], f"{path}: one top-level key expected, got {list(raw)}"
    errors = [str(i) for i in compat.check_raw_oscal(raw) if i.severity == "ERROR"]
    assert not errors, f"{path}: {errors}"
    ar = AssessmentResults.model_validate(raw["assessment-results"])
    # What `trestle validate` runs after loading: duplicate uuids, references, links.
    validator = vfact.validator_factory.get(argparse.Namespace(mode=VAL_MODE_ALL))
    assert validator.model_is_valid(ar, True, None), f"{path}: trestle: {validator.error_msg()}"
    version = ar.metadata.oscal_version.root
    version = getattr(version, "root", version)
    assert version == OSCAL_VERSION, f"{path}: OSCAL {version}, trestle models {OSCAL_VERSION}"
    # References trestle only warns about: every link must resolve.
    observations = {o.uuid for r in ar.results for o in r.observations or []}
    resources = {x.uuid for x in (ar.back_matter.resources or [])} if ar.back_matter else set()
    for result in ar.results:
        for finding in result.findings or []:
            for related in finding.related_observations or []:
                assert related.observation_uuid in observations, f"{finding.uuid}: dangling observation"
        for observation in result.observations or []:
            for evidence in observation.relevant_evidence or []:
                assert evidence.href[1:] in resources, f"{observation.uuid}: dangling evidence {evidence.href}"
    return ar


def check_ocsf_event(event: dict[str, Any]) -> ComplianceFinding:
    model = ComplianceFinding.model_validate_json(json.dumps(event), strict=True)
    assert event["class_uid"] == 2003 and event["category_uid"] == 2, event.get("class_uid")
    assert event["type_uid"] == 200300 + event["activity_id"], event["type_uid"]
    assert event["compliance"].get("standards"), "compliance.standards is required by OCSF"
    assert event["metadata"].get("version"), "metadata.version is required by OCSF"
    cloud = event["cloud"]
    assert isinstance(cloud.get("provider"), str) and cloud["provider"], "cloud.provider is required by OCSF"
    assert isinstance(cloud["account"]["uid"], str), "cloud.account.uid"
    return model


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
