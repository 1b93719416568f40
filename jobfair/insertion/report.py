"""The funders' PDF report (reportlab): headline rates with their definitions, numerators and
denominators, a bar chart, the breakdowns as tables, and the per-fair summary, for the chosen
fairs and period. The figures come from the same rows and rate functions as the dashboard.

The report is in the language of the organizer who downloads it. In a right-to-left language
(Arabic) it is mirrored: paragraphs aligned right, tables' columns from right to left.
reportlab's own right-to-left support needs rlbidi and uharfbuzz; instead each paragraph is
wrapped in logical order, then every line is shaped and put in visual order (``visual``), so
the first words of a sentence stay on its first line.
"""
import io
from datetime import date
from xml.sax.saxutils import escape

from flask_babel import get_locale
from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..badges.pdf import BOLD, REGULAR, register_fonts, visual
from ..i18n import RTL_LANGUAGES, language
from ..labels import REGION, SECTOR
from . import queries, rates
from .forms import GROUP_LABELS


def _styles(rtl=False):
    base = getSampleStyleSheet()
    styles = {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=BOLD, fontSize=18),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=BOLD, fontSize=13),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=REGULAR, fontSize=9,
                               leading=12),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=REGULAR, fontSize=8,
                               leading=10),
    }
    if rtl:
        for name in ("h2", "body", "cell"):
            styles[name] = ParagraphStyle(f"{name}-rtl", parent=styles[name], alignment=TA_RIGHT)
    return styles


def _logical_lines(text, font, size, width):
    """``text`` broken at spaces into lines no wider than ``width`` (measured shaped)."""
    lines, line = [], ""
    for word in text.split():
        longer = f"{line} {word}" if line else word
        if line and stringWidth(visual(longer), font, size) > width:
            lines.append(line)
            line = word
        else:
            line = longer
    return lines + [line] if line else lines


class _RightToLeftParagraph(Paragraph):
    """A paragraph of a right-to-left report: broken into lines once its width is known, then
    each line drawn in visual order."""

    def __init__(self, text, style):
        self._logical = text
        super().__init__(escape(visual(text)), style)

    def wrap(self, availWidth, availHeight):
        width = availWidth - self.style.leftIndent - self.style.rightIndent
        lines = _logical_lines(self._logical, self.style.fontName, self.style.fontSize, width)
        Paragraph.__init__(self, "<br/>".join(escape(visual(line)) for line in lines),
                           self.style)
        return super().wrap(availWidth, availHeight)


def _p(text, style):
    if style.alignment == TA_RIGHT:
        return _RightToLeftParagraph(str(text), style)
    return Paragraph(escape(visual(str(text))), style)


def _label(dimension, key, label):
    if key == rates.NO_GROUP:
        return _("Not known")
    if dimension == "region":
        return str(REGION.get(key, key))
    if dimension == "sector":
        return str(SECTOR.get(key, key))
    return label or ""


