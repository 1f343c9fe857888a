"""A small document model and its two writers: self-contained HTML (print-ready) and Markdown.

Text from OSM or from the user is wrapped in `Untrusted`: Markdown-escaped in the Markdown.
All text is HTML-escaped in the HTML, and the running header of the printed page (a CSS string)
escapes every character that is not a letter, digit or space.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass

__all__ = [
    "Block",
    "Bullets",
    "Heading",
    "Image",
    "PageBreak",
    "Para",
    "Table",
    "Text",
    "Untrusted",
    "html_page",
    "markdown_text",
]


class Untrusted(str):
    """Text from OSM or user input: escaped wherever it is written."""

    __slots__ = ()


Text = tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    """A section heading (level 1-3)."""

    level: int
    text: Text


@dataclass(frozen=True)
class Para:
    """A paragraph made of trusted and untrusted pieces."""

    text: Text


@dataclass(frozen=True)
class Bullets:
    """A bullet list; each item one line."""

    items: tuple[Text, ...]


@dataclass(frozen=True)
class Table:
    """A table of text cells (numbers already formatted)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Image:
    """A chart: embedded in HTML, linked in Markdown (``link``: relative path of the PNG)."""

    link: str
    caption: str
    png: bytes


@dataclass(frozen=True)
class PageBreak:
    """A page break in print (a horizontal rule in Markdown)."""


Block = Heading | Para | Bullets | Table | Image | PageBreak


# --- HTML ---------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK JP",
       "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Source Han Sans", "WenQuanYi Micro Hei",
       "Droid Sans Fallback", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
figure { margin: 1rem 0; } figure img { max-width: 100%; }
figcaption { font-size: 0.85rem; color: #555; }
hr.page-break { border: 0; margin: 0; }
@page { size: A4; margin: 18mm 14mm 18mm;
        @top-left { content: HEADER; font: 8pt system-ui, sans-serif; color: #555; }
        @bottom-center { content: "Page " counter(page) " of " counter(pages);
                         font: 8pt system-ui, sans-serif; color: #555; } }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h2 { margin-top: 1.2rem; }
  h1, h2, h3, p:has(+ table), p:has(+ figure) { break-after: avoid; break-inside: avoid; }
  table, figure, ul { break-inside: avoid; } figure img { max-height: 20cm; }
  table.long { break-inside: auto; }
  thead { display: table-header-group; } tr { break-inside: avoid; }
  hr.page-break { break-after: page; }
}
"""
"""Print: A4, a running header (the title) and ``Page n of N`` in the page margin boxes
(Chromium prints CSS margin boxes since version 131), headings kept with what follows."""


_LONG_TABLE_ROWS = 25
"""A table with more rows may break across printed pages (its header row repeats); a shorter
one moves whole to the next page rather than leave a gap mid-table."""


def _css_string(text: str) -> str:
    """Quote text as a CSS string: all but letters, digits, space as 6-digit escapes + space."""
    return '"' + "".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):06x} "
                         for c in text) + '"'  # fmt: skip


def _h(text: Text) -> str:
    return "".join(html.escape(piece) for piece in text)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_h(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        return f"<p>{_h(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_h(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in block.header)
        body = "\n".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in block.rows
        )
        opening = '<table class="long">' if len(block.rows) > _LONG_TABLE_ROWS else "<table>"
        return f"{opening}\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    if isinstance(block, PageBreak):
        return '<hr class="page-break">'
    data = base64.b64encode(block.png).decode("ascii")
    caption = html.escape(block.caption)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def html_page(blocks: list[Block], title: Text) -> str:
    """
    One self-contained HTML page of blocks (inline CSS, images as data URIs, no scripts).

    Parameters
    ----------
    blocks
        The document.
    title
        The page title; also the running header of every printed page.

    Returns
    -------
    page
        The HTML text.
    """
    body = "\n".join(_html_block(b) for b in blocks)
    css = _CSS.replace("HEADER", _css_string("".join(title)))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_h(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


# --- Markdown -----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>#|!])")


def _md_piece(piece: str, *, cell: bool) -> str:
    if isinstance(piece, Untrusted):
        return _MD_SPECIAL.sub(r"\\\1", piece)
    piece = piece.replace("<", r"\<").replace(">", r"\>")
    return piece.replace("|", r"\|") if cell else piece


def _m(text: Text, *, cell: bool = False) -> str:
    """Markdown of trusted and untrusted pieces; ``|`` escaped in table cells."""
    joined = "".join(_md_piece(piece, cell=cell) for piece in text)
    return " ".join(joined.split()) if cell else joined


def _md_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {_m(block.text)}"
    if isinstance(block, Para):
        return _m(block.text)
    if isinstance(block, Bullets):
        return "\n".join(f"- {_m(item)}" for item in block.items)
    if isinstance(block, Table):
        lines = [
            "| " + " | ".join(_m((c,), cell=True) for c in block.header) + " |",
            "|" + "---|" * len(block.header),
            *("| " + " | ".join(_m((c,), cell=True) for c in row) + " |" for row in block.rows),
        ]
        return "\n".join(lines)
    if isinstance(block, PageBreak):
        return "---"
    return f"![{_m((block.caption,))}]({block.link})"


def markdown_text(blocks: list[Block]) -> str:
    """Markdown of blocks (GitHub-flavoured tables, ``|`` escaped in cells)."""
    return "\n\n".join(_md_block(b) for b in blocks) + "\n"
