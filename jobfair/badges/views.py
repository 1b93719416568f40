"""Badge PDFs: a candidate's or representative's own badge; every badge of a fair for organizers.

Downloading a badge issues it when the person has none yet (get-or-create, idempotent: the
same token comes back every time until an organizer reissues it).
"""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..audit import services as audit
from ..auth.access import role_required
from ..text import slugify
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_public
from ..models import Fair, User
from . import pdf, services

bp = Blueprint("badges", __name__)

FORMAT_CHOICES = ("a6", "a4-4", "a4-8", "label")
PAGE_SIZE = 200  # people listed on the page; the search finds the others


def _fair_or_404(fair_id):
    fair = db.session.scalar(
        select(Fair).where(Fair.id == fair_id).options(selectinload(Fair.cohorts))
    )
    if fair is None:
        abort(404)
    return fair


def _pdf_response(data, filename):
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _own_badge_pdf(fair, public_only):
    """The current user's badge for ``fair`` (404 if they have none), as an A6 PDF.

    Candidates see published fairs only; an approved company knows its fair already.
    """
    if (public_only and not is_public(fair)) or not services.may_have_badge(fair, current_user):
        abort(404)
    try:
        badge = services.issue_badge(fair, current_user)
        db.session.commit()
    except IntegrityError:
        # Two downloads at the same moment: the other one made the badge.
        db.session.rollback()
        badge = services.issue_badge(fair, current_user)
    holder = services.holder_for(fair, current_user)
    holder.badge = badge
    data = pdf.render(services.documents(fair, [holder]), "a6", title=fair.name)
    name = slugify(current_user.full_name) or "badge"
    return _pdf_response(data, f"badge-{slugify(fair.name)}-{name}.pdf")


@bp.route("/me/fairs/<int:fair_id>/badge.pdf")
@role_required("candidate")
def candidate_badge(fair_id):
    return _own_badge_pdf(_fair_or_404(fair_id), public_only=True)


@bp.route("/company/fairs/<int:fair_id>/badge.pdf")
@role_required("company_rep")
def company_badge(fair_id):
    return _own_badge_pdf(_fair_or_404(fair_id), public_only=False)


def _cohort_filter(fair):
    raw = request.args.get("cohort", "")
    if not raw:
        return None
    try:
        cohort_id = int(raw)
    except ValueError:
        abort(404)
    if cohort_id not in {c.id for c in fair.cohorts}:
        abort(404)
    return cohort_id


@bp.route("/organizer/fairs/<int:fair_id>/badges.pdf")
@role_required("organizer")
def print_badges(fair_id):
    fair = _fair_or_404(fair_id)
    fmt = request.args.get("format", "a4-4")
    if fmt not in FORMAT_CHOICES:
        abort(404)
    cohort_id = _cohort_filter(fair)
    people = services.holders(fair, cohort_id=cohort_id)
    try:
        services.attach_badges(fair, people, create=True)
        db.session.commit()
    except IntegrityError:
        # Someone downloaded their own badge at the same moment: take theirs.
        db.session.rollback()
        people = services.holders(fair, cohort_id=cohort_id)
        services.attach_badges(fair, people, create=True)
        db.session.commit()
    data = pdf.render(services.documents(fair, people), fmt, title=fair.name)
    suffix = f"-cohort-{cohort_id}" if cohort_id else ""
    filename = f"badges-{slugify(fair.name)}{suffix}-{fmt}.pdf"
    audit.record_download(current_user, "badges", "pdf", fair=fair.id, layout=fmt,
                          cohort_id=cohort_id, count=len(people))
    return _pdf_response(data, filename)


@bp.route("/organizer/fairs/<int:fair_id>/badges")
@role_required("organizer")
def index(fair_id):
    fair = _fair_or_404(fair_id)
    search = request.args.get("q", "").strip()
    everyone = services.holders(fair)
    services.attach_badges(fair, everyone)
    people = services.holders(fair, search=search) if search else everyone
    if search:
        services.attach_badges(fair, people)
    cohorts = sorted(fair.cohorts, key=lambda c: c.name.casefold())
    counts = {
        "candidates": sum(1 for p in everyone if p.kind == "candidate"),
        "representatives": sum(1 for p in everyone if p.kind == "company_rep"),
        "issued": sum(1 for p in everyone if p.badge is not None),
    }
    per_cohort = {}
    for p in everyone:
        if p.kind == "candidate":
            per_cohort[p.user.candidate.cohort_id] = per_cohort.get(p.user.candidate.cohort_id, 0) + 1
    shown = people[:PAGE_SIZE]
    return render_template(
        "badges/index.html", fair=fair, people=shown, hidden=len(people) - len(shown),
        search=search, cohorts=cohorts,
        counts=counts, per_cohort=per_cohort, formats=_format_labels(),
    )


def _format_labels():
    return [
        ("a4-4", _("A4 sheets, 4 badges (A6) per sheet")),
        ("a4-8", _("A4 sheets, 8 badges (105 × 74 mm) per sheet")),
        ("a6", _("One A6 badge per page")),
        ("label", _("Label printer (62 × 100 mm)")),
    ]


@bp.route("/organizer/fairs/<int:fair_id>/badges/<int:user_id>/reissue", methods=["POST"])
@role_required("organizer")
def reissue(fair_id, user_id):
    fair = _fair_or_404(fair_id)
    user = db.session.get(User, user_id)
    if user is None or not services.may_have_badge(fair, user):
        abort(404)
    try:
        services.reissue_badge(fair, user)
        db.session.commit()
    except (DomainError, IntegrityError) as error:
        db.session.rollback()
        flash(getattr(error, "message", None) or _("The badge could not be reissued, try again."),
              "error")
    else:
        flash(_("New badge for %(name)s: the old one no longer opens the door.",
                name=user.full_name), "success")
    return redirect(url_for(".index", fair_id=fair.id, q=request.args.get("q") or None),
                    code=303)
