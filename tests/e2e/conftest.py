"""Browser-test fixtures: a live gunicorn server on a database of its own, Debian's
chromium driven by Playwright, an accessibility check (axe-core) and screenshots.

These fixtures never touch the `app` fixture of tests/conftest.py: the server runs
in separate processes, exactly as in production (gunicorn, two workers).
"""
import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Assertions wait up to 10 s (as actions do): a CI machine running the PostgreSQL suite can take
# longer than Playwright's default 5 s to answer a form; a wrong page still fails.
expect.set_options(timeout=10_000)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # flask and gunicorn of the venv running pytest
CHROMIUM = "/usr/bin/chromium"
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
TRANSLATIONS = PROJECT_ROOT / "jobfair" / "translations"
SCREENSHOTS = PROJECT_ROOT / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}

DEMO_PASSWORD = "jobfair-demo"

SERVER_START_TIMEOUT = 30  # seconds for /healthz to answer 200
# base URL → the SECRET_KEY its server signs with (e.g. to build a follow-up link as an email would)
SERVER_SECRET_KEYS = {}
# database URL → its server's environment (the mail worker runs with it: same BASE_URL)
SERVER_ENVIRONMENTS = {}
COMMAND_TIMEOUT = 180  # seconds for `flask db upgrade` / `flask jobfair demo`


# --------------------------------------------------------------------------- database


def _postgres_url(raw):
    """The SQLAlchemy URL of TEST_DATABASE_URL when it names a PostgreSQL database."""
    if not raw:
        return None
    from sqlalchemy.engine import make_url

    from jobfair.config import normalise_database_url

    url = make_url(normalise_database_url(raw))
    if not url.drivername.startswith("postgresql") or not url.database:
        return None
    return url


def _admin_connection(url):
    import psycopg

    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname="postgres",
        autocommit=True,
    )


def _drop_database(url, name):
    from psycopg import sql

    with _admin_connection(url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextlib.contextmanager
def _fresh_database(tmp_path_factory, suffix):
    """TEST_DATABASE_URL's server with a fresh <name>_<suffix> database, else a SQLite file."""
    base = _postgres_url(os.environ.get("TEST_DATABASE_URL"))
    if base is None:
        directory = tmp_path_factory.mktemp(f"{suffix}-db")
        yield "sqlite:///" + str(directory / f"{suffix}.db")
        return

    from psycopg import sql

    name = f"{base.database}_{suffix}"
    try:
        _drop_database(base, name)
        with _admin_connection(base) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except Exception as error:  # noqa: BLE001 - shown to the developer as is
        pytest.fail(f"Cannot create the PostgreSQL database {name!r} for the browser tests: {error}")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(base, name)


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory):
    with _fresh_database(tmp_path_factory, "e2e") as url:
        yield url


