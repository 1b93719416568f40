"""Security headers on every page of every role, HSTS only over HTTPS, cookie flags, sessions
that end everywhere, and rate limits on the endpoints that take secrets.

(tests/test_csrf_and_errors.py checks the headers of the login page and the session cookie in
tests; tests/test_auth.py the login limit and a second device after logout.)
"""
import json
import os
import re
import subprocess
import sys

import pytest

from jobfair.config import PROJECT_ROOT
from jobfair.extensions import db
from jobfair.models import OutboxMessage

from ..conftest import AuthActions
from ..factories import PASSWORD
from . import hostile_world
from .hostile_world import client_for, role_of, script_problems

SKIPPED_ENDPOINTS = {"static", "main.vendor"}


def _directives(policy):
    parts = (p.strip().split() for p in policy.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def _every_page(app, world):
    """(role, url, response) for every GET page, as each role that may see it."""
    variants = (world.ids, {**world.ids, **world.live_ids}, {**world.ids, **world.past_ids},
                {**world.ids, "token": world.badge_token},
                {**world.ids, "token": world.invitation_token})
    for role in (None, *hostile_world.ROLES):
        auth = client_for(app, world, role)
        seen = set()
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS \
                    or role_of(app, rule.endpoint) not in (role, None):
                continue
            for values in variants:
                url = rule.build({a: values[a] for a in rule.arguments})[1]
                if url not in seen:
                    seen.add(url)
                    yield role, url, auth.client.get(url)


def test_every_page_of_every_role_has_the_headers_and_runs_no_inline_script(app, make):
    world = hostile_world.build(make)
    pages = kinds = 0
    for role, url, response in _every_page(app, world):
        label = f"{role or 'anonymous'} GET {url}"
        headers = response.headers
        assert response.status_code < 500, label
        # Files (CVs, PDFs, exports, calendars) too: the browser must not guess their type.
        assert headers.get("X-Content-Type-Options") == "nosniff", label
        assert headers.get("X-Frame-Options") == "DENY", label
        assert headers.get("Referrer-Policy") in ("same-origin", "strict-origin-when-cross-origin",
                                                  "no-referrer"), label
        assert "Strict-Transport-Security" not in headers, f"{label}: HSTS over plain HTTP"
        policy = _directives(headers.get("Content-Security-Policy", ""))
        scripts = policy.get("script-src", policy.get("default-src"))
        assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, label
        assert policy.get("frame-ancestors") == ["'none'"], label
        assert policy.get("object-src") == ["'none'"] and policy.get("base-uri") == ["'self'"], label
        kinds += 1
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        assert not script_problems(html), f"{label}: {script_problems(html)}"
        # Every script is the app's own file (CSP 'self'), and htmx is set up for that CSP:
        # no eval, no indicator styles injected as inline <style>.
        for source in re.findall(r'<script[^>]*\bsrc="([^"]+)"', html):
            assert source.startswith("/") and not source.startswith("//"), f"{label}: {source}"
        if 'src="/vendor/htmx' in html:
            config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html)
            assert config, f"{label}: htmx without its CSP configuration"
            config = json.loads(config.group(1))
            assert config["allowEval"] is False and config["includeIndicatorStyles"] is False
        pages += 1
    assert pages > 60 and kinds > pages, (pages, kinds)


def test_hsts_only_when_served_over_https(client):
    over_https = client.get("/login", base_url="https://jobfair.example")
    hsts = over_https.headers.get("Strict-Transport-Security", "")
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600
    assert "Strict-Transport-Security" not in client.get("/login").headers
    # The app trusts no proxy header: a client cannot claim HTTPS it does not have.
    forged = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers


def test_production_cookies_are_secure_httponly_and_samesite():
    """The production configuration, read in a clean process (settings are read at import)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("JOBFAIR_ENV", "SESSION_COOKIE_SECURE")}
    code = ("import json; from jobfair.config import Config as C; print(json.dumps([C.ENV_NAME, "
            "C.SESSION_COOKIE_SECURE, C.SESSION_COOKIE_HTTPONLY, C.SESSION_COOKIE_SAMESITE, "
            "C.REMEMBER_COOKIE_SECURE, C.REMEMBER_COOKIE_HTTPONLY, C.REMEMBER_COOKIE_SAMESITE]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    assert json.loads(out) == ["production", True, True, "Lax", True, True, "Lax"]


def test_cookies_carry_their_flags_when_secure_is_on(app, client, organizer):
    db.session.commit()
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    try:
        token = csrf_over_https(client)
        # Over HTTPS, Flask-WTF also wants a same-site Referer.
        response = client.post("/login", base_url="https://localhost",
                               headers={"Referer": "https://localhost/login"}, data={
            "email": organizer.email, "password": PASSWORD, "remember": "y", "csrf_token": token})
        assert response.status_code == 303
        cookies = response.headers.getlist("Set-Cookie")
        assert len(cookies) == 2, cookies  # the session and the remember-me cookie
        for cookie in cookies:
            flags = {f.strip().split("=")[0].lower() for f in cookie.split(";")[1:]}
            assert {"secure", "httponly", "samesite"} <= flags, cookie
            assert "samesite=lax" in cookie.lower()
    finally:
        app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)


def csrf_over_https(client):
    page = client.get("/login", base_url="https://localhost")
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


# --- Sessions end everywhere --------------------------------------------------------------


def _cookies(client):
    found = {name: client.get_cookie(name) for name in ("session", "remember_token")}
    return {name: cookie.value for name, cookie in found.items() if cookie is not None}


def _replay(app, cookies):
    """A fresh browser holding copies of another's cookies."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def test_a_copied_session_and_remember_cookie_stop_working_after_logout(app, auth, client,
                                                                        organizer):
    db.session.commit()
    response = client.post("/login", data={"email": organizer.email, "password": PASSWORD,
                                           "remember": "y", "csrf_token": auth.csrf()})
    assert response.status_code == 303
    copied = _cookies(client)
    assert "remember_token" in copied
    assert _replay(app, copied).get("/organizer/").status_code == 200
    auth.logout()
    assert _replay(app, copied).get("/organizer/").status_code == 302
    only_remember = {"remember_token": copied["remember_token"]}
    assert _replay(app, only_remember).get("/organizer/").status_code == 302


def test_a_new_password_by_reset_link_logs_every_device_out(app, auth, client, organizer):
    db.session.commit()
    laptop = AuthActions(app.test_client())
    laptop.login_as(organizer)
    copied = _cookies(laptop.client)
    client.post("/password/forgot", data={"email": organizer.email, "csrf_token": auth.csrf()})
    body = db.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).first().body_text
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+)", body).group(1)
    response = auth.post(link, {"password": "a-brand-new-passphrase",
                                "confirm": "a-brand-new-passphrase"})
    assert response.status_code == 303
    assert laptop.client.get("/organizer/").status_code == 302
    assert _replay(app, copied).get("/organizer/").status_code == 302
    assert auth.login(organizer.email, "a-brand-new-passphrase").status_code == 303


# --- Rate limits on the endpoints that take secrets ------------------------------------------


def _invitation_url(make):
    from jobfair.auth import services

    _invitation, token = services.create_invitation("new.staff@example.ma", "staff")
    db.session.commit()
    return f"/invitation/{token}"


def _reset_url(make):
    from jobfair.auth import services

    user = make.user(email="reset.me@example.ma")
    services.request_password_reset(user.email)
    db.session.commit()
    body = db.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).first().body_text
    return re.search(r"(/password/reset/\S+)", body).group(1)


@pytest.mark.parametrize("name, url_of, limit, data", [
    ("invitation", _invitation_url, 20, {"first_name": "", "last_name": "", "password": "x"}),
    ("forgotten password", lambda make: "/password/forgot", 10, {"email": "nobody@example.ma"}),
    ("password reset", _reset_url, 10, {"password": "short", "confirm": "other"}),
])
def test_secret_taking_endpoints_are_rate_limited(auth, make, name, url_of, limit, data):
    url = url_of(make)
    token = auth.csrf(url)
    answers = [auth.client.post(url, data={**data, "csrf_token": token}).status_code
               for _ in range(limit)]
    assert 429 not in answers, f"{name}: limited before {limit} attempts"
    blocked = auth.client.post(url, data={**data, "csrf_token": token})
    assert blocked.status_code == 429, name
    assert "Too many attempts" in blocked.text or "Trop de tentatives" in blocked.text


def test_behind_a_trusted_proxy_the_client_address_and_https_are_seen(app):
    """TRUSTED_PROXIES=1: the proxy's X-Forwarded-* headers are believed, one hop only."""
    from jobfair import create_app
    from jobfair.config import TestConfig

    class BehindProxy(TestConfig):
        TRUSTED_PROXIES = 1

    proxied = create_app(BehindProxy)
    seen = {}

    @proxied.get("/_test/remote")
    def remote():
        from flask import request
        seen["addr"] = request.remote_addr
        return "ok"

    client = proxied.test_client()
    answer = client.get("/_test/remote", headers={
        "X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"})
    # Only the last hop (what our proxy saw) counts: the client cannot forge the first.
    assert seen["addr"] == "203.0.113.9"
    assert "Strict-Transport-Security" in answer.headers
    assert "Strict-Transport-Security" not in client.get(
        "/_test/remote", headers={"X-Forwarded-Proto": "http"}).headers
