"""jobfair: job fairs for bootcamp-to-job programmes."""
import os

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, OperationalError

from . import database
from .config import CONFIGS, PROJECT_ROOT, dev_secret_key
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config=None):
    """Build the app. ``config`` is a config class, a dict of overrides, or None (environment)."""
    # JOBFAIR_INSTANCE_PATH moves instance/ (SQLite file, CVs, pending imports) elsewhere,
    # e.g. for the browser tests' servers.
    app = Flask(
        __name__,
        instance_path=os.environ.get("JOBFAIR_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    from .ids import IdConverter
    from .requests import JobfairRequest

    app.request_class = JobfairRequest

    app.url_map.converters["int"] = IdConverter  # before any route is added
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        app.config.from_object(CONFIGS[os.environ.get("JOBFAIR_ENV", "production")])
        if config:
            app.config.update(config)
    _finish_config(app)

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from . import i18n, labels

    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    labels.init_app(app)

    from .auth import access, passwords

    access.init_app(app)
    passwords.init_app(app)
    _register_blueprints(app)
    _register_request_hooks(app)
    from .kiosk import views as kiosk_views

    kiosk_views.init_app(app)  # after the hooks above: a kiosk account reaches nothing else
    _register_error_handlers(app)

    from . import cli

    cli.init_app(app)
    return app


def _finish_config(app):
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "jobfair.db"
        )
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment "
                "(or JOBFAIR_ENV=development for a local key)."
            )
        app.config["SECRET_KEY"] = dev_secret_key(app.instance_path)


def _register_blueprints(app):
    from .audit.views import bp as audit_bp
    from .auth.views import bp as auth_bp
    from .badges.views import bp as badges_bp
    from .booking.views import bp as booking_bp
    from .booths.views import bp as booths_bp
    from .candidate.views import bp as candidate_bp
    from .checkin.views import bp as checkin_bp
    from .companies.views import bp as companies_bp
    from .company.views import bp as company_bp
    from .dashboard.views import bp as dashboard_bp
    from .fairs.views import bp as fairs_bp
    from .followups.views import bp as followups_bp
    from .imports.views import bp as imports_bp
    from .insertion.views import bp as insertion_bp
    from .kiosk.views import bp as kiosk_bp
    from .leads.views import bp as leads_bp
    from .main.views import bp as main_bp
    from .organizer.views import bp as organizer_bp
    from .outcomes.views import bp as outcomes_bp
    from .privacy import audit_texts, visibility  # noqa: F401  audit_texts: audit sentences
    from .privacy.views import bp as privacy_bp
    from .programme.views import bp as programme_bp
    from .queues.views import bp as queues_bp
    from .round.views import bp as round_bp
    from .schedule.views import bp as schedule_bp
    from .staff.views import bp as staff_bp

    for blueprint in (
        main_bp, auth_bp, organizer_bp, company_bp, staff_bp, candidate_bp,
        programme_bp, fairs_bp, companies_bp, booths_bp, schedule_bp, imports_bp, booking_bp,
        badges_bp, checkin_bp, leads_bp, dashboard_bp, outcomes_bp, followups_bp, insertion_bp,
        audit_bp, round_bp, privacy_bp, queues_bp, kiosk_bp,
    ):
        app.register_blueprint(blueprint)
    visibility.init_app(app)  # company_view() for the company-side templates


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)


def _register_request_hooks(app):
    @app.before_request
    def sqlite_read_transactions():
        # Safe methods never write: their SQLite transactions need no write lock; nor do
        # the reads of a view that takes it later itself (database.reads_first).
        view = app.view_functions.get(request.endpoint)
        if request.method in SAFE_METHODS or getattr(view, "sqlite_reads_first", False):
            request.environ["jobfair.write_intent"] = database.set_write_intent(False)

    @app.teardown_request
    def restore_write_intent(_exc):
        token = request.environ.pop("jobfair.write_intent", None)
        if token is not None:
            database.reset_write_intent(token)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Pages differ by language and by htmx fragment vs whole page.
        response.vary.add("HX-Request")
        return response


def _register_error_handlers(app):
    def error_page(code, title, message):
        db.session.rollback()
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(400)
    def bad_request(_error):
        return error_page(400, _("Bad request"), _("The request could not be understood. Go back and try again."))

    @app.errorhandler(403)
    def forbidden(_error):
        return error_page(403, _("Access denied"), _("Your account does not give access to this page."))

    @app.errorhandler(404)
    def not_found(_error):
        return error_page(404, _("Page not found"), _("This page does not exist or is no longer available."))

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return error_page(405, _("Action not allowed"), _("This action cannot be done from here."))

    @app.errorhandler(413)
    def too_large(_error):
        return error_page(413, _("File too large"), _("The file you sent is too large."))

    @app.errorhandler(429)
    def too_many(_error):
        return error_page(
            429, _("Too many attempts"), _("Too many attempts. Wait a minute, then try again.")
        )

    @app.errorhandler(500)
    def server_error(_error):
        return error_page(
            500, _("Something went wrong"), _("An error occurred on our side. Try again in a moment.")
        )

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def value_out_of_range(error):
        # A value the database cannot hold (a number past its integers, a NUL in a text),
        # typed or forged by the client: the request is wrong, not the server.
        app.logger.warning("value refused by the database: %s", error)
        return error_page(400, _("Bad request"), _("The request could not be understood. Go back and try again."))

    @app.errorhandler(OperationalError)
    def database_down(_error):
        app.logger.exception("database error")
        # The page must not reach the database again: the layout would load the user (and
        # its language) and fail inside this handler, leaving a bare 500. Shown as anonymous.
        g._login_user = login_manager.anonymous_user()
        page, code = error_page(
            503, _("Service unavailable"), _("The service is briefly unavailable. Try again in a moment.")
        )
        return page, code, {"Retry-After": "5"}

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        app.logger.warning("CSRF refused: %s", _error.description)
        return error_page(
            400,
            _("Form expired"),
            _("This form was not accepted (security check). Reload the page and try again."),
        )
