"""report.html printed to PDF by headless Chromium: page numbers, running header, no orphan heading.

Needs Debian's chromium and poppler-utils' ``pdftotext``, both installed by
``.ci/install-browser``. Without them these tests skip, unless ``URBANFIT_REQUIRE_BROWSER=1``
makes a missing piece a failure (as CI does).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from urbanfit.render.document import Heading
from urbanfit.render.export import write_report
from urbanfit.render.report import build_document
from urbanfit.results import AnalysisResult

CHROMIUM = Path("/usr/bin/chromium")
HEADER = "urbanfit report: Helsinki (centre)"


def _unavailable(reason: str) -> None:
    if os.environ.get("URBANFIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (and URBANFIT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pages(helsinki: AnalysisResult, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The text of each page of Helsinki's report.html printed to A4 PDF (pdftotext -layout)."""
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing: run .ci/install-browser")
    if shutil.which("pdftotext") is None:
        _unavailable("pdftotext is missing (poppler-utils): run .ci/install-browser")
    folder = tmp_path_factory.mktemp("report")
    write_report(helsinki, folder)
    pdf = folder / "report.pdf"
    subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={folder / 'profile'}", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}", (folder / "report.html").as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def _content(page: str) -> list[str]:
    """The page's lines without the running header and the page number."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return [line for line in lines if line != HEADER and not re.fullmatch(r"Page \d+ of \d+", line)]


def test_every_printed_page_has_its_number_and_the_running_header(pages: list[str]) -> None:
    count = len(pages)
    assert count > 1
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0] == HEADER  # the @top-left margin box
        assert lines[-1] == f"Page {number} of {count}"  # the @bottom-center margin box


def test_the_first_page_is_the_council_brief(pages: list[str], helsinki: AnalysisResult) -> None:
    first = " ".join(_content(pages[0]))
    lines = [line.strip() for line in pages[0].splitlines() if line.strip()]
    assert lines[0] == HEADER  # the running header, then the dated title
    assert lines[1].startswith("Kei cars in Helsinki (centre): council brief, ")
    created = str(helsinki.summary["run"]["created"])[:10]
    # the dated title (the date may wrap onto the next line: compared without spaces)
    assert f"KeicarsinHelsinki(centre):councilbrief,{created}" in first.replace(" ", "")
    # the data's date and the attribution
    assert "OpenStreetMap of 2019-04-21, © OpenStreetMap contributors (ODbL)." in first
    # the floor before the estimate, at 25 % and at 100 %: 127 and 660 more spaces on mapped
    # curb and lots, 170 and 855 with the estimated curb (the summary's spaces_gained less
    # curb_spaces_gained_estimated; 855 is the parking headline's)
    gained = helsinki.summary["parking"]["scenarios"]
    for sid, label in (("kei025", "25 % kei"), ("kei100", "100 % kei")):
        total = gained[sid]["spaces_gained"]
        floor = total - gained[sid]["curb_spaces_gained_estimated"]
        sentence = (
            f"At {label}, mapped curb and lots alone give {floor:,.0f} more parking spaces "
            f"(the floor); with the estimated curb, up to {total:,.0f}."
        )
        assert sentence in first
        assert first.index(f"At {label}, mapped curb") < first.index(f"Parking at {label}:")
    assert "At 100 % kei, mapped curb and lots alone give 660 more parking spaces" in first
    inferred = helsinki.summary["parking"]["curb_inferred_km"]  # Helsinki: 5.96 km
    caveat = f"The biggest caveat Curb estimation: {inferred:.2f} km of untagged curb"
    assert caveat.replace(" ", "") in first.replace(" ", "")  # lines may wrap anywhere
    assert "Next step Check the estimated curbs" in first
    assert _content(pages[1])[0] == "About this report"  # the page break after the brief


def test_no_heading_is_left_at_the_foot_of_a_page(
    pages: list[str], helsinki: AnalysisResult
) -> None:
    headings = {
        "".join(block.text)
        for block in build_document(helsinki, {})
        if isinstance(block, Heading) and block.level > 1
    }
    assert "Appendix: assumptions" in headings
    for number, page in enumerate(pages, start=1):
        last = _content(page)[-1]
        assert last not in headings, f"page {number} ends with the heading {last!r}"
    printed = [line for page in pages for line in _content(page)]
    assert headings <= set(printed)  # every heading is printed on a line of its own
