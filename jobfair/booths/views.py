"""The organizer's floor plan: hall size, booths, and placing companies on them.

Every page state is a URL (``?participation=<id>`` while placing a company,
``?cell=<row>-<col>`` while editing a cell, ``?view=print``), every change a
small POST form: the page works without JavaScript (POST → 303), and with htmx
the plan (block ``editor``) is replaced in place.
"""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import attempt
from ..auth.access import role_required
from ..errors import DomainError
from ..extensions import db
from ..fairs import lifecycle
from ..htmx import is_htmx, render
from ..models import Booth, Fair, Participation
from . import services
from .forms import BoothForm, FillForm, HallSizeForm, NewBoothForm, ParticipationForm

bp = Blueprint("booths", __name__)

TEMPLATE = "booths/plan.html"


# --- Loaders: a booth or company of another fair is a 404 -------------------------


def fair_or_404(fair_id):
    return db.get_or_404(Fair, fair_id)


def booth_or_404(fair, booth_id):
    booth = db.session.get(Booth, booth_id)
    if booth is None or booth.fair_id != fair.id:
        abort(404)
    return booth


def participation_or_404(fair, participation_id):
    participation = db.session.get(Participation, participation_id) if participation_id else None
    if participation is None or participation.fair_id != fair.id:
        abort(404)
    return participation


def _cell_from_query(plan):
    raw = request.args.get("cell")
    if not raw:
        return None
    row, _sep, col = raw.partition("-")
    if not (row.isdigit() and col.isdigit()):
        abort(404)
    cell = plan.cell(int(row), int(col))
    if cell is None:
        abort(404)
    return cell


# --- Rendering ---------------------------------------------------------------------------


def _partial():
    """htmx wants the plan only; a history restore wants the whole page."""
    return is_htmx() and not request.headers.get("HX-History-Restore-Request")


def _page(fair, *, notice=None, selected=None, cell=None, booth_form=None,
          hall_form=None, fill_form=None, print_view=False, plan=None):
    if plan is None:
        plan = services.floor_plan(fair)
    editable = lifecycle.booths_editable(fair) and not print_view
    if notice and not _partial():
        flash(notice[1], notice[0])
        notice = None
    if cell is not None and booth_form is None and editable:
        booth_form = _booth_form_for(fair, cell)
    context = dict(
        fair=fair,
        plan=plan,
        editable=editable,
        print_view=print_view,
        selected=selected if editable else None,
        cell=cell if editable else None,
        booth_form=booth_form,
        hall_form=hall_form if hall_form is not None else HallSizeForm(
            formdata=None, rows=fair.hall_rows or None, cols=fair.hall_cols or None
        ),
        fill_form=fill_form if fill_form is not None else FillForm(formdata=None),
        notice=notice,
        state_rules=lifecycle.STATE_RULES.get(fair.status, []),
    )
    return render(TEMPLATE, block="editor" if _partial() else None, **context)


def _booth_form_for(fair, cell):
    if cell.booth is not None:
        return BoothForm(formdata=None, number=cell.booth.number, zone=cell.booth.zone)
    zone, number = services.suggest_booth(fair, cell.row)
    return NewBoothForm(formdata=None, number=number, zone=zone, row=cell.row, col=cell.col)


def _done(fair, message):
    """After a change: the plan again (htmx: in place; otherwise 303)."""
    db.session.commit()
    if _partial():
        headers = {"HX-Replace-Url": url_for("booths.plan", fair_id=fair.id)}
        return _page(fair, notice=("success", message)), 200, headers
    flash(message, "success")
    return redirect(url_for("booths.plan", fair_id=fair.id), code=303)


def _refused(fair, error, **context):
    db.session.rollback()
    return _page(fair, notice=("error", error.message), **context)


# --- The page --------------------------------------------------------------------------


@bp.get("/organizer/fairs/<int:fair_id>/booths")
@role_required("organizer")
def plan(fair_id):
    fair = fair_or_404(fair_id)
    print_view = request.args.get("view") == "print"
    selected = None
    if request.args.get("participation"):
        selected = participation_or_404(fair, request.args.get("participation", type=int))
    floor_plan = services.floor_plan(fair)
    cell = _cell_from_query(floor_plan)
    notice = None
    if selected is not None and selected.status != "approved":
        notice = ("warning", _("Only approved companies get a booth."))
        selected = None
    return _page(fair, selected=selected, cell=cell, print_view=print_view, notice=notice,
                 plan=floor_plan)


# --- The hall ----------------------------------------------------------------------------


