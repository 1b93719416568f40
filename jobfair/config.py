"""Configuration read from the environment; ``TestConfig`` for the test suite."""
import os
import secrets
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url):
    """Let people write postgres:// or postgresql:// and still get psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    # "production" unless told otherwise: a forgotten variable must fail safe.
    ENV_NAME = os.environ.get("JOBFAIR_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL", ""))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions and CSRF. The token lives as long as the session: a scanner page
    # left open all day must still post.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", ENV_NAME == "production")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024

    # Language and time.
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Africa/Casablanca"
    LANGUAGES = {"fr": "Français", "en": "English", "ar": "العربية"}
    # How Babel formats numbers, dates and times for a language, where the bare language is
    # not what Morocco reads: Arabic as written in Morocco (ar_MA: Western digits, the
    # Moroccan month names). The catalogue stays translations/ar.
    FORMAT_LOCALES = {"ar": "ar_MA"}

    # Rate limits (Flask-Limiter). memory:// is per process; give a redis:// URL
    # when more than one server process runs.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")

    # Accounts.
    INVITATION_MAX_AGE_DAYS = 7
    PASSWORD_RESET_MAX_AGE = 3600  # seconds

    # Mail: "smtp" in production, "console" prints, "memory" keeps (tests).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "jobfair <no-reply@jobfair.local>")
    MAIL_MAX_ATTEMPTS = 8
    # Absolute links in emails (no request exists in the send-mail worker).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Behind a reverse proxy or load balancer: how many proxies in front of the app set
    # X-Forwarded-For/-Proto/-Host. 0 (default) trusts none of these headers, so a client
    # cannot forge its address or scheme; with 1, rate limits and the audit log see the
    # client's address and HSTS is sent when the proxy received HTTPS.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # Front-end packages installed from the npm registry by the set-up command.
    NODE_MODULES = Path(os.environ.get("NODE_MODULES", PROJECT_ROOT / "node_modules"))


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    # A database of its own: TEST_DATABASE_URL, never DATABASE_URL, so that the
    # suite cannot wipe a real database by accident.
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL")
        or "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="jobfair-test-"), "test.db")
    )
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "5 per minute"
    BASE_URL = "http://localhost"
    # Cheap argon2id for the suite's hundreds of logins; test_passwords checks production's.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 64


CONFIGS = {"production": Config, "development": DevelopmentConfig, "test": TestConfig}


def dev_secret_key(instance_path):
    """A development key kept under instance/, so sessions survive a restart."""
    path = Path(instance_path) / "dev-secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()
