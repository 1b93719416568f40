"""The candidate's booking pages: company directory, company page, booking, my schedule (.ics),
cancel, move and the waitlist.

Every view is for candidates only (other roles: 403) and reaches data through
the loaders below: the candidate's own profile, a public fair their cohort is
invited to, an approved company of that fair, a slot of that fair, their own
booking — anything else is a 404. The rules are in services.py; the views
commit, or roll back and show the rule's message (status 200).
"""
import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..actions import attempt
from ..auth.access import role_required
from ..candidate.services import missing_profile_items
from ..database import read_only_transactions
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_over, is_public
from ..htmx import is_htmx, render
from ..models import Booking, Candidate, Cohort, Fair, Participation, Slot, utcnow
from . import ics, lean, queries, rules, services
from .forms import DirectoryFilterForm, MoveForm

bp = Blueprint("booking", __name__)

DIRECTORY = "booking/directory.html"
COMPANY = "booking/company.html"
SCHEDULE = "booking/schedule.html"


# --- Loaders ------------------------------------------------------------------------------


def own_candidate_or_404():
    candidate = db.session.scalar(
        select(Candidate)
        .where(Candidate.user_id == current_user.id)
        .options(joinedload(Candidate.user), joinedload(Candidate.cohort).joinedload(Cohort.track))
    )
    if candidate is None:
        abort(404)
    return candidate


def fair_or_404(fair_id, candidate):
    """A public fair that invited the candidate's cohort."""
    fair = db.session.scalar(
        select(Fair).where(Fair.id == fair_id).options(selectinload(Fair.cohorts))
    )
    if fair is None or not is_public(fair) or candidate.cohort_id not in {
            c.id for c in fair.cohorts}:
        abort(404)
    return fair


def participation_or_404(fair, company_id):
    participation = queries.company_participation(fair.id, company_id)
    if participation is None:
        abort(404)
    return participation


def slot_or_404(fair, slot_id):
    slot = queries.slot_in_fair(fair.id, slot_id)
    if slot is None:
        abort(404)
    return slot


def own_booking_or_404(candidate, booking_id):
    booking = db.session.scalar(
        select(Booking)
        .where(Booking.id == booking_id, Booking.candidate_id == candidate.id)
        .options(joinedload(Booking.slot).joinedload(Slot.table),
                 joinedload(Booking.participation).joinedload(Participation.company),
                 joinedload(Booking.participation).joinedload(Participation.booth),
                 joinedload(Booking.participation).joinedload(Participation.fair)
                 .selectinload(Fair.cohorts))
    )
    if booking is None:
        abort(404)
    return booking


# --- Directory ----------------------------------------------------------------------------


@bp.route("/me/fairs/<int:fair_id>/companies")
@role_required("candidate")
def directory(fair_id):
    candidate = own_candidate_or_404()
    fair = fair_or_404(fair_id, candidate)
    form = DirectoryFilterForm(formdata=request.args)
    form.set_choices(queries.tracks_sought(fair))
    form.validate()
    entries = queries.directory(fair, **form.filters())
    url = url_for(".directory", fair_id=fair.id)
    # Search as you type (htmx); the same form submits normally without JavaScript.
    form.q.render_kw = {
        "hx-get": url, "hx-trigger": "keyup changed delay:300ms, search",
        "hx-target": "#results", "hx-swap": "outerHTML", "hx-include": "closest form",
        "hx-push-url": "true", "autocomplete": "off",
        # One request at a time with the form's own: a newer one aborts an older one, so a
        # slow answer to an earlier filter never replaces the answer to the latest.
        "hx-sync": "closest form:replace",
    }
    # The URL is pushed to the history; restoring it (no cache) asks for the whole page.
    block = None if request.headers.get("HX-History-Restore-Request") else "results"
    return render(DIRECTORY, block=block, fair=fair, form=form, entries=entries,
                  filtered=any(form.filters().values()),
                  booking_is_open=rules.first_come_open(fair),
                  round_pending=rules.round_pending(fair))


# --- A company's page and booking -----------------------------------------------------------


def _time_label(slot):
    return f"{format_time(slot.starts_at, 'short')}–{format_time(slot.ends_at, 'short')}"


def _choice_label(slot):
    return f"{_time_label(slot)} · {slot.table.name}"


