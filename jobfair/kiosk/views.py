"""The self check-in kiosk (issue 13): the organizer's kiosks, the one-time link, the kiosk.

A kiosk account reaches only the pages of this blueprint under /kiosk/ (``init_app``: every
other endpoint answers 403), and those pages load the kiosk's own fair from its account.
Who stands at the kiosk lives in the session for a few minutes (``VISITOR_TTL``); the start
page forgets them, so nothing of a candidate stays on screen for the next one.
"""
import time
import uuid

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..actions import attempt
from ..auth.access import role_required
from ..badges import pdf
from ..badges import services as badges
from ..extensions import db, limiter
from ..models import Fair, Kiosk, User
from ..text import slugify
from . import services
from .forms import BadgeForm, CheckInForm, KioskForm, NameCodeForm

bp = Blueprint("kiosk", __name__)

VISITOR_TTL = 180  # seconds between identification and printing, and to print the label
KIOSK_ENDPOINTS = {"static", "main.vendor", "auth.index", "auth.logout"}  # index: to its home


def init_app(app):
    """After the request hooks that set SQLite's read-only transactions (the check loads the
    user): a kiosk account gets 403 on anything but its kiosk pages."""

    @app.before_request
    def kiosks_reach_only_the_kiosk():
        endpoint = request.endpoint or ""
        if endpoint in KIOSK_ENDPOINTS or endpoint.startswith("kiosk.kiosk_"):
            return None
        if current_user.is_authenticated and current_user.role == "kiosk":
            abort(403)
        return None


# --- The organizer's kiosks ------------------------------------------------------------------


def _fair_or_404(fair_id):
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    return fair


@bp.route("/organizer/fairs/<int:fair_id>/kiosks", methods=["GET", "POST"])
@role_required("organizer")
def organizer_kiosks(fair_id):
    fair = _fair_or_404(fair_id)
    form = KioskForm()
    if form.validate_on_submit():
        with attempt(form, default="name") as done:
            kiosk, token = services.create_kiosk(fair, form.name.data, current_user)
        if done.ok:
            # Shown once, on the page this redirect leads to.
            session["kiosk_link"] = {"kiosk_id": kiosk.id, "url": url_for(
                "kiosk.open_link", token=token, _external=True)}
            return redirect(url_for(".organizer_kiosks", fair_id=fair.id), code=303)
    link = session.pop("kiosk_link", None) if request.method == "GET" else None
    return render_template("kiosk/organizer.html", fair=fair, form=form, link=link,
                           kiosks=services.kiosks_of(fair))


@bp.route("/organizer/fairs/<int:fair_id>/kiosks/<int:kiosk_id>/revoke", methods=["POST"])
@role_required("organizer")
def revoke(fair_id, kiosk_id):
    fair = _fair_or_404(fair_id)
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.fair_id != fair.id:
        abort(404)
    with attempt() as done:
        services.revoke_kiosk(kiosk, current_user)
    if done.ok:
        flash(_("Kiosk “%(name)s” revoked: it stops working now.", name=kiosk.name), "success")
    return redirect(url_for(".organizer_kiosks", fair_id=fair.id), code=303)


@bp.route("/organizer/fairs/<int:fair_id>/kiosks/codes", methods=["POST"])
@role_required("organizer")
def send_codes(fair_id):
    fair = _fair_or_404(fair_id)
    with attempt() as done:
        count = services.send_codes(fair)
    if done.ok:
        flash(_("Kiosk codes emailed to %(num)d candidates.", num=count), "success")
    return redirect(url_for(".organizer_kiosks", fair_id=fair.id), code=303)


# --- Opening a kiosk on its device ------------------------------------------------------------


@bp.route("/kiosk/open/<token>", methods=["GET", "POST"])
def open_link(token):
    """GET shows a button (a link preview must not spend the link); POST signs the device in."""
    if request.method == "POST":
        with attempt() as done:
            kiosk = services.open_kiosk(token)
        if done.ok:
            logout_user()
            session.clear()
            login_user(kiosk.user, remember=True)
            return redirect(url_for(".kiosk_start"), code=303)
    return render_template("kiosk/open.html", token=token)


# --- The kiosk ---------------------------------------------------------------------------------


def _kiosk():
    kiosk = services.kiosk_of_user(current_user)
    if kiosk is None:
        abort(403)
    return kiosk


def _remember(kiosk, visitor, checked_in=False):
    session["kiosk_visitor"] = {"kiosk_id": kiosk.id, "user_id": visitor.person.id,
                                "until": time.time() + VISITOR_TTL, "checked_in": checked_in}


def _visitor(kiosk, checked_in=False):
    """The person identified at this kiosk a moment ago (and checked in, if asked), or None."""
    seen = session.get("kiosk_visitor")
    if not seen or seen.get("kiosk_id") != kiosk.id or seen.get("until", 0) < time.time() \
            or (checked_in and not seen.get("checked_in")):
        return None
    return db.session.get(User, seen["user_id"])


