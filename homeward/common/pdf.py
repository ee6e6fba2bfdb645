"""PDFs a station prints (figures, the registration form, the hand-over sheet): A4, with a
Chinese font that comes with the Python packages, so a fresh machine prints without any
system font: WenQuanYi Micro Hei (文泉驿微米黑, Apache License 2.0 or GPLv3), as packaged by
`paperang-p2-fonts-cjk` (the same file as Debian's fonts-wqy-microhei). REPORTS_PDF_FONT
names another TrueType file; Debian's fonts are a last fallback.

(Noto Sans SC from a package was tried first: fpdf2 embeds its CFF outlines under an
encoding that text extraction reads with a NUL before every character.)"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


class PdfFontMissing(Exception):
    """No Chinese font to print with: the page says so (web.middleware), never a 500."""


def _packaged_font() -> Path | None:
    from importlib import resources

    try:
        return Path(str(resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))
    except ModuleNotFoundError:
        return None


def pdf_font() -> Path:
    configured = getattr(settings, "REPORTS_PDF_FONT", "")
    candidates = [configured] if configured else []
    candidates += [_packaged_font(), *SYSTEM_FONTS]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise PdfFontMissing(
        "No Chinese font for PDFs: reinstall the pinned packages (make install), or set "
        "REPORTS_PDF_FONT to a TrueType or OpenType font file."
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