# --------------------------------------------------------------------------- live server


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _check_catalogues():
    """Every .po needs its .mo, or the pages silently come out in English."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        if not po.with_suffix(".mo").exists():
            pytest.fail(
                f"{po.relative_to(PROJECT_ROOT)} is not compiled: run `make translations` "
                f"(or `{BIN / 'pybabel'} compile --use-fuzzy -d jobfair/translations`)."
            )


def _run(command, env):
    try:
        result = subprocess.run(
            command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
            timeout=COMMAND_TIMEOUT,
        )
    except FileNotFoundError:
        pytest.fail(f"{command[0]} not found: install requirements-dev.txt in the venv running pytest.")
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


@contextlib.contextmanager
def _served(database_url, tmp_path_factory, seed, label, **extra_env):
    """Migrate ``database_url``, run the ``seed`` flask command, serve it with gunicorn
    (2 workers) on a free port; yields the base URL and stops the server afterwards."""
    _check_catalogues()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        JOBFAIR_ENV="development",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        MAIL_BACKEND="console",
        FLASK_APP="app",
        PYTHONUNBUFFERED="1",
        BASE_URL=base_url,  # links in emails point at this server
        # CVs and pending imports of this server stay out of the developer's instance/.
        JOBFAIR_INSTANCE_PATH=str(tmp_path_factory.mktemp("e2e-instance")),
        **extra_env,
    )
    SERVER_SECRET_KEYS[base_url] = env["SECRET_KEY"]
    SERVER_ENVIRONMENTS[database_url] = env
    started = time.monotonic()
    _run([str(BIN / "flask"), "db", "upgrade"], env)
    _run([str(BIN / "flask"), "jobfair", *seed], env)

    logs = tmp_path_factory.mktemp("e2e-server")
    stdout_path, stderr_path = logs / "gunicorn.out", logs / "gunicorn.err"
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:app"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err,
        )

    def server_output():
        return stderr_path.read_text(errors="replace")[-5000:]

    deadline = time.monotonic() + SERVER_START_TIMEOUT
    try:
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited with code {server.returncode}:\n{server_output()}")
            try:
                with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"gunicorn did not answer 200 on /healthz within {SERVER_START_TIMEOUT} s:\n"
                    f"{server_output()}"
                )
            time.sleep(0.2)
        from sqlalchemy.engine import make_url

        database = make_url(database_url).render_as_string(hide_password=True)
        sys.stderr.write(
            f"\n[e2e] {database} migrated, {label} and gunicorn ready at {base_url} "
            f"in {time.monotonic() - started:.1f} s\n"
        )
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def live_server(e2e_database_url, tmp_path_factory):
    """gunicorn (2 workers) serving the demo data; yields the base URL."""
    with _served(e2e_database_url, tmp_path_factory, ["demo"], "demo loaded") as base_url:
        yield base_url


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
            "Install it with `sudo apt-get install chromium` (or `make chromium`)."
        )
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (or `make setup`) to install axe-core.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


AXE_RUN = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    // axe leaves an empty style="" on the elements it measured; htmx's settle copies it onto
    // the swapped-in elements, which the CSP (style-src 'self') then reports: the page's own
    // markup has none, so take axe's traces away.
    document.querySelectorAll('[style=""]').forEach(e => e.removeAttribute("style"));
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
    }));
}"""

SCRIPT_TAG = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)


# axe-core is loaded from the page's own origin at this path, answered by the test (page.route)
# and never by the app: the pages keep their real Content-Security-Policy (script-src 'self'),
# which an inline copy of axe would break.
AXE_PATH = "/__e2e__/axe.min.js"


def run_axe(page, javascript=True):
    """axe-core on the current document; returns the list of violations."""
    if not javascript:
        return _run_axe_on_copy(page)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        origin = re.match(r"^https?://[^/]+", page.url).group(0)
        page.route(origin + AXE_PATH, lambda route: route.fulfill(
            status=200, content_type="text/javascript", path=str(AXE_JS)))
        page.add_script_tag(url=origin + AXE_PATH)
    return page.evaluate(AXE_RUN, AXE_TAGS)


def _run_axe_on_copy(page):
    """axe needs JavaScript (its timers never fire in a page without it): audit the very
    document the JavaScript-less page shows, served again at the same URL to a
    JavaScript-enabled tab of the same size, without its <script> elements."""
    html = SCRIPT_TAG.sub("", page.content())
    target = page.url
    context = page.context.browser.new_context(
        viewport=page.viewport_size, java_script_enabled=True
    )
    try:
        audit = context.new_page()
        audit.route(
            lambda url: url == target,
            lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
        )
        audit.goto(target)
        return run_axe(audit)
    finally:
        context.close()


def format_violations(violations):
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {node['target']}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


class Browsing:
    """One browser tab of one test: navigation helpers, screenshots, axe after each page."""

    def __init__(self, page, base_url, name, device, javascript=True):
        self.page = page
        self.javascript = javascript
        self.base_url = base_url
        self.name = name
        self.device = device
        self.minor = []
        # What the page's Content-Security-Policy refused (the browser reports it on the console).
        self.csp_violations = []
        page.on("console", self._console)

    def _console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def url(self, path):
        return self.base_url + path

    def goto(self, path):
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, f"GET {path} answered {response and response.status}"
        return response

    def screenshot(self, step):
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{self.name}--{step}--{self.device}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def check(self, step):
        """Screenshot, then fail on anything the CSP refused or a serious/critical axe finding."""
        self.screenshot(step)
        if self.csp_violations:
            refused, self.csp_violations = self.csp_violations, []
            pytest.fail(f"Content-Security-Policy refused something on {self.page.url} "
                        f"({self.name}, {step}):\n" + "\n".join(refused))
        violations = run_axe(self.page, self.javascript)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        self.minor.extend((step, v["id"], v["impact"]) for v in violations if v not in blocking)
        if blocking:
            pytest.fail(
                f"axe: {len(blocking)} serious/critical violation(s) on {self.page.url} "
                f"({self.name}, {step}, {self.device}):\n{format_violations(blocking)}"
            )