def _company_context(candidate, fair, participation, error=None, notice=None):
    live = services.live_bookings(candidate.id, fair.id)
    mine = next((b for b in live if b.participation_id == participation.id), None)
    slots = services.free_slots(participation.id)
    entry = services.waiting_entry(candidate.id, participation.id)
    move_form = None
    if mine is not None:
        move_form = MoveForm(formdata=None, prefix=f"b{mine.id}")
    reserved = {s.id: services.eligibility_problem(s, candidate) for s in slots}
    return {
        "candidate": candidate, "fair": fair, "fair_id": fair.id,
        "participation": participation, "company": participation.company, "slots": slots,
        "mine": mine, "reserved": reserved,
        "open_slots": [s for s in slots if reserved[s.id] is None],
        "entry": entry, "place": queries.waiting_place(entry) if entry else None,
        "move_form": move_form, "booking_is_open": rules.first_come_open(fair),
        "round_pending": rules.round_pending(fair),
        "missing": missing_profile_items(candidate), "error": error, "notice": notice,
        "new_nonce": lambda: str(uuid.uuid4()),
    }


def _company_page(candidate, fair, company_id, error=None, notice=None):
    participation = participation_or_404(fair, company_id)
    return render(COMPANY, block="slots",
                  **_company_context(candidate, fair, participation, error, notice))


@bp.route("/me/fairs/<int:fair_id>/companies/<int:company_id>")
@role_required("candidate")
def company(fair_id, company_id):
    candidate = own_candidate_or_404()
    fair = fair_or_404(fair_id, candidate)
    participation = participation_or_404(fair, company_id)
    # The slot list refreshes itself (htmx) after a booking answer: only that block.
    block = "slot_list" if request.headers.get("HX-Target") == "slot-list" else None
    return render(COMPANY, block=block, **_company_context(candidate, fair, participation))


def _refused(error, page, *args, **kwargs):
    """Roll back, then show the page with the rule's message (status 200), reading only."""
    db.session.rollback()
    with read_only_transactions():
        return page(*args, error=error.message, **kwargs)


def booking_request_or_404(fair_id, slot_id, nonce):
    """The candidate, the slot (lean.py's plain objects) and the booking sent before with
    ``nonce``, read in one statement; 404 as the loaders above."""
    found = lean.booking_request(current_user.id, fair_id, slot_id, nonce)
    if found is None:
        abort(404)
    candidate, slot, invited, sent = found
    if not is_public(slot.table.participation.fair) or not invited:
        abort(404)
    return candidate, slot, sent


# The htmx answer is the block "booking_answer" of the company page, rendered on its own:
# without the page's context processors (it reads none of them), in the request's language.
def _booking_answer(fair_id, notice=None, error=None):
    """htmx: only the answer (the message); the slot list refreshes itself on the trigger."""
    template = current_app.jinja_env.get_template(COMPANY)
    block = template.blocks["booking_answer"]
    context = template.new_context({"fair_id": fair_id, "notice": notice, "error": error})
    response = make_response("".join(block(context)))
    response.headers["HX-Trigger"] = "booking-changed"
    return response


def _refused_page(error, fair_id, company_id):
    """Without JavaScript a refusal is the whole company page (models, read after the
    rollback)."""
    db.session.rollback()
    with read_only_transactions():
        candidate = own_candidate_or_404()
        return _company_page(candidate, fair_or_404(fair_id, candidate), company_id,
                             error=error.message)


@bp.route("/me/fairs/<int:fair_id>/slots/<int:slot_id>/book", methods=["POST"])
@role_required("candidate")
def book(fair_id, slot_id):
    nonce = lean.clean_nonce(request.form.get("nonce"))
    candidate, slot, sent = booking_request_or_404(fair_id, slot_id, nonce)
    participation = slot.table.participation
    try:
        services.place_booking(candidate, slot, nonce=nonce, sent=sent)
        # Written before the commit: nothing is read after it.
        message = _("Interview booked with %(company)s on %(day)s at %(time)s.",
                    company=participation.company.name,
                    day=format_date(slot.starts_at, "full"), time=_time_label(slot))
        db.session.commit()
    except DomainError as error:
        if is_htmx():
            message = str(error.message)
            db.session.rollback()
            return _booking_answer(fair_id, error=message)
        return _refused_page(error, fair_id, participation.company_id)
    if is_htmx():
        return _booking_answer(fair_id, notice=message)
    flash(message, "success")
    return redirect(url_for(".my_schedule", fair_id=fair_id), code=303)


# --- Waitlist -------------------------------------------------------------------------------


@bp.route("/me/fairs/<int:fair_id>/companies/<int:company_id>/waitlist", methods=["POST"])
@role_required("candidate")
def join_waitlist(fair_id, company_id):
    candidate = own_candidate_or_404()
    fair = fair_or_404(fair_id, candidate)
    participation = participation_or_404(fair, company_id)
    try:
        entry = services.join_waitlist(candidate, participation)
        db.session.commit()
    except DomainError as error:
        return _refused(error, _company_page, candidate, fair, company_id)
    flash(_("You are number %(place)d on the waitlist of %(company)s. If a place frees up and "
            "you can take it, it is booked for you and you get an email.",
            place=queries.waiting_place(entry), company=participation.company.name), "success")
    return redirect(url_for(".company", fair_id=fair.id, company_id=company_id), code=303)


