"""The Markdown report rendered by a real CommonMark renderer (markdown-it-py, HTML allowed, as
GitHub and most renderers pass inline HTML through) has no active element, whatever the
partner wrote in the manifest: statements, claims and identifiers with <script>, <img onerror>,
<svg onload> and javascript: links stay text."""

from __future__ import annotations

import json
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    "<script>alert('statement')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(2)><circle/></svg>",
    "[click](javascript:alert(3))",
    "<a href=\"javascript:alert(4)\">x</a>",
    "<iframe src=//evil.example></iframe>",
]
ACTIVE_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "a", "style", "link", "meta", "form"}


class Active(HTMLParser):
    """Every element that could act: a script-like tag, an event handler, a javascript: URL."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ACTIVE_TAGS and tag != "a":
            self.found.append(f"<{tag}>")


def test_hostile_manifest_text_never_becomes_html(run, tmp_path):
    case = tomllib.loads((ROOT / "fixtures" / "case-studies" / "exemplary.toml").read_text())
    statements = dict(case["statements"])
    for i, key in enumerate(["problem", "proposal", "outcomes", "lessons_learned", "third_party", "uat"]):
        statements[key] = HOSTILE[i % len(HOSTILE)] + " " + HOSTILE[(i + 1) % len(HOSTILE)]
    # JSON strings are TOML basic strings.
    lines = [
        f"name = {json.dumps(HOSTILE[0])}",
        f"account_id = {json.dumps(case['account_id'])}",
        f"role_arn = {json.dumps(case['role_arn'])}",
        f"external_id = {json.dumps(case['external_id'])}",
        f"regions = {json.dumps(case['regions'])}",
        "[statements]",
        *[f"{k} = {json.dumps(v)}" for k, v in statements.items()],
        "[claims]",
        'source_engine = "<img src=x onerror=alert(5)>"',
    ]
    manifest = tmp_path / "hostile.toml"
    manifest.write_text("\n".join(lines) + "\n")
    tomllib.loads(manifest.read_text())  # the manifest itself is valid TOML
    evidence, report = tmp_path / "e.json", tmp_path / "r.md"
    out = run("collect", "--case-study", str(manifest), "--out", str(evidence))
    assert evidence.exists(), out.stderr
    out = run("report", str(evidence), "--format", "md", "--out", str(report))
    assert out.returncode == 0, out.stderr
    text = report.read_text()
    assert "alert('statement')" in text, "the hostile text is in the report, as text"
    html = MarkdownIt("commonmark").render(text)
    parser = Active()
    parser.feed(html)
    assert parser.found == [], parser.found[:5]
    assert not re.search(r"<script", html, re.IGNORECASE)


def test_a_landing_page_must_be_an_http_url(run, tmp_path):
    case = (ROOT / "fixtures" / "case-studies" / "exemplary.toml").read_text()
    bad = re.sub(r'landing_page_url = "[^"]*"', 'landing_page_url = "javascript:alert(1)"', case)
    manifest = tmp_path / "case.toml"
    manifest.write_text(bad)
    line = bad.splitlines().index('landing_page_url = "javascript:alert(1)"') + 1
    out = run("collect", "--case-study", str(manifest), "--out", str(tmp_path / "e.json"))
    assert out.returncode == 2, out.stderr
    assert f"case.toml:{line}" in out.stderr and "not an http(s) URL" in out.stderr, out.stderr