def _table(data, widths, rtl=False):
    """A table whose first column names the row and the others hold figures. Plain-text cells
    are shaped (Arabic headers); a right-to-left table reads from the right."""
    data = [[visual(cell) if isinstance(cell, str) else cell for cell in row] for row in data]
    figures = ("ALIGN", (1, 1), (-1, -1), "RIGHT")
    if rtl:
        data = [list(reversed(row)) for row in data]
        widths = list(reversed(widths))
        figures = ("ALIGN", (0, 0), (-1, -1), "RIGHT")
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("FONTNAME", (0, 1), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")),
        figures,
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _fraction(rate, locale):
    return f"{rate.percent(locale)} ({rate.numerator}/{rate.denominator})"


def _bars(labels, values, title):
    """A horizontal bar chart of percentages (reportlab.graphics)."""
    height = 30 + 18 * max(len(values), 1)
    drawing = Drawing(170 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 60 * mm, 10
    chart.width, chart.height = 100 * mm, height - 30
    chart.data = [values or [0]]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = REGULAR
    chart.categoryAxis.categoryNames = [visual(str(label))[:40] for label in labels] or [""]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#1d4ed8")
    drawing.add(chart)
    drawing.add(String(0, height - 12, visual(title), fontName=BOLD, fontSize=9))
    return drawing


def build(filters, fair_names=()):
    """The report's bytes."""
    register_fonts()
    locale = str(get_locale())
    rtl = language() in RTL_LANGUAGES
    styles = _styles(rtl)
    rows = queries.rows(filters)
    headline = rates.rates(rows)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=_("Insertion report"),
                                 leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=15 * mm, bottomMargin=15 * mm)
    story = [_p(_("Insertion report"), styles["title"])]
    scope = [_("Fairs: %(names)s", names=", ".join(fair_names) if fair_names
               else _("every fair"))]
    if filters.date_from or filters.date_to:
        scope.append(_("Fair days from %(start)s to %(end)s",
                       start=filters.date_from.isoformat() if filters.date_from else "…",
                       end=filters.date_to.isoformat() if filters.date_to else "…"))
    scope.append(_("Candidates counted: %(count)d (one per candidate per fair). Generated on "
                   "%(day)s.", count=len(rows), day=date.today().isoformat()))
    story += [_p(line, styles["body"]) for line in scope]
    story.append(Spacer(1, 4 * mm))

    story.append(_p(_("Headline rates"), styles["h2"]))
    data = [[_p(_("Rate"), styles["cell"]), _p(_("Value"), styles["cell"]),
             _p(_("Numerator"), styles["cell"]), _p(_("Denominator"), styles["cell"]),
             _p(_("Definition"), styles["cell"])]]
    for rate in headline:
        data.append([_p(rate.label, styles["cell"]), rate.percent(locale), rate.numerator,
                     rate.denominator, _p(rate.definition, styles["cell"])])
    story.append(_table(data, [30 * mm, 18 * mm, 20 * mm, 24 * mm, 88 * mm], rtl))
    story.append(Spacer(1, 4 * mm))
    story.append(_bars([r.label for r in headline], [(r.value or 0) * 100 for r in headline],
                       _("Headline rates (%)")))

    for dimension in rates.DIMENSIONS:
        groups = rates.breakdown(rows, dimension)
        story.append(_p(_("By %(group)s", group=str(GROUP_LABELS[dimension]).lower()),
                        styles["h2"]))
        if not groups:
            story.append(_p(_("No candidate."), styles["body"]))
            continue
        data = [[_p(GROUP_LABELS[dimension], styles["cell"]), _("Candidates"),
                 _p(_("Knowledge rate"), styles["cell"]), _p(_("Insertion rate"),
                                                             styles["cell"]),
                 _p(_("In-field full-time rate"), styles["cell"])]]
        for key, label, group_rates, size in groups:
            data.append([_p(_label(dimension, key, label), styles["cell"]), size,
                         *[_fraction(rate, locale) for rate in group_rates]])
        story.append(_table(data, [50 * mm, 22 * mm, 36 * mm, 36 * mm, 36 * mm], rtl))
        if dimension == "fair":
            story.append(Spacer(1, 3 * mm))
            story.append(_bars([_label(dimension, k, l) for k, l, _r, _s in groups],
                               [(r[1].value or 0) * 100 for _k, _l, r, _s in groups],
                               _("Insertion rate by fair (%)")))

    story.append(_p(_("Per-fair summary"), styles["h2"]))
    data = [[_("Fair"), _("Day"), _("Candidates"), _("Interviews held"), _("Leads"),
             _("Hires")]]
    by_fair = {}
    for row in rows:
        entry = by_fair.setdefault(row.fair_id, [row.fair_name, row.fair_day.isoformat(),
                                                 0, 0, 0, 0])
        entry[2] += 1
        entry[3] += row.attended
        entry[4] += row.leads
        entry[5] += len(row.hire_company_ids())
    for entry in by_fair.values():
        data.append([_p(entry[0], styles["cell"]), *entry[1:]])
    story.append(_table(data, [60 * mm, 24 * mm, 24 * mm, 28 * mm, 22 * mm, 22 * mm], rtl))
    document.build(story)
    return buffer.getvalue()
