"""Release of public documents (utlämnande av allmän handling) with masking burned in.

The released copy is drawn anew from the document's text: the masked passages are never
written to the PDF, a black box stands where they were, and the provision of the Public Access
to Information and Secrecy Act (OSL) that applies is printed in the margin beside the line.
There is no text layer under the boxes to copy back.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotReadable(ValueError):
    """The document is in a format Tillit cannot read the text of."""


TEXT_SUFFIXES = {".txt", ".csv", ".md", ".text"}


def document_text(filename: str, content_type: str, content: bytes) -> str:
    """The text of a case document: plain text, Word (.docx) or PDF."""
    suffix = Path(filename).suffix.lower()
    if suffix in TEXT_SUFFIXES or content_type.startswith("text/"):
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
    if suffix == ".docx":
        from docx import Document

        return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    if suffix == ".pdf" or content_type == "application/pdf":
        import pypdf

        try:
            return "\n".join(
                page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(content)).pages
            )
        except pypdf.errors.PdfReadError:
            raise NotReadable(_("“%(name)s” is not a readable PDF.") % {"name": filename}) from None
    raise NotReadable(
        _(
            "Tillit can make a masked copy of text, Word (.docx) and PDF files only; “%(name)s” is "
            "none of them. Mask it by hand and register the copy as a document."
        )
        % {"name": filename}
    )


def _pattern(passage: str) -> re.Pattern:
    """The passage, with any run of white space matching any other (a line break in the original)."""
    words = passage.split()
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def masked_spans(text: str, passages: list[str]) -> list[tuple[int, int, int]]:
    """(start, end, index of the passage) for every occurrence of every passage."""
    spans = []
    for index, passage in enumerate(passages):
        if not passage.split():
            continue
        spans += [(m.start(), m.end(), index) for m in _pattern(passage).finditer(text)]
    return sorted(spans)


def passage_found(text: str, passage: str) -> bool:
    return bool(passage.split()) and _pattern(passage).search(text) is not None


@dataclass
class _Piece:
    text: str
    mask: int | None  # index of the masking, or None


def _pieces(line: str, offset: int, owner: list[int | None]) -> list[_Piece]:
    """The words of one line, split where masking starts or ends."""
    pieces: list[_Piece] = []
    for match in re.finditer(r"\S+", line):
        start = match.start()
        current = start
        for i in range(start, match.end() + 1):
            state = owner[offset + i] if i < match.end() else object()
            if i == match.end() or state != owner[offset + current]:
                pieces.append(_Piece(line[current:i], owner[offset + current]))
                current = i
        pieces[-1].text += " "  # the space after the word
    return pieces


def released_pdf(*, title: str, header: str, text: str, maskings: list[tuple[str, str]]) -> bytes:
    """A PDF of `text` with every passage in `maskings` (passage, provision) removed and boxed out."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    passages = [p for p, _provision in maskings]
    provisions = [provision for _p, provision in maskings]
    owner: list[int | None] = [None] * (len(text) + 1)
    for start, end, index in masked_spans(text, passages):
        for i in range(start, end):
            owner[i] = index

    width, height = A4
    left, right_text, top, bottom = 2.2 * cm, width - 5.2 * cm, height - 2.4 * cm, 2 * cm
    font, size, leading = "Helvetica", 10, 14
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    # the metadata carries no text of the document
    pdf.setTitle(title)
    pdf.setAuthor("Tillit")
    page = [0]

    def start_page() -> float:
        page[0] += 1
        pdf.setFont("Helvetica-Bold", 9)
        pdf.drawString(left, height - 1.4 * cm, header)
        pdf.setFont("Helvetica", 8)
        pdf.drawRightString(width - 2 * cm, 1.2 * cm, f"Sida {page[0]}")
        pdf.setFont(font, size)
        return top

    y = start_page()
    offset = 0
    for raw_line in text.split("\n"):
        pieces = _pieces(raw_line, offset, owner)
        offset += len(raw_line) + 1
        if not pieces:
            y -= leading / 2
            continue
        lines: list[list[_Piece]] = [[]]
        x = 0.0
        for piece in pieces:
            w = stringWidth(piece.text, font, size)
            if lines[-1] and x + stringWidth(piece.text.rstrip(), font, size) > right_text - left:
                lines.append([])
                x = 0.0
            lines[-1].append(piece)
            x += w
        for line in lines:
            if y < bottom:
                pdf.showPage()
                y = start_page()
            x = left
            grounds: list[str] = []
            # runs of pieces with the same state: plain text is drawn as one string, masked text
            # becomes one black box and is never written
            runs: list[_Piece] = []
            for piece in line:
                if runs and (runs[-1].mask is None) == (piece.mask is None):
                    runs[-1] = _Piece(runs[-1].text + piece.text, runs[-1].mask)
                else:
                    runs.append(_Piece(piece.text, piece.mask))
                if piece.mask is not None and provisions[piece.mask] not in grounds:
                    grounds.append(provisions[piece.mask])
            for run in runs:
                w = stringWidth(run.text, font, size)
                if run.mask is None:
                    pdf.drawString(x, y, run.text)
                else:
                    pdf.rect(
                        x,
                        y - 3,
                        stringWidth(run.text.rstrip(), font, size),
                        size + 2,
                        stroke=0,
                        fill=1,
                    )
                x += w
            if grounds:
                pdf.setFont("Helvetica", 7)
                pdf.drawString(right_text + 0.4 * cm, y, "; ".join(grounds)[:60])
                pdf.setFont(font, size)
            y -= leading
    pdf.setFont("Helvetica", 7)
    pdf.drawString(
        left,
        max(y - leading, 1.6 * cm),
        "Maskerat enligt beslut om utlämnande av allmän handling. Upprättad i Tillit "
        + timezone.localtime().strftime("%Y-%m-%d %H:%M")
        + ".",
    )
    pdf.save()
    return buffer.getvalue()
