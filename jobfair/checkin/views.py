"""Entrance check-in: the badge link (/b/<token>) and the staff scanner."""
import uuid
from datetime import timedelta
from functools import cache, lru_cache, wraps
from typing import NamedTuple

from flask import (Blueprint, abort, current_app, flash, jsonify, render_template, request,
                   send_from_directory)
from flask_babel import format_time, get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, exists, select

from ..auth.access import role_required
from ..database import reads_first
from ..errors import DomainError
from ..extensions import db
from ..htmx import render
from ..models import Badge, CheckIn, Fair
from ..models.fairs import fair_staff
from . import offline, services

bp = Blueprint("checkin", __name__)

SCANNER_ROLES = ("staff", "organizer")


def _may_scan(fair, user):
    return user.role == "organizer" or (
        user.role == "staff" and any(s.id == user.id for s in fair.staff))


def _fair_of_scanner(fair_id):
    """The fair, if the current staff member works at it (organizers: any fair); else None.
    One query: the fair, filtered by the staff membership (not a load of the fair's staff)."""
    query = select(Fair).where(Fair.id == fair_id)
    if current_user.role != "organizer":
        query = query.where(exists().where(fair_staff.c.fair_id == Fair.id,
                                           fair_staff.c.user_id == current_user.id))
    return db.session.scalars(query).first()


class ScanFair(NamedTuple):
    """What a scan's answer needs of its fair (id, name, status: ``is_live``)."""
    id: int
    name: str
    status: str


@cache
def _scan_fair_statement(organizer):
    query = select(Fair.id, Fair.name, Fair.status).where(Fair.id == bindparam("fair_id"))
    if organizer:
        return query
    return query.where(exists().where(fair_staff.c.fair_id == Fair.id,
                                      fair_staff.c.user_id == bindparam("user_id")))


def _scan_fair(fair_id):
    """``_scanner_fair`` for the scan itself, as plain columns (one statement built once per
    process, no ORM entity): the entrance's hottest path."""
    row = db.session.connection().execute(
        _scan_fair_statement(current_user.role == "organizer"),
        {"fair_id": fair_id, "user_id": current_user.id}).first()
    if row is None:
        abort(404)
    return ScanFair(*row)


def _scanner_fair(fair_id):
    """``_fair_of_scanner``, or 404."""
    fair = _fair_of_scanner(fair_id)
    if fair is None:
        abort(404)
    return fair


def _commit_keeping_loaded():
    """Commit without expiring the session's objects. The answer shows what this very
    transaction read and wrote; reloading the staff member, the fair, the person and the
    check-in after the commit (a query each) would only repeat it, on the fair day's
    hottest path (docs/BENCHMARKS.md, entrance line)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _new_nonce():
    return str(uuid.uuid4())


@cache
def _status_labels(locale):
    """The labels the offline script shows, in ``locale`` (the current one): built once per
    process and language, not on every scan."""
    return {status: str(label) for status, label in
            {**services.STATUS_LABELS, **offline.OFFLINE_LABELS}.items()}


@lru_cache(maxsize=4096)
def _minute_label(locale, zone, minute):
    return format_time(minute, "short")


def short_time(instant):
    """``|time`` (short: hours and minutes) formatted by Babel once per minute, language and
    time zone: a fair's interviews share a few slot times, and each scan shows them."""
    if not instant:
        return ""
    minute = instant - timedelta(seconds=instant.second, microseconds=instant.microsecond)
    return _minute_label(str(get_locale()), str(get_timezone()), minute)


def _context(fair, result=None, device_name="", query="", people=()):
    return {
        "fair": fair, "result": result, "device_name": device_name, "query": query,
        "people": people, "checked_in": services.checked_in_ids(fair, people),
        "new_nonce": _new_nonce, "can_undo": services.can_undo, "live": services.is_live(fair),
        "short_time": short_time, "status_labels": _status_labels(str(get_locale()))}


def _page(fair, result=None, device_name=""):
    """The whole scanner page with the result; only the result for fetch / htmx."""
    return render("checkin/scanner.html", block="result",
                  **_context(fair, result, device_name))


@bp.route("/staff/fairs/<int:fair_id>/scan")
@role_required(*SCANNER_ROLES)
def scanner(fair_id):
    fair = _scanner_fair(fair_id)
    query = request.args.get("q", "").strip()[:100]
    people = services.search_people(fair, query) if query else []
    return render_template("checkin/scanner.html", **_context(
        fair, device_name=request.args.get("device_name", "")[:100], query=query, people=people))