@bp.route("/me/fairs/<int:fair_id>/companies/<int:company_id>/waitlist/leave",
          methods=["POST"])
@role_required("candidate")
def leave_waitlist(fair_id, company_id):
    candidate = own_candidate_or_404()
    fair = fair_or_404(fair_id, candidate)
    participation = participation_or_404(fair, company_id)
    back = (url_for(".my_schedule", fair_id=fair.id) if request.form.get("back") == "schedule"
            else url_for(".company", fair_id=fair.id, company_id=company_id))
    with attempt() as done:
        services.leave_waitlist(candidate, participation)
    if done.ok:
        flash(_("You left the waitlist of %(company)s.", company=participation.company.name),
              "success")
    return redirect(back, code=303)


# --- My schedule ------------------------------------------------------------------------------


def _schedule_context(candidate, fair, error=None, forms=None):
    bookings = queries.schedule(candidate.id, fair.id)
    free = queries.free_slots_by_participation({b.participation_id for b in bookings})
    forms = forms or {}
    move_forms = {}
    for booking in bookings:
        form = forms.get(booking.id) or MoveForm(formdata=None, prefix=f"b{booking.id}")
        # Only the times every rule allows, judged as if this interview were already released.
        others = [b for b in bookings if b.id != booking.id]
        choices = [s for s in free.get(booking.participation_id, [])
                   if services.booking_problem(candidate, s, others) is None]
        form.set_choices(choices, _choice_label)
        move_forms[booking.id] = form
    now = utcnow()
    return {
        "candidate": candidate, "fair": fair, "bookings": bookings, "move_forms": move_forms,
        "waiting": queries.waiting_entries(candidate.id, fair.id),
        "changeable": not is_over(fair) and now < fair.cancellation_deadline,
        "error": error,
    }


def _schedule_page(candidate, fair, error=None, forms=None):
    return render_template(SCHEDULE, **_schedule_context(candidate, fair, error, forms))


@bp.route("/me/fairs/<int:fair_id>/schedule")
@role_required("candidate")
def my_schedule(fair_id):
    candidate = own_candidate_or_404()
    fair = fair_or_404(fair_id, candidate)
    return _schedule_page(candidate, fair)


@bp.route("/me/bookings/<int:booking_id>/cancel", methods=["POST"])
@role_required("candidate")
def cancel(booking_id):
    candidate = own_candidate_or_404()
    booking = own_booking_or_404(candidate, booking_id)
    fair = booking.participation.fair
    company = booking.participation.company.name
    try:
        services.cancel(booking, current_user)
        db.session.commit()
    except DomainError as error:
        return _refused(error, _schedule_page, candidate, fair)
    flash(_("Your interview with %(company)s is cancelled.", company=company), "success")
    return redirect(url_for(".my_schedule", fair_id=fair.id), code=303)


@bp.route("/me/bookings/<int:booking_id>/move", methods=["POST"])
@role_required("candidate")
def move(booking_id):
    candidate = own_candidate_or_404()
    booking = own_booking_or_404(candidate, booking_id)
    fair = booking.participation.fair
    form = MoveForm(prefix=f"b{booking.id}")
    if form.validate_on_submit():
        target = slot_or_404(fair, form.target.data)
        with attempt(form, default="target") as done:
            new = services.move(booking, target)
        if done.ok:
            flash(_("Your interview with %(company)s now starts at %(time)s.",
                    company=new.participation.company.name, time=_time_label(new.slot)),
                  "success")
            return redirect(url_for(".my_schedule", fair_id=fair.id), code=303)
    with read_only_transactions():
        return _schedule_page(candidate, fair, forms={booking.id: form})


# --- Calendar files -----------------------------------------------------------------------------


def _calendar_response(text, filename):
    response = make_response(text)
    response.headers["Content-Type"] = f"{ics.CONTENT_TYPE}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/me/bookings/<int:booking_id>.ics")
@role_required("candidate")
def booking_ics(booking_id):
    candidate = own_candidate_or_404()
    booking = own_booking_or_404(candidate, booking_id)
    interview = ics.Interview.of(booking)
    if booking.status == "cancelled":
        text = ics.cancellation_calendar(interview)
    else:
        text = ics.booking_calendar(interview)
    return _calendar_response(text, ics.filename(interview))


@bp.route("/me/fairs/<int:fair_id>/schedule.ics")
@role_required("candidate")
def day_ics(fair_id):
    candidate = own_candidate_or_404()
    fair = fair_or_404(fair_id, candidate)
    bookings = queries.schedule(candidate.id, fair.id)
    return _calendar_response(ics.day_calendar(bookings), f"interviews-{fair.slug}.ics")

