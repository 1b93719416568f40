"""Candidate follow-ups: the signed link (no login), the candidate's own page, conflicts.

The link view reads only the FollowUpRequest its signed token names and never logs anybody
in: it gives access to that one form and nothing else. The rules are in services.py.
"""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..actions import attempt
from ..auth.access import role_required
from ..extensions import db
from ..fairs import lifecycle
from ..i18n import force_locale
from ..models import Candidate, Fair, Outcome, Participation, fair_cohorts
from . import services
from .forms import (
    OUTCOME_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    DecisionForm,
    FollowUpForm,
)

bp = Blueprint("followups", __name__)


@bp.app_context_processor
def follow_up_labels():
    return {"follow_up_status_label": STATUS_LABELS.get,
            "follow_up_source_label": SOURCE_LABELS.get,
            "follow_up_outcome_label": OUTCOME_LABELS.get}


def _locale_for(candidate):
    """The visitor's own choice first (account, then session), then the candidate's language."""
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    if candidate is not None and candidate.user.locale in languages:
        return candidate.user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _answer_page(form, fair, candidate, request_=None, post_url=None):
    """Validate and record (POST) or show the form; ``None`` when it was recorded."""
    if form.validate_on_submit():
        with attempt(form, default="status") as done:
            services.record_answer(fair, candidate, "candidate", form.status.data,
                                   request=request_, **form.employment())
        if done.ok:
            return None
    answers = services.history(fair.id, candidate.id)
    return render_template("followups/answer.html", form=form, fair=fair,
                           answers=answers, post_url=post_url)


def _form_for(fair, candidate, method_is_get):
    form = FollowUpForm()
    form.set_companies(services.fair_companies(fair.id))
    if method_is_get:
        latest = services.latest_answers([fair.id]).get((fair.id, candidate.id))
        if latest is not None:
            form.fill_from(latest)
    return form


@bp.route("/follow-up/<token>", methods=["GET", "POST"])
def answer_link(token):
    try:
        follow_up = services.request_for_token(token)
    except services.LinkRefused as refused:
        with force_locale(_locale_for(refused.candidate)):
            return render_template("followups/link_refused.html", message=refused.message), 410
    candidate = db.session.get(Candidate, follow_up.candidate_id)
    fair = db.session.get(Fair, follow_up.fair_id)
    with force_locale(_locale_for(candidate)):
        form = _form_for(fair, candidate, request.method == "GET")
        page = _answer_page(form, fair, candidate, request_=follow_up,
                            post_url=url_for("followups.answer_link", token=token))
        if page is None:
            flash(_("Thank you: your answer is recorded. You can update it with the same link."),
                  "success")
            return redirect(url_for("followups.answer_link", token=token), code=303)
        return page


def _own_candidate_or_404():
    candidate = db.session.scalar(select(Candidate).where(Candidate.user_id == current_user.id)
                                  .options(joinedload(Candidate.user)))
    if candidate is None:
        abort(404)
    return candidate


def _invited_fair_or_404(fair_id, candidate):
    fair = db.session.scalar(
        select(Fair).join(fair_cohorts, fair_cohorts.c.fair_id == Fair.id)
        .where(Fair.id == fair_id, fair_cohorts.c.cohort_id == candidate.cohort_id)
    )
    if fair is None or candidate.cohort_id is None or not lifecycle.is_public(fair):
        abort(404)
    return fair


@bp.route("/me/fairs/<int:fair_id>/situation", methods=["GET", "POST"])
@role_required("candidate")
def situation(fair_id):
    candidate = _own_candidate_or_404()
    fair = _invited_fair_or_404(fair_id, candidate)
    if not services.situation_open(fair):
        # Invited, but the fair has not taken place yet: nothing to report (nothing recorded).
        return render_template("followups/answer.html", form=None, fair=fair, answers=[],
                               post_url=None)
    form = _form_for(fair, candidate, request.method == "GET")
    page = _answer_page(form, fair, candidate,
                        post_url=url_for("followups.situation", fair_id=fair.id))
    if page is None:
        flash(_("Your situation is updated. Thank you."), "success")
        return redirect(url_for("followups.situation", fair_id=fair.id), code=303)
    return page


# --- Organizer: conflicts --------------------------------------------------------------------


def _fair_or_404(fair_id):
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    return fair


@bp.route("/organizer/fairs/<int:fair_id>/conflicts")
@role_required("organizer")
def conflicts(fair_id):
    fair = _fair_or_404(fair_id)
    return render_template("followups/conflicts.html", fair=fair,
                           conflicts=services.conflicts(fair.id), form=DecisionForm(),
                           conflict_label=services.CONFLICT_LABELS.get)


@bp.route("/organizer/fairs/<int:fair_id>/conflicts/<int:outcome_id>", methods=["POST"])
@role_required("organizer")
def resolve(fair_id, outcome_id):
    fair = _fair_or_404(fair_id)
    outcome = db.session.scalar(
        select(Outcome).join(Participation, Participation.id == Outcome.participation_id)
        .where(Outcome.id == outcome_id, Participation.fair_id == fair.id)
    )
    if outcome is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose who is right."), "error")
        return redirect(url_for("followups.conflicts", fair_id=fair.id), code=303)
    with attempt(category="warning") as done:
        services.resolve_conflict(fair, outcome.candidate_id, outcome.id, form.decision.data)
    if done.ok:
        flash(_("Decision recorded: it is now the candidate's latest answer."), "success")
    return redirect(url_for("followups.conflicts", fair_id=fair.id), code=303)

