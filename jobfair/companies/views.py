"""The organizer's side of companies: the list, invitations without duplicates, decisions."""
from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ..actions import attempt
from ..auth.access import role_required
from ..errors import DomainError
from ..extensions import db
from ..fairs import lifecycle
from ..htmx import is_htmx, render
from ..models import Booking, Company, Fair, Invitation, Participation, User, utcnow
from ..models.fairs import PARTICIPATION_STATUSES
from . import services
from .forms import NEW_COMPANY, DecisionForm, InviteCompanyForm
from .matching import find_matches

bp = Blueprint("companies", __name__)


def fair_or_404(fair_id):
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    return fair


# --- The list ----------------------------------------------------------------------


@bp.route("/organizer/companies")
@role_required("organizer")
def organizer_companies():
    representatives = (
        select(User.company_id, func.count().label("n"))
        .where(User.role == "company_rep")
        .group_by(User.company_id)
        .subquery()
    )
    companies = db.session.execute(
        select(Company, func.coalesce(representatives.c.n, 0))
        .outerjoin(representatives, representatives.c.company_id == Company.id)
        .options(selectinload(Company.participations).selectinload(Participation.fair))
        .order_by(Company.name)
    ).all()
    pending = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.role == "company_rep",
            Invitation.fair_id.is_not(None),
            Invitation.used_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .options(selectinload(Invitation.company), selectinload(Invitation.fair))
        .order_by(Invitation.created_at.desc())
    ).all()
    return render("companies/list.html", companies=companies, pending=pending)


# --- Inviting a company -----------------------------------------------------------------


def _invite_form():
    form = InviteCompanyForm()
    fairs = db.session.scalars(select(Fair).order_by(Fair.day.desc())).all()
    form.fair_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(fair.id, f"{fair.name} ({fair.city})")
        for fair in fairs if lifecycle.accepts_companies(fair)
    ]
    if request.method == "GET" and request.args.get("fair_id", "").isdigit():
        form.fair_id.data = int(request.args["fair_id"])
    return form


def _match_choices(matches):
    choices = [SelectChoice(str(m.company.id), m.company.name) for m in matches]
    if not any(m.same_name for m in matches):
        choices.append(SelectChoice(NEW_COMPANY, _("No, it is a new company")))
    return choices


def _chosen_company(form):
    """The existing company the organizer picked, if it is still a match of what is typed."""
    choice = form.match.data or ""
    if not choice.isdigit():
        return None
    current = {m.company.id for m in find_matches(form.company_name.data, form.email.data)}
    return db.session.get(Company, int(choice)) if int(choice) in current else None


@bp.route("/organizer/companies/invite", methods=["GET", "POST"])
@role_required("organizer")
def invite_company():
    form = _invite_form()
    matches, existing_rep = [], None
    if form.validate_on_submit():
        fair = db.session.get(Fair, form.fair_id.data)
        try:
            invitation, _token = services.invite_company(
                fair,
                form.email.data,
                current_user,
                company_name=form.company_name.data,
                company=_chosen_company(form),
                new_company=form.match.data == NEW_COMPANY,
            )
        except services.MatchesFound as error:
            db.session.rollback()
            matches = error.matches
            form.company_name.errors.append(error.message)
        except services.ExistingRepresentative as error:
            db.session.rollback()
            existing_rep = db.session.get(User, error.user.id)
            form.email.errors.append(error.message)
        except DomainError as error:
            db.session.rollback()
            field = {"fair_id": form.fair_id, "email": form.email}.get(error.field, form.company_name)
            field.errors.append(error.message)
            if form.match.data:  # keep the "Did you mean …?" choice on screen
                matches = find_matches(form.company_name.data, form.email.data)
        else:
            name = invitation.company.name if invitation.company else invitation.company_name
            db.session.commit()
            flash(_("%(company)s is invited to %(fair)s: the invitation was sent to %(email)s.",
                    company=name, fair=fair.name, email=invitation.email), "success")
            return redirect(url_for("companies.organizer_companies"), code=303)
    form.match.choices = _match_choices(matches) if matches else []
    if form.match.data and form.match.data not in {c.value for c in form.match.choices}:
        form.match.data = None
    chosen_fair = db.session.get(Fair, form.fair_id.data) if form.fair_id.data else None
    return render("companies/invite.html", form=form, matches=matches,
                  existing_rep=existing_rep, chosen_fair=chosen_fair)