@bp.route("/staff/fairs/<int:fair_id>/scan", methods=["POST"])
@reads_first  # SQLite's write lock only around the check-in's writes (database.py)
@role_required(*SCANNER_ROLES)
def scan(fair_id):
    fair = _scan_fair(fair_id)
    device_name = request.form.get("device_name", "")[:100]
    result = services.scan(fair, request.form.get("code", ""), current_user,
                           device_name, request.form.get("nonce") or None)
    _commit_keeping_loaded()
    return _page(fair, result, device_name)


@bp.route("/staff/fairs/<int:fair_id>/people/<int:user_id>/checkin", methods=["POST"])
@role_required(*SCANNER_ROLES)
def person(fair_id, user_id):
    fair = _scanner_fair(fair_id)
    device_name = request.form.get("device_name", "")[:100]
    result = services.check_in_person(fair, user_id, current_user, device_name,
                                      request.form.get("nonce") or None)
    _commit_keeping_loaded()
    return _page(fair, result, device_name)


@bp.route("/staff/fairs/<int:fair_id>/checkins/<int:checkin_id>/undo", methods=["POST"])
@role_required(*SCANNER_ROLES)
def undo(fair_id, checkin_id):
    fair = _scanner_fair(fair_id)
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None or checkin.fair_id != fair.id:
        abort(404)
    device_name = request.form.get("device_name", "")[:100]
    try:
        services.undo(checkin, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _page(fair, device_name=device_name)
    db.session.commit()
    flash(_("Check-in of %(name)s undone.", name=checkin.user.full_name), "success")
    return _page(fair, device_name=device_name)


def _fair_staff_only(view):
    """The offline scanner's JSON ends: 403 (JSON, no login page to follow) for anyone but the
    fair's staff and organizers — a request without a live session (expired, logged out, a
    revoked account), another fair's staff, any other role. The script keeps its queue and
    drops its manifest when refused (static/scanner-offline.js)."""
    @wraps(view)
    def wrapped(fair_id):
        fair = None
        if current_user.is_authenticated and current_user.role in SCANNER_ROLES:
            fair = _fair_of_scanner(fair_id)
        if fair is None:
            return jsonify(error=_("Only this fair's staff can use its check-in list. "
                                   "Log in again on this device.")), 403
        return view(fair)

    wrapped.allowed_roles = SCANNER_ROLES
    return wrapped


@bp.route("/staff/fairs/<int:fair_id>/scan/manifest")
@_fair_staff_only
def manifest(fair):
    """The offline scanner's data (offline.py); ``?since=`` for a delta."""
    response = jsonify(offline.manifest(fair, offline.parse_since(request.args.get("since"))))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/staff/fairs/<int:fair_id>/scan/sync", methods=["POST"])
@_fair_staff_only
def sync(fair):
    """A batch of scans decided offline (JSON; CSRF in the X-CSRFToken header): a JSON
    report, not a redirect — only the scanner's script posts here."""
    body = request.get_json(silent=True)
    scans = body.get("scans", []) if isinstance(body, dict) else []
    try:
        rows = offline.upload(fair, scans, current_user)
    except DomainError as error:
        db.session.rollback()
        return jsonify(error=str(error.message)), 400
    db.session.commit()
    for row in rows:
        row["label"] = str(services.STATUS_LABELS[row["status"]])
    response = jsonify(results=rows)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/staff/scanner-sw.js")
def service_worker():
    """The scanner's service worker, served under /staff/ so that its scope covers the
    scanner pages (static files' scope would be /static/ only). Code, no data: public."""
    response = send_from_directory(current_app.static_folder, "scanner-sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/b/<token>")
def badge(token):
    """What a phone's camera app opens: the check-in screen for staff, nothing for others."""
    if current_user.is_authenticated and current_user.role in SCANNER_ROLES:
        found = db.session.scalars(select(Badge).where(Badge.token == token)).first() \
            if services.looks_like_token(token) else None
        if found is not None and _may_scan(found.fair, current_user):
            return render_template("checkin/badge.html", badge=found, fair=found.fair,
                                   nonce=str(uuid.uuid4()), live=services.is_live(found.fair))
        # Staff learn why there is nothing to check in; others see the same neutral page
        # whatever the token.
        reason = (_("Unknown badge: no badge has this code. Scan it again or type the code.")
                  if found is None else _("This badge is for a fair you do not work at."))
        return render_template("checkin/neutral.html", reason=reason)
    return render_template("checkin/neutral.html")
