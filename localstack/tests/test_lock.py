"""The venv holds exactly requirements.lock: every installed package pinned there, at its version.

A venv cached on one machine once hid a failure that every fresh machine hit (an unpinned
botocore had moved on). These tests fail when the venv and the lock disagree in either
direction, and when the lock stops pinning with hashes what requirements.in names.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

LOCALSTACK = Path(__file__).resolve().parents[1]
LOCK = LOCALSTACK / "requirements.lock"
REQUIREMENTS_IN = LOCALSTACK / "requirements.in"

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def normalise(name: str) -> str:
    """PEP 503 name normalisation: runs of '-', '_' and '.' become one '-', lower case."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_lock(text: str) -> dict[str, str]:
    """Name → version of every `name==version` requirement, refusing a pin without a hash."""
    pins: dict[str, str] = {}
    number, requirement = 0, ""
    for i, line in enumerate(text.splitlines(), 1):
        if not requirement:
            number = i
        requirement += line.rstrip("\\") + " "
        if line.endswith("\\"):
            continue  # the requirement goes on (its hashes)
        requirement, m = "", PIN.match(requirement)
        if not m:
            continue
        name = normalise(m.group(1))
        if "--hash=sha256:" not in m.string:
            raise ValueError(f"requirements.lock line {number}: {name} is pinned without a hash")
        if name in pins:
            raise ValueError(f"requirements.lock line {number}: {name} is pinned twice")
        pins[name] = m.group(3)
    return pins


def compare(installed: dict[str, str], pinned: dict[str, str]) -> list[str]:
    """Every disagreement between an installed set and the lock, one sentence each."""
    problems = []
    for name, version in sorted(installed.items()):
        if name not in pinned:
            problems.append(f"{name} {version} is installed but not in requirements.lock")
        elif pinned[name] != version:
            problems.append(f"{name} is installed at {version}, requirements.lock pins {pinned[name]}")
    for name, version in sorted(pinned.items()):
        if name not in installed:
            problems.append(f"{name}=={version} is in requirements.lock but not installed")
    return problems


def installed_distributions() -> dict[str, str]:
    return {normalise(d.metadata["Name"]): d.version for d in metadata.distributions()}


def test_the_venv_holds_exactly_the_lock():
    problems = compare(installed_distributions(), parse_lock(LOCK.read_text()))
    assert not problems, "; ".join(problems) + " (regenerate with scripts/lock-python; see docs/development.md)"


def test_every_direct_requirement_is_locked():
    pinned = parse_lock(LOCK.read_text())
    names = []
    for line in REQUIREMENTS_IN.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(normalise(re.split(r"[\[<>=!~;\s]", line, maxsplit=1)[0]))
    missing = [n for n in names if n not in pinned]
    assert not missing, f"requirements.in names {missing}, not in requirements.lock: run scripts/lock-python"


def test_versions_are_chosen_only_in_the_lock():
    for number, line in enumerate(REQUIREMENTS_IN.read_text().splitlines(), 1):
        spec = line.split("#", 1)[0]
        assert not re.search(r"[<>=!~]", spec), f"requirements.in line {number} chooses a version: {line.strip()}"


@pytest.mark.parametrize(
    ("installed", "pinned", "expected"),
    [
        ({"moto": "5.2.5"}, {"moto": "5.2.5"}, []),
        (
            {"botocore": "1.44.18"},
            {"botocore": "1.44.8"},
            ["botocore is installed at 1.44.18, requirements.lock pins 1.44.8"],
        ),
        ({"moto": "5.2.5", "extra": "1.0"}, {"moto": "5.2.5"}, ["extra 1.0 is installed but not in requirements.lock"]),
        ({}, {"moto": "5.2.5"}, ["moto==5.2.5 is in requirements.lock but not installed"]),
    ],
    ids=["equal", "differs", "not-locked", "not-installed"],
)
def test_compare_names_each_disagreement(installed, pinned, expected):
    assert compare(installed, pinned) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Foo_Bar==1.0 \\\n    --hash=sha256:ab\n", {"foo-bar": "1.0"}),
        ("moto[server]==5.2.5 \\\n    --hash=sha256:ab\n    # via -r requirements.in\n", {"moto": "5.2.5"}),
        ("# a comment\n--index-url https://pypi.org/simple\n", {}),
    ],
    ids=["normalised", "extras", "comments"],
)
def test_parse_lock(text, expected):
    assert parse_lock(text) == expected


def test_parse_lock_refuses_a_pin_without_hash():
    with pytest.raises(ValueError, match="line 1: pip is pinned without a hash"):
        parse_lock("pip==26.3\nsetuptools==1 \\\n    --hash=sha256:ab\n")