def _start(kiosk, badge_form=None, name_form=None, status=200):
    return render_template("kiosk/start.html", kiosk=kiosk, fair=kiosk.fair,
                           badge_form=badge_form or BadgeForm(formdata=None),
                           name_form=name_form or NameCodeForm(formdata=None)), status


@bp.route("/kiosk/")
@role_required("kiosk")
def kiosk_start():
    kiosk = _kiosk()
    session.pop("kiosk_visitor", None)  # the next person starts afresh
    return _start(kiosk)


@bp.route("/kiosk/badge", methods=["POST"])
@role_required("kiosk")
def kiosk_badge():
    kiosk = _kiosk()
    form = BadgeForm()
    if form.validate_on_submit():
        with attempt(form, default="code") as done:
            visitor = services.identify_by_badge(kiosk.fair, form.code.data)
        if done.ok:
            _remember(kiosk, visitor)
            return redirect(url_for(".kiosk_welcome"), code=303)
    return _start(kiosk, badge_form=form)


def _code_limit():
    return current_app.config.get("KIOSK_CODE_RATE_LIMIT", "10 per minute;60 per hour")


@bp.route("/kiosk/name", methods=["POST"])
@role_required("kiosk")
@limiter.limit(_code_limit, key_func=lambda: f"kiosk-code:{current_user.id}",
               deduct_when=lambda response: response.status_code != 303)
def kiosk_name():
    kiosk = _kiosk()
    form = NameCodeForm()
    if form.validate_on_submit():
        with attempt(form, default="kiosk_code") as done:
            visitor = services.identify_by_code(kiosk.fair, form.name.data, form.kiosk_code.data)
        if done.ok:
            _remember(kiosk, visitor)
            return redirect(url_for(".kiosk_welcome"), code=303)
    return _start(kiosk, name_form=form)


@bp.route("/kiosk/welcome")
@role_required("kiosk")
def kiosk_welcome():
    kiosk = _kiosk()
    person = _visitor(kiosk)
    if person is None:
        return redirect(url_for(".kiosk_start"), code=303)
    return render_template("kiosk/welcome.html", kiosk=kiosk, fair=kiosk.fair, person=person,
                           interviews=services.day_interviews(kiosk.fair, person),
                           form=CheckInForm(formdata=None, nonce=str(uuid.uuid4())))


@bp.route("/kiosk/checkin", methods=["POST"])
@role_required("kiosk")
def kiosk_check_in():
    kiosk = _kiosk()
    person = _visitor(kiosk)
    form = CheckInForm()
    if person is None or not form.validate_on_submit():
        flash(_("Too slow: start again by scanning your badge or typing your name."), "error")
        return redirect(url_for(".kiosk_start"), code=303)
    with attempt() as done:
        services.check_in(kiosk.fair, kiosk, person.id, form.nonce.data or None)
    if not done.ok:
        return redirect(url_for(".kiosk_start"), code=303)
    session["kiosk_visitor"] = {**session["kiosk_visitor"], "checked_in": True,
                                "until": time.time() + VISITOR_TTL}
    return redirect(url_for(".kiosk_print"), code=303)


@bp.route("/kiosk/print")
@role_required("kiosk")
def kiosk_print():
    kiosk = _kiosk()
    person = _visitor(kiosk, checked_in=True)
    if person is None:
        return redirect(url_for(".kiosk_start"), code=303)
    return render_template("kiosk/print.html", kiosk=kiosk, fair=kiosk.fair, person=person)


@bp.route("/kiosk/label.pdf")
@role_required("kiosk")
def kiosk_label():
    """The checked-in person's badge in the label-printer format, shown inside the print page."""
    kiosk = _kiosk()
    person = _visitor(kiosk, checked_in=True)
    if person is None:
        abort(404)
    holder = badges.holder_for(kiosk.fair, person)
    holder.badge = badges.active_badge(kiosk.fair, person)
    if holder.badge is None:  # reissued since they checked in: the new one is printed at the desk
        abort(404)
    data = pdf.render(badges.documents(kiosk.fair, [holder]), "label", title=kiosk.fair.name)
    response = current_app.response_class(data, mimetype="application/pdf")
    name = slugify(person.full_name) or "badge"
    response.headers["Content-Disposition"] = f'inline; filename="badge-{name}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    # Framed by the kiosk's own print page (same origin only).
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return response


@bp.route("/kiosk/done", methods=["POST"])
@role_required("kiosk")
def kiosk_done():
    _kiosk()
    session.pop("kiosk_visitor", None)
    return redirect(url_for(".kiosk_start"), code=303)


@bp.route("/kiosk/language", methods=["POST"])
@role_required("kiosk")
def kiosk_language():
    """The kiosk's language, for this device's session (the next person may switch again)."""
    _kiosk()
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    return redirect(url_for(".kiosk_start"), code=303)
