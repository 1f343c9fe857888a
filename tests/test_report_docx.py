"""report.docx: the report as a Word document, opened with python-docx, same headings."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from urbanfit.render.document import Heading, Para, Table
from urbanfit.render.report import build_document, write_report
from urbanfit.render.report_docx import write_docx
from urbanfit.results import AnalysisResult


@pytest.fixture(scope="module")
def written(helsinki: AnalysisResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docx")
    write_report(helsinki, folder, {})  # no charts: the text and tables are what is checked
    return folder / "report.docx"


def test_report_docx_opens_and_carries_the_reports_headings(
    written: Path, helsinki: AnalysisResult
) -> None:
    document = docx.Document(str(written))
    headings = [
        (int(p.style.name.removeprefix("Heading ")), p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading ")
    ]
    expected = [
        (block.level, "".join(block.text))
        for block in build_document(helsinki, {})
        if isinstance(block, Heading) and block.level > 1
    ]
    assert [h for h in headings if h[0] > 1] == expected
    # the title is Word's level-1 heading, as in the HTML
    title = [text for level, text in headings if level == 1]
    assert title[0].startswith("Kei cars in Helsinki (centre): council brief, ")
    assert "At 25 % kei" in [text for _, text in headings]


def test_report_docx_tables_keep_their_header_row(written: Path) -> None:
    document = docx.Document(str(written))
    appendix = [t for t in document.tables if t.rows[0].cells[0].text == "parameter"]
    assert len(appendix) == 1
    # the parameter names read as words: "parking.curb.diagonal_angle_deg" is written
    # "Parking, curb: diagonal angle", its unit (deg) in the unit column
    names = {row.cells[0].text: row.cells[2].text for row in appendix[0].rows[1:]}
    assert names["Parking, curb: diagonal angle"] == "deg"
    assert not any("." in name or "_" in name for name in names)


def test_control_characters_from_osm_text_do_not_break_the_file(tmp_path: Path) -> None:
    # XML 1.0 cannot hold U+0001 or U+001B: they are dropped, the rest kept
    blocks = [
        Heading(2, ("Lot \x01names",)),
        Para(("Stra\x1bße 名古屋",)),
        Table(("name",), (("a\x02b",),)),
    ]
    path = tmp_path / "r.docx"
    write_docx(blocks, path)
    document = docx.Document(str(path))
    assert [p.text for p in document.paragraphs] == ["Lot names", "Straße 名古屋"]
    assert document.tables[0].rows[1].cells[0].text == "ab"