@bp.post("/organizer/fairs/<int:fair_id>/booths/hall")
@role_required("organizer")
def hall_size(fair_id):
    fair = fair_or_404(fair_id)
    form = HallSizeForm()
    if not form.validate_on_submit():
        return _page(fair, hall_form=form)
    with attempt(form, unplaced=None) as done:
        removed = services.set_hall_size(fair, form.rows.data, form.cols.data)
    if not done.ok:
        return _page(fair, hall_form=form, notice=_notice(done))
    message = _("The hall now has %(rows)s rows and %(cols)s columns.",
                rows=form.rows.data, cols=form.cols.data)
    if removed:
        message += " " + _("Empty booths removed: %(n)s.", n=removed)
    return _done(fair, message)


@bp.post("/organizer/fairs/<int:fair_id>/booths/fill")
@role_required("organizer")
def fill(fair_id):
    fair = fair_or_404(fair_id)
    form = FillForm()
    if not form.validate_on_submit():
        return _page(fair, fill_form=form)
    with attempt(form, unplaced=None) as done:
        created = services.fill_grid(fair, form.rows_per_zone.data, form.numbering.data)
    if not done.ok:
        return _page(fair, fill_form=form, notice=_notice(done))
    if created:
        return _done(fair, _("Booths created: %(n)s.", n=created))
    return _done(fair, _("Every cell of the hall already has a booth."))


# --- Single booths -----------------------------------------------------------------------


@bp.post("/organizer/fairs/<int:fair_id>/booths/new")
@role_required("organizer")
def add_booth(fair_id):
    fair = fair_or_404(fair_id)
    form = NewBoothForm()
    if not form.validate_on_submit():
        if form.row.data is None or form.col.data is None:
            abort(400)
        return _page(fair, cell=services.Cell(form.row.data, form.col.data), booth_form=form)
    cell = services.Cell(form.row.data, form.col.data)
    with attempt(form, unplaced=None) as done:
        booth = services.add_booth(fair, cell.row, cell.col, form.number.data, form.zone.data)
    if not done.ok:
        return _page(fair, cell=cell, booth_form=form, notice=_notice(done))
    return _done(fair, _("Booth %(number)s added.", number=booth.number))


@bp.post("/organizer/fairs/<int:fair_id>/booths/<int:booth_id>/edit")
@role_required("organizer")
def edit_booth(fair_id, booth_id):
    fair = fair_or_404(fair_id)
    booth = booth_or_404(fair, booth_id)
    form = BoothForm()
    cell = services.Cell(booth.grid_row, booth.grid_col, booth)
    if not form.validate_on_submit():
        return _page(fair, cell=cell, booth_form=form)
    with attempt(form, unplaced=None) as done:
        services.renumber_booth(booth, form.number.data, form.zone.data)
    if not done.ok:
        return _page(fair, cell=services.Cell(cell.row, cell.col, booth_or_404(fair, booth_id)),
                     booth_form=form, notice=_notice(done))
    return _done(fair, _("Booth %(number)s saved.", number=form.number.data.strip()))


@bp.post("/organizer/fairs/<int:fair_id>/booths/<int:booth_id>/remove")
@role_required("organizer")
def remove_booth(fair_id, booth_id):
    fair = fair_or_404(fair_id)
    booth = booth_or_404(fair, booth_id)
    number = booth.number
    try:
        services.remove_booth(booth)
    except DomainError as error:
        return _refused(fair, error)
    return _done(fair, _("Booth %(number)s removed.", number=number))


# --- Placing companies -----------------------------------------------------------------


@bp.post("/organizer/fairs/<int:fair_id>/booths/<int:booth_id>/assign")
@role_required("organizer")
def assign(fair_id, booth_id):
    fair = fair_or_404(fair_id)
    booth = booth_or_404(fair, booth_id)
    form = ParticipationForm()
    if not form.validate_on_submit():
        abort(400)
    participation = participation_or_404(fair, form.participation_id.data)
    company, number = participation.company.name, booth.number
    try:
        services.assign(booth, participation, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        selected = participation_or_404(fair, form.participation_id.data)
        return _refused(fair, error, selected=selected if selected.status == "approved" else None)
    return _done(fair, _("%(company)s is now on booth %(number)s.", company=company, number=number))


@bp.post("/organizer/fairs/<int:fair_id>/booths/<int:booth_id>/unassign")
@role_required("organizer")
def unassign(fair_id, booth_id):
    fair = fair_or_404(fair_id)
    booth = booth_or_404(fair, booth_id)
    form = ParticipationForm()
    if not form.validate_on_submit():
        abort(400)
    participation = participation_or_404(fair, form.participation_id.data)
    company, number = participation.company.name, booth.number
    try:
        services.unassign(booth, participation.id, actor=current_user)
    except DomainError as error:
        return _refused(fair, error)
    return _done(fair, _("%(company)s no longer has a booth (it was on %(number)s).",
                         company=company, number=number))


def _notice(done):
    """A refused change's message as the plan's notice, when no field of the form shows it."""
    return ("error", done.unplaced[0]) if done.unplaced else None