@pytest.fixture
def open_page(browser, live_server, request):
    """``open_page(device="desktop"|"phone", javascript=True)`` → a Browsing in a fresh context."""
    contexts = []
    tabs = []
    test_name = request.node.name.replace("[", "-").replace("]", "").replace("/", "_")
    test_name = test_name.removeprefix("test_")

    def factory(device="desktop", javascript=True, suffix=""):
        context = browser.new_context(
            base_url=live_server,
            viewport=PHONE if device == "phone" else DESKTOP,
            java_script_enabled=javascript,
            # An English browser: the app must still answer in French, its default
            # (it deliberately ignores Accept-Language).
            locale="en-US",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        name = test_name + (f"-{suffix}" if suffix else "")
        tab = Browsing(page, live_server, name, device, javascript)
        tabs.append(tab)
        return tab

    yield factory
    for tab in tabs:
        if tab.minor:
            sys.stderr.write(
                f"\n[axe] minor/moderate on {tab.name} ({tab.device}): {json.dumps(tab.minor)}\n"
            )
    for context in contexts:
        context.close()


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots():
    """Screenshots of this run only (the folder is git-ignored): name--step--device.png."""
    if SCREENSHOTS.is_dir():
        for png in SCREENSHOTS.glob("*--*--*.png"):
            png.unlink()
    yield



# --------------------------------------------------------------------------- an empty database
#
# A second server, started exactly like `live_server` but on a database of its own with
# no demo data: only the first organizer, made with `flask jobfair create-admin`. Journeys
# that set a fair up from nothing (tests/e2e/test_fair_setup.py) run against it.

EMPTY_ADMIN_EMAIL = "admin@example.ma"
EMPTY_ADMIN_PASSWORD = "e2e-admin-password"


@pytest.fixture(scope="session")
def e2e_empty_database_url(tmp_path_factory):
    """Like ``e2e_database_url``, but <name>_e2e_empty (PostgreSQL) or another SQLite file."""
    with _fresh_database(tmp_path_factory, "e2e_empty") as url:
        yield url


class Database:
    """Read-only peeks into a live server's database (e.g. the outbox), as a test would
    read a mailbox. One engine per server, disposed at the end of the session."""

    def __init__(self, url):
        from sqlalchemy import create_engine

        self.url = url
        self.engine = create_engine(url)

    def rows(self, query, **params):
        from sqlalchemy import text

        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(query), params)]

    def deliver(self):
        """Run the mail worker (``flask jobfair send-mail``) on this server's database, as its
        timer would: booking emails are rendered there, not in the request."""
        _run([str(BIN / "flask"), "jobfair", "send-mail"], SERVER_ENVIRONMENTS[self.url])

    def outbox(self, recipient):
        """The emails queued for ``recipient``, oldest first (subject, body_text, status)."""
        return self.rows(
            "SELECT subject, body_text, status FROM outbox_messages "
            "WHERE lower(recipient) = lower(:recipient) ORDER BY id",
            recipient=recipient,
        )

    def close(self):
        self.engine.dispose()


@pytest.fixture(scope="session")
def demo_database(e2e_database_url, live_server):
    """The demo server's database, to check what a journey left in it."""
    database = Database(e2e_database_url)
    yield database
    database.close()


@dataclass
class EmptyServer:
    base_url: str
    database_url: str
    database: "Database"
    admin_email: str = EMPTY_ADMIN_EMAIL
    admin_password: str = EMPTY_ADMIN_PASSWORD


@pytest.fixture(scope="session")
def empty_server(e2e_empty_database_url, tmp_path_factory):
    """gunicorn (2 workers) on an empty, migrated database with one organizer account.

    Yields an EmptyServer: its base URL, its database URL and a ``Database`` to read
    the outbox (invitation links) from.
    """
    seed = ["create-admin", "--email", EMPTY_ADMIN_EMAIL, "--password", EMPTY_ADMIN_PASSWORD]
    with _served(e2e_empty_database_url, tmp_path_factory, seed, "organizer created") as base_url:
        database = Database(e2e_empty_database_url)
        try:
            yield EmptyServer(base_url, e2e_empty_database_url, database)
        finally:
            database.close()  # before the database is dropped


