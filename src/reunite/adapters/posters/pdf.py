"""Printable A4 posters with fpdf2: photo, name, ages, when and where last seen, the platform's
contact and a QR code to the public case page. A CJK font makes Chinese render (and extract)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import segno

# Fonts with Chinese glyphs that Debian packages install; the first found is used.
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)


def find_font(configured: str = "") -> Path:
    for path in ([Path(configured)] if configured else []) + list(FONT_CANDIDATES):
        if path.exists():
            return path
    raise FileNotFoundError("no font with Chinese glyphs: install fonts-wqy-microhei or set REUNITE_POSTER_FONT")


class PdfPosters:
    """Implements ``domain.ports.PosterRenderer``."""

    def __init__(self, font: str = "") -> None:
        self.font = font  # found when the first poster is made, so a server without fonts still starts

    def render(self, labels: dict[str, str], fields: dict[str, Any], photo_jpeg: bytes | None, url: str,
               lang: str) -> bytes:
        from fpdf import FPDF  # here: the worker and most commands never print a poster

        pdf = FPDF(format="A4")
        pdf.set_lang(lang)  # zh-HK is read aloud in Cantonese, zh-TW in Mandarin
        pdf.set_auto_page_break(auto=False)
        pdf.add_font("cjk", fname=str(find_font(self.font)))
        pdf.add_page()
        pdf.set_title(labels["title"])
        pdf.set_fill_color(179, 38, 30)
        pdf.rect(0, 0, 210, 34, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("cjk", size=34)
        pdf.set_xy(10, 8)
        pdf.cell(190, 18, labels["title"], align="C")
        pdf.set_text_color(27, 31, 36)
        if photo_jpeg:
            pdf.image(io.BytesIO(photo_jpeg), x=45, y=42, w=120, h=140, keep_aspect_ratio=True)
        pdf.set_xy(10, 188)
        pdf.set_font("cjk", size=30)
        pdf.cell(190, 14, str(fields["given_name"]), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=15)
        for line in labels["facts"].splitlines():
            pdf.set_x(10)
            pdf.cell(190, 8, line, align="C", new_x="LMARGIN", new_y="NEXT")
        if fields.get("description"):
            pdf.set_font("cjk", size=11)
            pdf.set_x(20)
            pdf.multi_cell(170, 6, str(fields["description"])[:400], align="C")
        qr = io.BytesIO()
        segno.make(url, error="m").save(qr, kind="png", scale=6, border=2)
        pdf.image(qr, x=150, y=245, w=45, h=45)
        pdf.set_xy(12, 250)
        pdf.set_font("cjk", size=16)
        pdf.multi_cell(132, 8, labels["call"])
        pdf.set_font("cjk", size=10)
        pdf.set_xy(12, 280)
        pdf.cell(132, 5, url)
        return bytes(pdf.output())
