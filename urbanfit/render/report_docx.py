"""The report as a Word document (``report.docx``), for council packets assembled in Word.

The same blocks as the HTML and Markdown report (`urbanfit.render.document`), written with
python-docx: headings as Word headings (so the packet's table of contents finds them), tables
with a header row, charts as pictures with their caption, page breaks where the print has them.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.shared import Cm, Pt

from urbanfit.render.document import Block, Bullets, Heading, Image, PageBreak, Para, Table

__all__ = ["write_docx"]

# XML 1.0 forbids most control characters: OSM text carrying one is written without it
_CONTROL = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_FONT = "Noto Sans CJK JP"  # East Asian text (Japanese street names) in a CJK-capable font


def _text(pieces: tuple[str, ...] | str) -> str:
    return "".join(pieces).translate(_CONTROL)


def write_docx(blocks: list[Block], path: Path) -> None:
    """
    Write the report's blocks to a .docx file.

    Parameters
    ----------
    blocks
        The report, as `urbanfit.render.report.build_document` lays it out.
    path
        The file written.
    """
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(10)
    normal.font.name = "Calibri"  # creates the style's font element, then its East Asian font
    fonts = normal.element.rPr.rFonts
    fonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", _FONT)
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(_text(block.text), level=min(block.level, 3))
        elif isinstance(block, Para):
            document.add_paragraph(_text(block.text))
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(_text(item), style="List Bullet")
        elif isinstance(block, Table):
            table = document.add_table(rows=1, cols=len(block.header), style="Table Grid")
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = _text(str(text))
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=False):
                    cell.text = _text(str(text))
        elif isinstance(block, Image):
            document.add_picture(io.BytesIO(block.png), width=Cm(16))
            document.add_paragraph(_text(block.caption), style="Caption")
        elif isinstance(block, PageBreak):
            document.add_page_break()
    buffer = io.BytesIO()
    document.save(buffer)
    Path(path).write_bytes(buffer.getvalue())
