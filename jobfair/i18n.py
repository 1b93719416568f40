"""Language and time: French first, English and Arabic too, times in Africa/Casablanca.

A language is chosen by its code (``LANGUAGES``: fr, en, ar); Babel formats it with the
locale of ``FORMAT_LOCALES`` when there is one (ar → ar_MA: Western digits and Morocco's
month names), and gettext finds the catalogue of the bare language (ar_MA → ar). Code that
renders for someone else (emails, PDFs) uses ``force_locale`` from here, not Flask-Babel's,
so that the same mapping applies.
"""
from contextlib import contextmanager

import flask_babel
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_login import current_user
from markupsafe import Markup

RTL_LANGUAGES = {"ar", "he", "fa"}


def babel_locale(code):
    """The Babel locale that formats language ``code`` (e.g. "ar" → "ar_MA")."""
    return current_app.config.get("FORMAT_LOCALES", {}).get(code, code)


def language():
    """The language code of the current locale, as LANGUAGES names it ("ar" for ar_MA)."""
    locale = get_locale()
    return locale.language if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


@contextmanager
def force_locale(code):
    """Flask-Babel's force_locale for a language code of LANGUAGES (or None: the default)."""
    with flask_babel.force_locale(babel_locale(code or current_app.config["BABEL_DEFAULT_LOCALE"])):
        yield


def select_locale():
    """The user's saved choice, then this session's, then the default (French).

    The browser's Accept-Language is deliberately not used: the programme is
    French-first, and a phone set to English should not surprise a candidate.
    """
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return babel_locale(current_user.locale)
    chosen = session.get("locale")
    if chosen in languages:
        return babel_locale(chosen)
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction():
    return "rtl" if language() in RTL_LANGUAGES else "ltr"


def bdi(value):
    """A user-provided name inside a translated sentence, isolated (<bdi>) so that a Latin
    company name keeps its own direction in an Arabic sentence (and an Arabic name in a French
    one). For element content only: never inside an attribute or <title>."""
    return Markup("<bdi>%s</bdi>") % value


def _current_path():
    return request.full_path if request.query_string else request.path


def init_app(app):
    app.jinja_env.filters["date"] = lambda value, fmt="long": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = (
        lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["time"] = lambda value, fmt="short": format_time(value, fmt) if value else ""
    app.jinja_env.filters["bdi"] = bdi

    @app.context_processor
    def inject_language():
        return {
            "current_locale": language(),
            "format_locale": str(get_locale()),  # for Babel: ar_MA when the language is ar
            "text_direction": text_direction(),
            "languages": app.config["LANGUAGES"],
            "current_path": _current_path() if has_request_context() else "/",
        }
