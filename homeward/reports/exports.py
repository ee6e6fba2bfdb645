"""The report as files: Excel and PDF in the layout of a yearly statistical report, CSV.

Each takes a built `Report` and returns bytes; the views add the audit row.
The PDF embeds a CJK TrueType font that a Debian package provides
(fonts-wqy-microhei by default; settings.REPORTS_PDF_FONT names another).
"""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.common.pdf import new_pdf
from homeward.reports.report import Report


def _title(report: Report) -> str:
    return _("Relief management statistical report")


def _subtitle(report: Report) -> str:
    return _("%(area)s · %(period)s · made %(made)s") % {
        "area": report.scope.name,
        "period": report.period.label,
        "made": timezone.localtime(report.made_at).strftime("%Y-%m-%d %H:%M"),
    }


def _value(v) -> object:
    return "—" if v is None else v


def _rows_table(report: Report) -> tuple[list[str], list[list[object]]]:
    head = [
        _("Area"),
        _("Person-times helped"),
        _("Minors"),
        _("Reunions"),
        _("In the station"),
        _("Over 90 days"),
        _("Beds in service"),
        _("Bed-use rate"),
    ]
    body = [
        [
            r.scope.name,
            r.person_times,
            r.minors,
            r.reunions,
            r.in_station,
            r.over_90,
            r.beds,
            "—" if r.bed_use_rate is None else f"{r.bed_use_rate * 100:.1f}%",
        ]
        for r in report.rows
    ]
    return head, body


def to_xlsx(report: Report) -> bytes:
    """Sheet 1: the yearly table (indicator, this period, last year); sheet 2: the areas
    below; sheet 3: person-times by month."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = _("Report")[:31]
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.merge_cells("A1:D1")
    ws["A1"] = _title(report)
    ws["A1"].font = Font(size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A2:D2")
    ws["A2"] = _subtitle(report)
    ws["A2"].alignment = Alignment(horizontal="center")
    header = [_("No."), _("Indicator"), _("This period"), _("Same period last year")]
    ws.append([])
    ws.append(header)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
        cell.border = box
    last_year = {
        str(h.label): _fmt_percent(h.last_year) if h.percent else h.last_year
        for h in report.headline
    }
    n = 0
    for title, items in report.sections():
        ws.append(["", str(title)])
        ws.cell(ws.max_row, 2).font = Font(bold=True)
        for label, value in items:
            n += 1
            before = last_year.get(str(label))
            ws.append([n, str(label), _value(value), "" if before is None else before])
            for cell in ws[ws.max_row]:
                cell.border = box
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 36
    ws.column_dimensions["C"].width = 14
    ws.column_dimensions["D"].width = 18
    ws.freeze_panes = "A5"

    if report.rows:
        areas = wb.create_sheet(_("Areas")[:31])
        head, body = _rows_table(report)
        areas.append(head)
        for row in body:
            areas.append(row)
        for cell in areas[1]:
            cell.font = Font(bold=True)
        areas.column_dimensions["A"].width = 24

    months = wb.create_sheet(_("By month")[:31])
    months.append([_("Month"), _("Person-times helped")])
    for period, count in zip(report.period.months(), report.intake.monthly, strict=True):
        months.append([f"{period.start:%Y-%m}", count])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(report: Report) -> bytes:
    """One line per figure: section, indicator, value (UTF-8 with BOM, for Excel users)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([_("Area"), _("Period"), _("Section"), _("Indicator"), _("Value")])
    for title, items in report.sections():
        for label, value in items:
            w.writerow(
                [report.scope.name, report.period.label, str(title), str(label), _value(value)]
            )
    for r in report.rows:
        for label, value in (
            (_("Person-times helped"), r.person_times),
            (_("Minors"), r.minors),
            (_("Reunions"), r.reunions),
            (_("Over 90 days"), r.over_90),
        ):
            w.writerow([r.scope.name, report.period.label, _("Areas"), str(label), value])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_pdf(report: Report) -> bytes:
    """An A4 report: title, headline against last year, every section, the areas below."""
    from fpdf.fonts import FontFace

    pdf = new_pdf(_title(report))
    pdf.set_font_size(16)
    pdf.cell(0, 10, _title(report), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    pdf.cell(0, 7, _subtitle(report), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    bold = FontFace(fill_color=(221, 231, 240))
    with pdf.table(
        col_widths=(60, 30, 30, 30),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=bold,
    ) as table:
        table.row([_("Headline"), _("This period"), _("Same period last year"), _("Change")])
        for h in report.headline:
            fmt = _fmt_percent if h.percent else _fmt
            change = "—" if h.change is None else f"{h.change:+.1f}%"
            table.row([str(h.label), fmt(h.value), fmt(h.last_year), change])
    for title, items in report.sections():
        pdf.ln(2)
        pdf.set_font_size(12)
        pdf.cell(0, 8, str(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(10)
        with pdf.table(
            col_widths=(110, 40), text_align=("LEFT", "RIGHT"), first_row_as_headings=False
        ) as table:
            for label, value in items:
                table.row([str(label), _fmt(value)])
    if report.rows:
        pdf.add_page()
        pdf.set_font_size(12)
        pdf.cell(0, 8, _("Areas"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(9)
        head, body = _rows_table(report)
        with pdf.table(headings_style=bold) as table:
            table.row([str(h) for h in head])
            for row in body:
                table.row([str(c) for c in row])
    return bytes(pdf.output())


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def _fmt_percent(v) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"
