"""Who may reach a view: decided here, never by hiding a button."""
from functools import cache, wraps

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user
from sqlalchemy import bindparam, select

from ..extensions import db, login_manager
from ..models import User

ROLE_HOMES = {
    "organizer": "organizer.home",
    "company_rep": "company.home",
    "staff": "staff.home",
    "candidate": "candidate.home",
    "kiosk": "kiosk.kiosk_start",
}


ROLE_LABELS = {
    "organizer": _l("organizer"),
    "company_rep": _l("company representative"),
    "staff": _l("on-site staff"),
    "candidate": _l("candidate"),
    "kiosk": _l("self check-in kiosk"),
}

# Each role sees only its own navigation.
ROLE_NAVIGATION = {
    "organizer": [
        ("organizer.home", _l("Fairs")),
        ("programme.index", _l("Programme")),
        ("companies.organizer_companies", _l("Companies")),
        ("imports.candidates", _l("Candidates")),
        ("insertion.dashboard", _l("Insertion")),
        ("audit.log", _l("Audit log")),
        ("privacy.organizer_requests", _l("Personal data")),
        ("organizer.invitations", _l("Invitations")),
    ],
    "company_rep": [
        ("company.home", _l("My company")),
        ("company.profile", _l("Profile")),
        ("company.positions", _l("Positions")),
        ("company.representatives", _l("Colleagues")),
    ],
    "staff": [("staff.home", _l("My fairs"))],
    "candidate": [("candidate.home", _l("My space")), ("candidate.profile", _l("My profile")),
                  ("privacy.my_data", _l("My data"))],
    "kiosk": [],  # a kiosk reaches its kiosk pages only (kiosk/views.py)
}


def home_url(user):
    return url_for(ROLE_HOMES[user.role])


def role_required(*roles):
    """Anonymous visitors go to the login page; other roles get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


@cache
def _user_statement():
    # Built once per process: every signed-in request runs it.
    return select(User).where(User.id == bindparam("user_id"))


# The booking POST and the entrance scan (the hot paths) read only the account's columns: for
# them the user is a SessionUser built from a Core row, not a model (building a model costs
# more CPU).
LEAN_USER_ENDPOINTS = {"booking.book", "checkin.scan"}
_SESSION_USER_COLUMNS = ("id", "email", "first_name", "last_name", "role", "locale",
                         "is_enabled", "session_nonce", "company_id")


@cache
def _session_user_statement():
    users = User.__table__
    return select(*(users.c[name] for name in _SESSION_USER_COLUMNS)).where(
        users.c.id == bindparam("user_id"))


class SessionUser(UserMixin):
    """The signed-in account as its columns (same names and methods as ``User``); anything
    else (a relationship) is read from the model, loaded on first use."""

    def __init__(self, row):
        for name in _SESSION_USER_COLUMNS:
            setattr(self, name, getattr(row, name))
        self._model = None

    get_id = User.get_id
    full_name = User.full_name
    has_role = User.has_role

    @property
    def is_active(self):
        return self.is_enabled

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._model is None:
            self._model = db.session.get(User, self.id)
        return getattr(self._model, name)


@login_manager.user_loader
def load_user(session_id):
    """The cookie holds "<id>:<nonce>"; a changed nonce ends the session."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    if request.endpoint in LEAN_USER_ENDPOINTS:
        row = db.session.connection().execute(
            _session_user_statement(), {"user_id": int(user_id)}).first()
        user = SessionUser(row) if row is not None else None
    else:
        user = db.session.scalar(_user_statement(), {"user_id": int(user_id)})
    if user is None or user.session_nonce != nonce or not user.is_enabled:
        return None
    return user


def safe_next_url(target):
    """Only same-site paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def init_app(app):
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @app.context_processor
    def inject_roles():
        def role_navigation():
            if not current_user.is_authenticated:
                return []
            return ROLE_NAVIGATION[current_user.role]

        return {"role_navigation": role_navigation, "role_label": ROLE_LABELS.get}

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.headers.get("HX-Request"):
            # htmx follows HX-Redirect with a full navigation to the login page.
            response = app.response_class(status=401)
            response.headers["HX-Redirect"] = url_for("auth.login", next=request.full_path)
            return response
        flash(_("Log in to see this page."), "info")
        return redirect(url_for("auth.login", next=request.full_path))
