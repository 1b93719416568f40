"""The organizer's insertion dashboard, the candidates behind each number, exports, PDF report.

Every view is for organizers only and only reads (GET). The dashboard's figures are counted in
SQL (``figures``, over the resolved outcomes of ``insertion_outcomes``); the drill-down list
(``drilldown``) selects a page of the rows behind a number with the number's own predicate in
SQL over the same table, so its total is the number, and builds only that page's rows.
"""
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, abort, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..audit import services as audit
from ..auth.access import role_required
from ..htmx import render
from ..labels import FOLLOW_UP_STATUS, OUTCOME_STATUS, REGION, SECTOR
from . import charts, drilldown, exports, figures, queries, rates, report
from .forms import GROUP_LABELS, InsertionFilterForm

bp = Blueprint("insertion", __name__)

STATUS_LABELS = FOLLOW_UP_STATUS
OUTCOME_LABELS = OUTCOME_STATUS
METRIC_LABELS = {
    "candidates": _l("All candidates"),
    "known": _l("Candidates with a known outcome"),
    "inserted": _l("Employed or own business"),
    "insertion_base": _l("Known outcome, excluding not seeking"),
    "in_field_full_time": _l("In-field full-time within 180 days"),
    "interviews": _l("Interviews held"),
    "leads": _l("Leads"),
    "offers": _l("Offers (offer made or hired)"),
    "hires": _l("Hires"),
    "conflicts": _l("Company and candidate disagree"),
}


def group_label(dimension, key, label):
    if key == rates.NO_GROUP:
        return _("Not known")
    if dimension == "region":
        return str(REGION.get(key, key))
    if dimension == "sector":
        return str(SECTOR.get(key, key))
    return label


def _filter_form():
    form = InsertionFilterForm(formdata=request.args)
    form.set_choices(queries.fair_choices())
    form.validate()
    return form


@bp.route("/organizer/insertion", methods=["GET"])
@role_required("organizer")
def dashboard():
    form = _filter_form()
    filters, dimension = form.filters(), form.group_by()
    groups, headline, total, conflicts = figures.breakdown(filters, dimension)
    over_time = figures.outcomes_over_time(filters)
    median_days, hires_dated = figures.median_days_to_hire(filters)
    filter_args = filters.as_args()
    # One url_for and the filters encoded once, then a few fields per number: url_for (then
    # urlencode) for each of the thousands of links (four a company) was a third of the page.
    base = url_for("insertion.candidates", **filter_args)
    base += "&" if "?" in base else "?"

    def link(metric, group=None, value=None, company=None):
        """The list behind a number; with ``metric=""`` and a company, the common part of the
        company's four links, the metric's name to be appended."""
        url = base  # metric and group: fixed ASCII names
        if group is not None:
            url += f"group={group}&value={quote(str(value), safe='')}&"
        if company is not None:
            url += f"company={int(company)}&"
        return f"{url}metric={metric}"

    return render(
        "insertion/dashboard.html", form=form, headline=headline, total=total,
        groups=groups, dimension=dimension, dimension_label=GROUP_LABELS[dimension],
        group_label=lambda key, label: group_label(dimension, key, label),
        rate_chart=charts.rate_bars(groups, lambda k, l: group_label(dimension, k, l),
                                    locale=str(get_locale())),
        companies=figures.company_activity(filters), over_time=over_time,
        status_chart=charts.status_stack(over_time), status_labels=STATUS_LABELS,
        median_days=median_days, hires_dated=hires_dated,
        conflicts=conflicts, link=link, filter_args=filter_args,
    )


@bp.route("/organizer/insertion/candidates", methods=["GET"])
@role_required("organizer")
def candidates():
    form = _filter_form()
    filters = form.filters()
    metric = request.args.get("metric", "candidates")
    dimension = request.args.get("group") or None
    value = request.args.get("value")
    company = request.args.get("company", type=int)
    if metric not in rates.METRICS or (dimension is not None and dimension not in GROUP_LABELS):
        abort(404)
    if metric in rates.COMPANY_METRICS and company is None:
        abort(404)
    companies = {}
    listed = drilldown.page(filters, metric, dimension, value, company,
                            number=request.args.get("page", 1, type=int), companies=companies)
    rows = listed.rows

    def page_link(number):
        args = request.args.to_dict(flat=False)
        args["page"] = [str(number)]
        return url_for("insertion.candidates", **args)

    return render(
        "insertion/candidates.html", rows=rows, listed=listed, page_link=page_link,
        metric_label=METRIC_LABELS[metric],
        dimension_label=GROUP_LABELS.get(dimension), status_labels=STATUS_LABELS,
        outcome_labels=OUTCOME_LABELS,
        value_label=group_label(dimension, value, _group_name(rows, dimension, value))
        if dimension else None,
        company_name=companies.get(company, (None,))[0] if company else None,
        back=url_for("insertion.dashboard", **filters.as_args()),
    )


def _group_name(rows, dimension, value):
    for row in rows:
        return rates.group_key(row, dimension)[1]
    return value


def _export_args():
    form = _filter_form()
    kind = request.args.get("kind", "candidates")
    if kind not in exports.KINDS:
        abort(404)
    return form.filters(), kind


def _audit_download(kind, file_format, filters, **details):
    """The export in the audit log, with its filters (the fair too when it is one fair)."""
    fair = filters.fair_ids[0] if len(filters.fair_ids) == 1 else None
    audit.record_download(current_user, kind, file_format, fair=fair,
                          filters=filters.as_args(), **details)


def _filename(kind, extension):
    return f"insertion-{kind}-{date.today().isoformat()}.{extension}"


@bp.route("/organizer/insertion/export.csv", methods=["GET"])
@role_required("organizer")
def export_csv():
    filters, kind = _export_args()
    form = request.args.get("form", "excel-fr")
    if form not in exports.CSV_FORMS:
        abort(404)
    _audit_download(f"insertion-{kind}", "csv", filters, csv_form=form)
    response = Response(stream_with_context(exports.csv_chunks(kind, filters, form)),
                        mimetype="text/csv")  # Werkzeug adds "; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(kind, "csv")}"')
    return response


@bp.route("/organizer/insertion/export.xlsx", methods=["GET"])
@role_required("organizer")
def export_xlsx():
    filters, kind = _export_args()
    _audit_download(f"insertion-{kind}", "xlsx", filters)
    response = Response(
        stream_with_context(exports.xlsx_chunks(kind, filters)),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(kind, "xlsx")}"')
    return response


@bp.route("/organizer/insertion/report.pdf", methods=["GET"])
@role_required("organizer")
def report_pdf():
    form = _filter_form()
    filters = form.filters()
    fair_names = [name for fair_id, name, _day in queries.fair_choices()
                  if fair_id in filters.fair_ids]
    data = report.build(filters, fair_names=fair_names)
    _audit_download("insertion-report", "pdf", filters)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="insertion-report.pdf"'
    return response
