"""PDFs a station prints (figures, the registration form, the hand-over sheet): A4, with a
Chinese font from the machine (Debian's fonts-wqy-microhei, or REPORTS_PDF_FONT)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def pdf_font() -> Path:
    configured = getattr(settings, "REPORTS_PDF_FONT", "")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise ImproperlyConfigured(
        "No Chinese font for PDFs: install the Debian package fonts-wqy-microhei "
        "or set REPORTS_PDF_FONT to a TrueType font file."
    )


def new_pdf(title: str):
    """An A4 document with the Chinese font set, titled `title`, on its first page."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Homeward")
    pdf.add_font("cjk", fname=str(pdf_font()))
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    return pdf
