"""The company representative's pages: their company, its positions, colleagues and fairs.

Every view loads the company through ``own_company_or_404()`` (the current
user's company) and every row through a loader filtered by that company, so a
representative never reaches another company's data: other ids answer 404.
"""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ..actions import attempt
from ..auth.access import role_required
from ..companies import services as company_services
from ..extensions import db
from ..fairs import lifecycle
from ..models import Company, Fair, Invitation, Participation, Position, Track, User, utcnow
from . import services
from .forms import ColleagueForm, PositionForm, ProfileForm

bp = Blueprint("company", __name__, url_prefix="/company")


def own_company_or_404(eager=False):
    """The representative's own company: the only one this blueprint ever shows."""
    query = select(Company).where(Company.id == current_user.company_id)
    if eager:
        query = query.options(
            selectinload(Company.positions).selectinload(Position.track),
            selectinload(Company.participations).selectinload(Participation.fair),
            selectinload(Company.participations).selectinload(Participation.booth),
        )
    company = db.session.scalar(query) if current_user.company_id else None
    if company is None:
        abort(404)
    return company


def own_position_or_404(company, position_id):
    position = services.own_position(company, position_id)
    if position is None:
        abort(404)
    return position


def _open_fairs(company):
    """Published fairs the company could ask to join (it has no participation in them yet)."""
    taken = {p.fair_id for p in company.participations}
    fairs = db.session.scalars(select(Fair).order_by(Fair.day)).all()
    return [f for f in fairs if f.id not in taken and lifecycle.accepts_participation_requests(f)]


@bp.route("/")
@role_required("company_rep")
def home():
    company = own_company_or_404(eager=True)
    participations = sorted(company.participations, key=lambda p: p.fair.day, reverse=True)
    return render_template("company/home.html", company=company, participations=participations,
                           open_fairs=_open_fairs(company))


@bp.route("/fairs/<int:fair_id>/request", methods=["POST"])
@role_required("company_rep")
def request_participation(fair_id):
    company = own_company_or_404()
    fair = db.session.get(Fair, fair_id)
    if fair is None or not lifecycle.is_public(fair):
        abort(404)
    with attempt(category="info") as done:
        company_services.request_participation(fair, company)
    if done.ok:
        flash(_("Your request to take part in %(fair)s is sent: the organizers will answer by email.",
                fair=fair.name), "success")
    return redirect(url_for("company.home"), code=303)


# --- Profile ---------------------------------------------------------------------------------


@bp.route("/profile", methods=["GET", "POST"])
@role_required("company_rep")
def profile():
    company = own_company_or_404()
    form = ProfileForm(obj=company)
    if form.validate_on_submit():
        with attempt(form, default="name") as done:
            services.update_profile(
                company, form.name.data, form.sector.data, city=form.city.data,
                size=form.size.data, description=form.description.data, website=form.website.data,
            )
        if done.ok:
            flash(_("Your company's profile is saved."), "success")
            return redirect(url_for("company.home"), code=303)
    return render_template("company/profile.html", form=form, company=company)


# --- Positions -------------------------------------------------------------------------------


def _position_form(position=None):
    form = PositionForm(obj=position)
    tracks = db.session.scalars(select(Track).order_by(Track.name)).all()
    form.track_id.choices = [SelectChoice(0, _("Any track"))] + [
        SelectChoice(track.id, track.name) for track in tracks
    ]
    return form


@bp.route("/positions")
@role_required("company_rep")
def positions():
    company = own_company_or_404()
    rows = db.session.scalars(
        select(Position)
        .where(Position.company_id == company.id)
        .options(selectinload(Position.track))
        .order_by(Position.is_open.desc(), Position.title)
    ).all()
    return render_template("company/positions.html", company=company, positions=rows)


def _save_position(company, position, form):
    saved = None
    with attempt(form, default="title"):
        saved = services.save_position(
            company, position, form.title.data, form.contract_type.data, form.openings.data,
            track_id=form.track_id.data or None,
        )
    return saved


@bp.route("/positions/new", methods=["GET", "POST"])
@role_required("company_rep")
def new_position():
    company = own_company_or_404()
    form = _position_form()
    if form.validate_on_submit() and _save_position(company, None, form):
        flash(_("The position is added."), "success")
        return redirect(url_for("company.positions"), code=303)
    return render_template("company/position_form.html", form=form, position=None)


@bp.route("/positions/<int:position_id>/edit", methods=["GET", "POST"])
@role_required("company_rep")
def edit_position(position_id):
    company = own_company_or_404()
    position = own_position_or_404(company, position_id)
    form = _position_form(position)
    if form.validate_on_submit() and _save_position(company, position, form):
        flash(_("The position is saved."), "success")
        return redirect(url_for("company.positions"), code=303)
    return render_template("company/position_form.html", form=form, position=position)


@bp.route("/positions/<int:position_id>/<any(close, reopen):action>", methods=["POST"])
@role_required("company_rep")
def toggle_position(position_id, action):
    position = own_position_or_404(own_company_or_404(), position_id)
    services.set_position_open(position, action == "reopen")
    db.session.commit()
    if action == "reopen":
        flash(_("%(title)s is open again.", title=position.title), "success")
    else:
        flash(_("%(title)s is closed: candidates no longer see it.", title=position.title), "success")
    return redirect(url_for("company.positions"), code=303)


@bp.route("/positions/<int:position_id>/delete", methods=["POST"])
@role_required("company_rep")
def delete_position(position_id):
    position = own_position_or_404(own_company_or_404(), position_id)
    title = position.title
    with attempt() as done:
        services.delete_position(position)
    if done.ok:
        flash(_("%(title)s is deleted.", title=title), "success")
    return redirect(url_for("company.positions"), code=303)


# --- Colleagues ------------------------------------------------------------------------------


@bp.route("/representatives", methods=["GET", "POST"])
@role_required("company_rep")
def representatives():
    company = own_company_or_404()
    form = ColleagueForm()
    if form.validate_on_submit():
        with attempt(form, default="email") as done:
            invitation, _token = services.invite_colleague(company, form.email.data, current_user)
        if done.ok:
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("company.representatives"), code=303)
    colleagues = db.session.scalars(
        select(User).where(User.company_id == company.id).order_by(User.last_name, User.first_name)
    ).all()
    pending = db.session.scalars(
        select(Invitation)
        .where(Invitation.company_id == company.id, Invitation.used_at.is_(None),
               Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    ).all()
    return render_template("company/representatives.html", form=form, company=company,
                           colleagues=colleagues, pending=pending)
