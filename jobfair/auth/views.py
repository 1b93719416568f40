"""Log in and out, invitations, password reset, language choice."""
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
from flask_login import current_user, login_user, logout_user

from .. import invitations
from ..errors import DomainError
from ..extensions import db, limiter
from . import services
from .access import home_url, safe_next_url
from .forms import AcceptInvitationForm, ForgotPasswordForm, LoginForm, SetPasswordForm

bp = Blueprint("auth", __name__)


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response):
    # Only failed attempts count towards the limit; a successful login redirects.
    return response.status_code != 303


def _fresh_session():
    """A new session on login and logout (no fixation), keeping the chosen language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    return locale


def _remember_language(user, locale):
    """The account's language wins; a visitor's earlier choice becomes the account's."""
    if user.locale:
        session["locale"] = user.locale
    elif locale:
        user.locale = locale


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            # The same message whether the email exists or not.
            form.password.errors.append(_("Wrong email address or password."))
        else:
            _remember_language(user, _fresh_session())
            db.session.commit()
            login_user(user, remember=form.remember.data)
            target = safe_next_url(request.args.get("next")) or home_url(user)
            return redirect(target, code=303)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # Ends this user's sessions everywhere, remembered devices included.
        current_user.end_sessions()
        db.session.commit()
        logout_user()
    _fresh_session()
    flash(_("You are logged out."), "info")
    response = redirect(url_for("auth.login"), code=303)
    # The device forgets what the offline scanner kept: the cached scanner page (the staff
    # member's name, a CSRF token) and the IndexedDB manifest (names of the fair's people).
    # Not "cookies": the new session cookie set above must stay.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept_invitation(token):
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as error:
        return render_template("auth/invitation_invalid.html", message=error.message), 410
    form = AcceptInvitationForm()
    account = services.account_to_activate(invitation)
    if account is not None and request.method == "GET":
        # An imported candidate: the names are already known, shown to be checked.
        form.first_name.data, form.last_name.data = account.first_name, account.last_name
    if form.validate_on_submit():
        try:
            user = invitations.accept(
                token, form.first_name.data, form.last_name.data, form.password.data
            )
        except DomainError as error:
            db.session.rollback()
            return render_template("auth/invitation_invalid.html", message=error.message), 410
        _remember_language(user, _fresh_session())
        db.session.commit()
        login_user(user)
        flash(_("Welcome! Your account is ready."), "success")
        return redirect(home_url(user), code=303)
    return render_template(
        "auth/accept_invitation.html", form=form, invitation=invitation, account=account
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        # Whether the address has an account or not, the answer is the same.
        flash(
            _("If an account exists for this address, we have sent it a link to choose a new password."),
            "info",
        )
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token):
    try:
        services.user_for_reset_token(token)
    except DomainError as error:
        return render_template("auth/invitation_invalid.html", message=error.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/reset_password.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("auth.index"), code=303)
