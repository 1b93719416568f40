"""The company's leads and attendance as CSV (Excel, French: ``;``, UTF-8 with BOM) and XLSX.

Spreadsheet formula injection: a cell starting with = + - @ tab or CR is prefixed with ``'``.
"""
import csv
import io

from flask import Response
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook

from ..audit import services as audit
from ..privacy.visibility import company_view
from ..text import slugify
from ..timeutil import utc_to_local
from .services import NEXT_STEP_LABELS

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"  # French Excel reads ";" (the "," is its decimal separator).


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def booking_status_label(status):
    return {
        "active": _("Booked"),
        "attended": _("Attended"),
        "no_show": _("No-show"),
        "cancelled": _("Cancelled"),
    }.get(status, status or "")


def table(rows, fair_id):
    """Header and rows (plain values) of the export; the candidate as company_view() shows."""
    header = [_("Last name"), _("First name"), _("Email"), _("Track"), _("Rating"),
              _("Notes"), _("Next step"), _("Booking"), _("Slot (local time)")]
    body = []
    for row in rows:
        candidate, lead, booking = row["candidate"], row["lead"], row["booking"]
        track = candidate.cohort.track.name if candidate.cohort and candidate.cohort.track else ""
        shown = company_view(candidate, fair_id)
        body.append([
            shown.last_name, shown.first_name or shown.name, shown.email, track,
            lead.rating if lead and lead.rating else "",
            lead.notes if lead else "",
            str(NEXT_STEP_LABELS[lead.next_step]) if lead and lead.next_step in NEXT_STEP_LABELS
            else "",
            booking_status_label(booking.status) if booking else _("Walk-in"),
            utc_to_local(booking.slot.starts_at).strftime("%Y-%m-%d %H:%M") if booking else "",
        ])
    return header, body


def to_csv(rows, fair_id, make_table=None):
    header, body = (make_table or table)(rows, fair_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    for line in [header, *body]:
        writer.writerow([safe_cell(value) for value in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows, fair_id, make_table=None, title=None):
    header, body = (make_table or table)(rows, fair_id)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or _("Leads"))[:31]
    for line in [header, *body]:
        sheet.append([safe_cell(value) for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


MIMETYPES = {
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to text/* types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(prefix, participation, data, extension):
    """A company's export as a private attachment named after the fair (never cached).

    The download is written to the audit log (``export.downloaded``, kind ``prefix``).
    """
    name = f"{prefix}-{slugify(participation.fair.name) or participation.fair.id}.{extension}"
    audit.record_download(current_user, prefix, extension, fair=participation.fair_id,
                          obj=participation, company=participation.company.name)
    return attachment(data, name, extension)


def attachment(data, name, extension):
    """``data`` as a private attachment called ``name`` (never cached)."""
    response = Response(data, mimetype=MIMETYPES[extension])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