@bp.route("/organizer/companies/add-to-fair", methods=["POST"])
@role_required("organizer")
def add_to_fair():
    """The invitation's address is a representative's: add their company directly, approved."""
    fair = fair_or_404(request.form.get("fair_id", type=int) or 0)
    company = db.session.get(Company, request.form.get("company_id", type=int) or 0)
    if company is None:
        abort(404)
    with attempt() as done:
        services.add_company_to_fair(fair, company, current_user)
    if done.ok:
        flash(_("%(company)s takes part in %(fair)s; its representatives were told by email.",
                company=company.name, fair=fair.name), "success")
    return redirect(url_for("companies.organizer_fair_companies", fair_id=fair.id), code=303)


# --- A fair's companies and the decisions ------------------------------------------------


def _fair_companies_context(fair, **extra):
    participations = db.session.scalars(
        select(Participation)
        .where(Participation.fair_id == fair.id)
        .options(selectinload(Participation.company), selectinload(Participation.booth))
        .join(Company)
        .order_by(Company.name)
    ).all()
    booking_counts = dict(
        db.session.execute(
            select(Booking.participation_id, func.count())
            .join(Participation, Participation.id == Booking.participation_id)
            .where(Participation.fair_id == fair.id, Booking.status == "active")
            .group_by(Booking.participation_id)
        ).all()
    )
    groups = defaultdict(list)
    for participation in participations:
        groups[participation.status].append(participation)
    context = {
        "fair": fair,
        "groups": [(status, groups[status]) for status in PARTICIPATION_STATUSES],
        "booking_counts": booking_counts,
        "can_decide": lifecycle.accepts_companies(fair),
        "decisions": services.DECISIONS,
        "errors": {},
        "typed": {},
        "confirm": None,
        "notice": None,
    }
    context.update(extra)
    return context


@bp.route("/organizer/fairs/<int:fair_id>/companies")
@role_required("organizer")
def organizer_fair_companies(fair_id):
    fair = fair_or_404(fair_id)
    return render("companies/fair_companies.html", **_fair_companies_context(fair))


NOTICES = {
    "approve": lambda name: _("%(company)s is approved; its representatives were told by email.", company=name),
    "decline": lambda name: _("%(company)s is declined; its representatives were told by email.", company=name),
    "withdraw": lambda name: _("%(company)s is withdrawn; its representatives were told by email.", company=name),
}


@bp.route(
    "/organizer/fairs/<int:fair_id>/companies/<int:participation_id>/<any(approve, decline, withdraw):action>",
    methods=["POST"],
)
@role_required("organizer")
def decide_participation(fair_id, participation_id, action):
    fair = fair_or_404(fair_id)
    participation = db.session.scalar(
        select(Participation).where(
            Participation.id == participation_id, Participation.fair_id == fair.id
        )
    )
    if participation is None:
        abort(404)
    form = DecisionForm()
    key = f"{participation.id}-{action}"
    typed = {key: form.reason.data or ""}
    if not form.validate_on_submit():
        errors = {key: " ".join(str(e) for e in form.reason.errors) or _("Try again.")}
        return render("companies/fair_companies.html", block="participations",
                      **_fair_companies_context(fair, errors=errors, typed=typed))
    company_name = participation.company.name
    try:
        services.decide(participation, action, current_user, reason=form.reason.data,
                        confirmed=form.confirm.data == "1")
    except services.ConfirmationNeeded as error:
        db.session.rollback()
        confirm = {"participation_id": participation_id, "count": error.active_bookings,
                   "reason": form.reason.data or ""}
        return render("companies/fair_companies.html", block="participations",
                      **_fair_companies_context(fair, confirm=confirm, typed=typed))
    except DomainError as error:
        db.session.rollback()
        return render("companies/fair_companies.html", block="participations",
                      **_fair_companies_context(fair, errors={key: error.message}, typed=typed))
    db.session.commit()
    notice = NOTICES[action](company_name)
    if is_htmx():
        return render("companies/fair_companies.html", block="participations",
                      **_fair_companies_context(fair, notice=notice))
    flash(notice, "success")
    return redirect(url_for("companies.organizer_fair_companies", fair_id=fair.id), code=303)
