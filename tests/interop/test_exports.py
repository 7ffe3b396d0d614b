"""OSCAL and OCSF exports of every scenario's bundle validate with the field's own tools
(compliance-trestle, py-ocsf-models), are deterministic, and refuse or mark a bundle that
does not verify."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from exports import SCENARIOS, check_ocsf_event, check_oscal, read_lines


def predicate(bundle: Path) -> dict:
    envelope = json.loads(bundle.read_text())
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    return json.loads(base64.b64decode(envelope["payload"]))["predicate"]


def export(run, signed, scenario: str, fmt: str, out: Path) -> Path:
    bundles, public = signed
    done = run("export", str(bundles[scenario]), "--public-key", str(public), "--format", fmt, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return bundles[scenario]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_oscal_export_validates_with_trestle(run, signed, scenario, tmp_path):
    bundle = export(run, signed, scenario, "oscal", tmp_path / "ar.json")
    ar = check_oscal(tmp_path / "ar.json")
    signed_findings = predicate(bundle)["findings"]
    findings = ar.results[0].findings or []
    verdicts = [next(p.value for p in f.props or [] if p.name == "verdict") for f in findings]
    assert verdicts == [f["verdict"] for f in signed_findings], "one finding per item, with its signed verdict"
    for f, verdict in zip(findings, verdicts, strict=True):
        assert (f.target.status.state.value == "satisfied") == (verdict in ("met", "attested", "not_applicable"))
    bound = ar.back_matter.resources[0] if ar.back_matter and ar.back_matter.resources else None
    assert bound is not None and bound.rlinks and bound.rlinks[0].hashes
    assert bound.rlinks[0].hashes[0].value == hashlib.sha256(bundle.read_bytes()).hexdigest()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ocsf_export_validates_with_py_ocsf_models(run, signed, scenario, tmp_path):
    bundle = export(run, signed, scenario, "ocsf", tmp_path / "findings.jsonl")
    events = read_lines(tmp_path / "findings.jsonl")
    for event in events:
        check_ocsf_event(event)
    signed_predicate = predicate(bundle)
    items = [e for e in events if e["finding_info"]["types"] == ["AWS DMS partner validation"]]
    assert [(e["compliance"]["control"], e["unmapped"]["verdict"]) for e in items] == [
        (f["item"], f["verdict"]) for f in signed_predicate["findings"]]
    assert len(events) == len(items) + len(signed_predicate["peer_checks"]), "one event per item and per peer check"
    accounts = {e["cloud"]["account"]["uid"] for e in events}
    assert len(accounts) == 1 and all(len(a) == 12 for a in accounts), accounts
    assert all(r["uid"] for e in events for r in e["resources"])


def test_exports_are_deterministic_and_refuse_what_does_not_verify(run, signed, tmp_path):
    bundles, public = signed
    bundle = bundles["exemplary"]
    outputs = []
    for i in range(2):
        out = tmp_path / f"ar{i}.json"
        assert run("export", str(bundle), "--public-key", str(public), "--format", "oscal", "-o", str(out)).returncode == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1], "the same bundle exports the same bytes"

    other = tmp_path / "other.pub"
    assert run("keygen", "--private-key", str(tmp_path / "o.pem"), "--public-key", str(other)).returncode == 0
    refused = run("export", str(bundle), "--public-key", str(other), "--format", "ocsf")
    assert refused.returncode == 4 and refused.stdout == "", refused
    assert "does not verify" in refused.stderr and "--allow-unverified" in refused.stderr

    marked = tmp_path / "marked.json"
    done = run("export", str(bundle), "--public-key", str(other), "--allow-unverified", "--format", "oscal", "-o", str(marked))
    assert done.returncode == 0, done.stderr
    ar = check_oscal(marked)
    assert ar.metadata.title.startswith("UNVERIFIED")
    events = tmp_path / "marked.jsonl"
    assert run("export", str(bundle), "--allow-unverified", "--format", "ocsf", "-o", str(events)).returncode == 0
    assert {e["unmapped"]["verification"] for e in read_lines(events)} == {"unverified"}


def test_the_validators_catch_a_broken_export(run, signed, tmp_path):
    # The checks above can fail: a state OSCAL does not know, an OCSF status it does not list.
    bundles, public = signed
    out = tmp_path / "ar.json"
    assert run("export", str(bundles["weak"]), "--public-key", str(public), "--format", "oscal", "-o", str(out)).returncode == 0
    doc = json.loads(out.read_text())
    doc["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "passed"
    out.write_text(json.dumps(doc))
    with pytest.raises(Exception, match="state"):
        check_oscal(out)
    events = tmp_path / "e.jsonl"
    assert run("export", str(bundles["weak"]), "--public-key", str(public), "--format", "ocsf", "-o", str(events)).returncode == 0
    event = read_lines(events)[0]
    event["compliance"]["status_id"] = 7
    with pytest.raises(Exception, match="status_id"):
        check_ocsf_event(event)
    del event["cloud"]
    event["compliance"]["status_id"] = 1
    with pytest.raises(KeyError):
        check_ocsf_event(event)
