"""The report printed by a real browser: headless Chromium renders the HTML report of a
signed bundle to PDF, and poppler's pdftotext / pdfinfo read it back. Every checklist item
with its verdict and the verification line must be in the PDF, every page must be A4 and
no text may run past the page's edge.

Required when CI=true (scripts/test installs chromium and poppler-utils there); elsewhere
it skips with a one-line notice when they are missing."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGES = "chromium poppler-utils"
A4_WIDTH_PT = 595.28


def tools() -> dict[str, str]:
    found = {name: shutil.which(name) for name in ("chromium", "pdftotext", "pdfinfo")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        message = f"PDF check needs {', '.join(missing)} (Debian packages: {PACKAGES})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI scripts/test installs them")
        pytest.skip(message)
    return {name: str(path) for name, path in found.items()}


def print_pdf(chromium: str, html: Path, pdf: Path, profile: Path) -> None:
    # No network beyond the file itself: every host name resolves to nothing.
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-first-run",
                    "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
                    f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri()],
                   check=True, capture_output=True, timeout=180)


def page_sizes(pdfinfo: str, pdf: Path) -> list[tuple[float, float]]:
    out = subprocess.run([pdfinfo, "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)]


def text_past_the_edge(pdftotext: str, pdf: Path, tmp: Path) -> list[str]:
    bbox = tmp / "bbox.html"
    subprocess.run([pdftotext, "-bbox", str(pdf), str(bbox)], check=True, capture_output=True)
    over = []
    for width, body in re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', bbox.read_text(), re.DOTALL):
        for x_max, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', body):
            if float(x_max) > float(width):
                over.append(word)
    return over


def printed(run, signed, scenario: str, tmp: Path) -> tuple[dict[str, str], Path, Path, Path]:
    """The scenario's signed bundle reported as HTML and printed: the tools, the bundle,
    the HTML and the PDF."""
    found = tools()
    bundles, public = signed
    bundle = bundles[scenario]
    html, pdf = tmp / f"{scenario}.html", tmp / f"{scenario}.pdf"
    done = run("report", str(bundle), "--public-key", str(public), "--out", str(html))
    assert done.returncode == 0, done.stderr
    print_pdf(found["chromium"], html, pdf, tmp / "profile")
    return found, bundle, html, pdf


def test_the_report_prints_on_a4_with_every_item_and_the_verification(run, signed, tmp_path):
    found, bundle, _html, pdf = printed(run, signed, "exemplary", tmp_path)

    sizes = page_sizes(found["pdfinfo"], pdf)
    assert len(sizes) >= 3, f"{len(sizes)} page(s)"
    assert all(w <= A4_WIDTH_PT + 1 and abs(h - 841.89) < 2 for w, h in sizes), f"pages wider than A4: {set(sizes)}"
    assert text_past_the_edge(found["pdftotext"], pdf, tmp_path) == [], "text runs off the page"

    text = subprocess.run([found["pdftotext"], str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    predicate = json.loads(base64.b64decode(json.loads(bundle.read_text())["payload"]))["predicate"]
    missing = [f"{f['item']} — {f['verdict']}" for f in predicate["findings"]
               if f"{f['item']} — {f['verdict']}" not in flat]
    assert missing == [], f"not in the PDF: {missing}"
    keyid = predicate["signers"][0]["keyid"]
    assert "Signature: verified: signed by" in flat and keyid in flat.replace(" ", ""), "the verification line"
    assert "Executive summary" in flat and "Appendix: the evidence" in flat


def test_the_large_report_stays_readable_and_names_every_resource(run, signed, tmp_path):
    """On `large` (150 tasks, 3 regions) the executive summary and the checklist fit in 12
    A4 pages after the cover, the whole report in 100, and every task and endpoint is
    still named in it."""
    found, bundle, html, pdf = printed(run, signed, "large", tmp_path)
    pages = subprocess.run([found["pdftotext"], str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")
    pages = [" ".join(p.split()) for p in pages if p.strip()]
    claims = next(i for i, p in enumerate(pages) if "Claims Claim Stated Observed Result" in p)
    assert claims <= 13, f"the executive summary and the checklist take {claims - 1} pages after the cover"
    assert len(pages) <= 100, f"{len(pages)} pages"
    text = html.read_text()
    facts = json.loads(base64.b64decode(json.loads(bundle.read_text())["payload"]))["predicate"]["facts"]
    names = [t["identifier"] for t in facts["tasks"]] + [e["identifier"] for e in facts["endpoints"]]
    missing = [n for n in names if n not in text]
    assert missing == [], f"not named in the report: {missing[:5]}"

