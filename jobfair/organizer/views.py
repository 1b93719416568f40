"""The organizer's pages: home (the fairs) and people invitations."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from ..auth import services as auth_services
from ..actions import attempt
from ..auth.access import role_required
from ..auth.forms import InviteForm
from ..extensions import db
from ..models import (
    Candidate,
    Company,
    Fair,
    InterviewTable,
    Invitation,
    Participation,
    Slot,
    fair_cohorts,
    utcnow,
)

bp = Blueprint("organizer", __name__, url_prefix="/organizer")


def _fair_rows():
    """Each fair with its counts, in a fixed number of queries."""
    approved = (
        select(Participation.fair_id, func.count().label("n"))
        .where(Participation.status == "approved")
        .group_by(Participation.fair_id)
        .subquery()
    )
    candidates = (
        select(fair_cohorts.c.fair_id, func.count(Candidate.id).label("n"))
        .join(Candidate, Candidate.cohort_id == fair_cohorts.c.cohort_id)
        .group_by(fair_cohorts.c.fair_id)
        .subquery()
    )
    slots = (
        select(
            Participation.fair_id,
            func.count(Slot.id).label("n"),
            func.coalesce(func.sum(Slot.booked_count), 0).label("booked"),
        )
        .join(InterviewTable, InterviewTable.participation_id == Participation.id)
        .join(Slot, Slot.table_id == InterviewTable.id)
        .group_by(Participation.fair_id)
        .subquery()
    )
    return db.session.execute(
        select(
            Fair,
            func.coalesce(approved.c.n, 0),
            func.coalesce(candidates.c.n, 0),
            func.coalesce(slots.c.n, 0),
            func.coalesce(slots.c.booked, 0),
        )
        .outerjoin(approved, approved.c.fair_id == Fair.id)
        .outerjoin(candidates, candidates.c.fair_id == Fair.id)
        .outerjoin(slots, slots.c.fair_id == Fair.id)
        .order_by(Fair.day.desc())
    ).all()


@bp.route("/")
@role_required("organizer")
def home():
    return render_template("organizer/home.html", fairs=_fair_rows())


def _invite_form():
    form = InviteForm()
    companies = db.session.execute(select(Company.id, Company.name).order_by(Company.name)).all()
    fairs = db.session.execute(select(Fair.id, Fair.name).order_by(Fair.day.desc())).all()
    form.company_id.choices = [SelectChoice(0, "—")] + [SelectChoice(c.id, c.name) for c in companies]
    form.fair_id.choices = [SelectChoice(0, "—")] + [SelectChoice(f.id, f.name) for f in fairs]
    return form


@bp.route("/invitations", methods=["GET", "POST"])
@role_required("organizer")
def invitations():
    form = _invite_form()
    if form.validate_on_submit():
        company = db.session.get(Company, form.company_id.data) if form.company_id.data else None
        fair = db.session.get(Fair, form.fair_id.data) if form.fair_id.data else None
        with attempt(form, default="email") as done:
            auth_services.create_invitation(
                form.email.data,
                form.role.data,
                invited_by=current_user,
                company=company if form.role.data == "company_rep" else None,
                fair=fair if form.role.data == "staff" else None,
            )
        if done.ok:
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("organizer.invitations"), code=303)
    pending = db.session.scalars(
        select(Invitation)
        # Candidates' activation links are followed on the candidates page.
        .where(Invitation.used_at.is_(None), Invitation.expires_at > utcnow(),
               Invitation.role != "candidate")
        .order_by(Invitation.created_at.desc())
        .limit(100)
    ).all()
    return render_template("organizer/invitations.html", form=form, pending=pending)
