"""The PDFs print Chinese on a machine with no system font: the font comes with the Python
packages. Checked in a process that cannot see /usr/share/fonts at all (a private mount
namespace with an empty folder over it), and through the export page with the system
fonts taken out of the list; without any font the page says so, never a bare 500."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from homeward.common import pdf

ROOT = Path(__file__).resolve().parents[2]

MAKE_A_PDF = """
import os, sys
import django
django.setup()
from homeward.common.pdf import new_pdf, pdf_font
assert not os.listdir("/usr/share/fonts"), "the system fonts are still visible"
pdf = new_pdf("救助管理统计报表")
pdf.cell(text="救助管理统计报表 苏州市救助管理站")
sys.stdout.write(str(pdf_font()) + "\\n")
sys.stdout.flush()
sys.stdout.buffer.write(bytes(pdf.output()))
"""


def _hidden_fonts_command() -> list[str]:
    unshare = shutil.which("unshare")
    assert unshare, "util-linux's unshare is needed to hide the system fonts"
    inner = f"mount -t tmpfs none /usr/share/fonts && exec {sys.executable} -c '{MAKE_A_PDF}'"
    root = [] if os.geteuid() == 0 else ["--map-root-user"]
    return [unshare, "--mount", *root, "sh", "-c", inner]


def test_a_process_that_sees_no_system_font_prints_chinese(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "homeward.settings", "REPORTS_PDF_FONT": ""}
    env["HOMEWARD_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(
        _hidden_fonts_command(), cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    font, _, document = done.stdout.partition(b"\n")
    assert not font.decode().startswith("/usr/share/fonts")
    text = PdfReader(io.BytesIO(document)).pages[0].extract_text()
    assert "救助管理统计报表 苏州市救助管理站" in text


def test_the_pdf_report_prints_without_the_system_fonts(
    client, records, suzhou_head, settings, monkeypatch
):
    settings.REPORTS_PDF_FONT = ""
    monkeypatch.setattr(pdf, "SYSTEM_FONTS", ())
    client.force_login(suzhou_head)
    response = client.get("/reports/export.pdf", {"year": 2024})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "苏州测试站" in text and "救助管理统计报表" in text


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_without_any_font_the_page_says_so(
    client, records, suzhou_head, settings, monkeypatch, language
):
    settings.REPORTS_PDF_FONT = ""
    monkeypatch.setattr(pdf, "SYSTEM_FONTS", ())
    monkeypatch.setattr(pdf, "_packaged_font", lambda: None)
    client.force_login(suzhou_head)
    client.cookies["django_language"] = language
    response = client.get("/reports/export.pdf", {"year": 2024})
    assert response.status_code == 503
    page = response.content.decode()
    assert 'id="pdf-unavailable"' in page and "REPORTS_PDF_FONT" in page
    assert ("中文字体" in page) == (language == "zh-hans")
