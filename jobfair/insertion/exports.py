"""Insertion exports: candidate rows, per-company and per-fair summaries, as CSV or XLSX.

- CSV in two forms: "excel-fr" (``;``, UTF-8 with BOM: what French Excel opens correctly) and
  "standard" (``,``, UTF-8).
- Cells that start with = + - @ tab or CR are neutralised (``leads.exports.safe_cell``).
- Streamed: rows come from ``queries.iter_rows`` (server-side cursor, facts per batch) and are
  sent every 200 lines; the summaries keep only counters per fair / company. The XLSX is zipped
  row by row by XlsxWriter in constant-memory mode (xlsx.py), then sent in chunks.
- Speed (bench/exports.py): most of the time is reading and resolving the rows; writing them
  is a smaller part (openpyxl took 9 µs a cell; XlsxWriter about a third of that).
- Statuses are the stored codes and yes/no are 1/0, so a spreadsheet can count them.
"""
import csv
import gc
import io

from flask_babel import get_locale
from flask_babel import gettext as _

from ..leads.exports import _FORMULA_STARTS, safe_cell
from . import queries, rates, xlsx

KINDS = ("candidates", "companies", "fairs")
CSV_FORMS = {"excel-fr": (";", True), "standard": (",", False)}


def _flag(value):
    return 1 if value else 0


def _date(value):
    return value.isoformat() if value else ""


def candidate_header():
    return [_("Fair"), _("Fair day"), _("Region"), _("Last name"), _("First name"), _("Email"),
            _("Cohort"), _("Training operator"), _("Track"), _("Bookings"), _("Attended"),
            _("Leads"), _("Company outcomes"), _("Company hired"), _("Latest follow-up"),
            _("Latest follow-up source"), _("Latest follow-up date"), _("Outcome"),
            _("Outcome source"), _("Contract"), _("Employer"), _("Employer sector"),
            _("In field"), _("Full time"), _("Start date"), _("Outcome known"),
            _("Inserted"), _("Insertion base"), _("In-field full-time"), _("Conflict")]


def candidate_line(row):
    latest = row.latest
    return [
        row.fair_name, _date(row.fair_day), row.region, row.last_name, row.first_name, row.email,
        row.cohort_name or "", row.operator_name or "", row.track_name or "", row.bookings,
        row.attended, row.leads,
        " | ".join(f"{o.company_name}: {o.status}" for o in row.outcomes),
        _flag(row.company_hired),
        latest.status if latest else "", latest.source if latest else "",
        _date(latest.answered_at.date()) if latest else "",
        row.status or "", row.source or "", row.contract_type or "", row.employer_name or "",
        row.employer_sector or "",
        "" if row.in_field is None else _flag(row.in_field),
        "" if row.full_time is None else _flag(row.full_time),
        _date(row.start_date), _flag(row.known), _flag(row.inserted and row.in_insertion_base),
        _flag(row.in_insertion_base), _flag(row.in_field_full_time), _flag(row.conflict),
    ]


def _ratio(numerator, denominator):
    return "" if denominator == 0 else round(numerator / denominator, 4)


def fair_summary(filters):
    """Header and lines, one per fair: the three rates with their numerators and denominators."""
    header = [_("Fair"), _("Fair day"), _("Region"), _("Candidates"), _("Outcome known"),
              _("Knowledge rate"), _("Inserted"), _("Insertion base"), _("Insertion rate"),
              _("In-field full-time"), _("In-field full-time rate"), _("Interviews held"),
              _("Leads")]
    fairs = {}
    for row in queries.iter_rows(filters):
        entry = fairs.setdefault(row.fair_id, [row.fair_name, _date(row.fair_day), row.region,
                                               0, 0, 0, 0, 0, 0, 0])
        entry[3] += 1
        entry[4] += row.known
        entry[5] += row.inserted and row.in_insertion_base
        entry[6] += row.in_insertion_base
        entry[7] += row.in_field_full_time
        entry[8] += row.attended
        entry[9] += row.leads
    lines = []
    for name, day, region, total, known, inserted, base, infield, attended, leads in \
            fairs.values():
        lines.append([name, day, region, total, known, _ratio(known, total), inserted, base,
                      _ratio(inserted, base), infield, _ratio(infield, total), attended, leads])
    return header, lines