@pytest.fixture
def open_empty_page(browser, empty_server, request):
    """``open_page`` for the empty-database server: ``open_empty_page(device, javascript, suffix)``."""
    contexts = []
    tabs = []
    test_name = request.node.name.replace("[", "-").replace("]", "").replace("/", "_")
    test_name = test_name.removeprefix("test_")

    def factory(device="desktop", javascript=True, suffix=""):
        context = browser.new_context(
            base_url=empty_server.base_url,
            viewport=PHONE if device == "phone" else DESKTOP,
            java_script_enabled=javascript,
            locale="en-US",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        name = test_name + (f"-{suffix}" if suffix else "")
        tab = Browsing(context.new_page(), empty_server.base_url, name, device, javascript)
        tabs.append(tab)
        return tab

    yield factory
    for tab in tabs:
        if tab.minor:
            sys.stderr.write(
                f"\n[axe] minor/moderate on {tab.name} ({tab.device}): {json.dumps(tab.minor)}\n"
            )
    for context in contexts:
        context.close()


# --------------------------------------------------------------------------- the fair's day
#
# A third server, started like `live_server` on a demo database of its own, whose demo fair
# is set LIVE before any test uses it. The fair-day journeys (tests/e2e/test_fair_day.py:
# badges, the staff scanner, booth scans, the live dashboard) run against it, so their
# check-ins, badges and leads never show on the shared demo server.


@pytest.fixture(scope="session")
def e2e_day_database_url(tmp_path_factory):
    """Like ``e2e_database_url``, but <name>_e2e_day (PostgreSQL) or another SQLite file."""
    with _fresh_database(tmp_path_factory, "e2e_day") as url:
        yield url


DAY_FAIR_SLUG = "jobintech-casablanca-2026"  # the demo's upcoming fair (jobfair/demo.py)


@dataclass
class DayServer:
    base_url: str
    database_url: str
    database: "Database"
    fair_id: int


@pytest.fixture(scope="session")
def day_server(e2e_day_database_url, tmp_path_factory):
    """gunicorn (2 workers) serving the demo data with the demo fair live; yields a DayServer."""
    from sqlalchemy import text

    with _served(e2e_day_database_url, tmp_path_factory, ["demo"],
                 "demo loaded (its fair goes live)") as base_url:
        database = Database(e2e_day_database_url)
        try:
            # Every request reads the fair's status afresh: going live here, before the
            # first test's first request, is the same as before gunicorn started.
            with database.engine.begin() as connection:
                connection.execute(text("UPDATE fairs SET status = 'live' WHERE slug = :slug"),
                                   {"slug": DAY_FAIR_SLUG})
            (fair,) = database.rows("SELECT id FROM fairs WHERE slug = :slug", slug=DAY_FAIR_SLUG)
            yield DayServer(base_url, e2e_day_database_url, database, fair["id"])
        finally:
            database.close()  # before the database is dropped


@pytest.fixture
def open_day_page(browser, day_server, request):
    """``open_page`` for the fair-day server: ``open_day_page(device, javascript, suffix,
    using=None)``; ``using`` is another Browser (e.g. a chromium with a fake camera)."""
    contexts = []
    tabs = []
    test_name = request.node.name.replace("[", "-").replace("]", "").replace("/", "_")
    test_name = test_name.removeprefix("test_")

    def factory(device="desktop", javascript=True, suffix="", using=None):
        context = (using or browser).new_context(
            base_url=day_server.base_url,
            viewport=PHONE if device == "phone" else DESKTOP,
            java_script_enabled=javascript,
            locale="en-US",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        name = test_name + (f"-{suffix}" if suffix else "")
        tab = Browsing(context.new_page(), day_server.base_url, name, device, javascript)
        tabs.append(tab)
        return tab

    yield factory
    for tab in tabs:
        if tab.minor:
            sys.stderr.write(
                f"\n[axe] minor/moderate on {tab.name} ({tab.device}): {json.dumps(tab.minor)}\n"
            )
    for context in contexts:
        with contextlib.suppress(Exception):  # its browser may be closed already
            context.close()
