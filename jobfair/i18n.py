"""Language and time: French first, English too, times in Africa/Casablanca."""
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_login import current_user


def select_locale():
    """The user's saved choice, then this session's, then the default (French).

    The browser's Accept-Language is deliberately not used: the programme is
    French-first, and a phone set to English should not surprise a candidate.
    """
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction():
    return "rtl" if str(get_locale()).split("_")[0] in {"ar", "he", "fa"} else "ltr"


def _current_path():
    return request.full_path if request.query_string else request.path


def init_app(app):
    app.jinja_env.filters["date"] = lambda value, fmt="long": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = (
        lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["time"] = lambda value, fmt="short": format_time(value, fmt) if value else ""

    @app.context_processor
    def inject_language():
        return {
            "current_locale": str(get_locale()),
            "text_direction": text_direction(),
            "languages": app.config["LANGUAGES"],
            "current_path": _current_path() if has_request_context() else "/",
        }