def company_summary(filters):
    """Header and lines, one per company met: interviews held, leads, offers, hires."""
    header = [_("Company"), _("Sector"), _("Interviews held"), _("Leads"), _("Offers"),
              _("Hires")]
    counts = {}
    companies = {}
    for row in queries.iter_rows(filters, companies=companies):
        for metric, ids in (("interviews", row.attended_company_ids),
                            ("leads", row.lead_company_ids),
                            ("offers", row.offer_company_ids()),
                            ("hires", row.hire_company_ids())):
            for company_id in ids:
                counts.setdefault(company_id, dict.fromkeys(rates.COMPANY_METRICS, 0))
                counts[company_id][metric] += 1
    lines = [[companies[c][0], companies[c][1]] + [numbers[m] for m in rates.COMPANY_METRICS]
             for c, numbers in counts.items()]
    return header, sorted(lines, key=lambda line: str(line[0]).lower())


def lines(kind, filters):
    """The header then every line of an export, as a generator."""
    if kind == "candidates":
        yield candidate_header()
        for row in queries.iter_rows(filters):
            yield candidate_line(row)
        return
    header, body = (fair_summary if kind == "fairs" else company_summary)(filters)
    yield header
    yield from body


def _safe(line):
    """``safe_cell`` of every value, without a call for the numbers and plain strings that
    make most of a line (a million cells in the national export)."""
    return [value if value.__class__ is int or value.__class__ is float
            or (value.__class__ is str and value[:1] not in _FORMULA_STARTS)
            else safe_cell(value) for value in line]


def _settle_locale():
    """Choose the request's language now, in the view.

    The body is written after the view has returned, once Flask has closed the request's
    database session: a translated header would then ask the language of ``current_user``,
    a User no longer in any session (DetachedInstanceError under gunicorn as soon as the
    audit log's commit has expired it). Flask-Babel keeps the choice for the request.
    """
    get_locale()


def _young_garbage_only(chunks):
    """``chunks``, with the garbage collector looking only at what the export allocates.

    Each row makes a handful of containers (sets, lists, dicts), so the collector runs every
    few rows, and its full passes walked every object of the app (Flask, SQLAlchemy, Babel…):
    a quarter of the export's time. ``gc.freeze()`` sets the objects alive now aside until
    ``gc.unfreeze()`` gives them back (also when the client goes away: ``close()`` runs the
    ``finally``); the export's own garbage is still collected.
    """
    gc.freeze()
    try:
        yield from chunks
    finally:
        gc.unfreeze()


def csv_chunks(kind, filters, form="excel-fr", lines_per_chunk=200):
    """Encoded CSV: the header, then every ``lines_per_chunk`` lines (~50 kB)."""
    _settle_locale()
    return _young_garbage_only(_csv_chunks(kind, filters, form, lines_per_chunk))


def _csv_chunks(kind, filters, form, lines_per_chunk):
    delimiter, bom = CSV_FORMS[form]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        yield "\ufeff".encode("utf-8")
    # The header goes at once: the download starts before the first rows are read.
    waiting = lines_per_chunk - 1
    for line in lines(kind, filters):
        writer.writerow(_safe(line))
        waiting += 1
        if waiting >= lines_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            waiting = 0
    if waiting:
        yield buffer.getvalue().encode("utf-8")


SHEET_TITLES = {"candidates": "Candidates", "companies": "Companies", "fairs": "Fairs"}


def xlsx_chunks(kind, filters):
    """The XLSX, written row by row to a temporary file (xlsx.py), then sent in chunks."""
    _settle_locale()
    return _young_garbage_only(
        xlsx.stream((_safe(line) for line in lines(kind, filters)), SHEET_TITLES[kind]))
