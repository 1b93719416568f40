"""CSRF on every state change, htmx included; error pages in the user's language."""
from sqlalchemy import text

from jobfair import create_app
from jobfair.config import TestConfig
from jobfair.extensions import db
from jobfair.models import Invitation

from .conftest import csrf_token_from

INVITE = {"email": "x@example.ma", "role": "staff", "company_id": "0", "fair_id": "0"}


def test_a_post_without_the_token_is_refused(auth, client, organizer):
    auth.login_as(organizer)
    response = client.post("/organizer/invitations", data=INVITE)
    assert response.status_code == 400
    assert "Reload the page" in response.text or "Rechargez la page" in response.text
    assert db.session.query(Invitation).count() == 0


def test_a_post_with_a_wrong_token_is_refused(auth, client, organizer):
    auth.login_as(organizer)
    response = client.post("/organizer/invitations", data={**INVITE, "csrf_token": "forged"})
    assert response.status_code == 400


def test_an_htmx_post_with_the_token_in_the_header_succeeds(auth, client, organizer):
    auth.login_as(organizer)
    page = client.get("/organizer/invitations")
    token = csrf_token_from(page)
    # The layout gives htmx the token for every request it makes.
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page.text
    response = client.post("/organizer/invitations", data=INVITE,
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 303
    assert db.session.query(Invitation).count() == 1


def test_the_token_does_not_expire_while_the_session_lasts(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_login_and_logout_need_the_token(auth, client, organizer):
    assert client.post("/login", data={"email": organizer.email, "password": "x"}).status_code == 400
    auth.login_as(organizer)
    assert client.post("/logout").status_code == 400
    assert client.get("/organizer/").status_code == 200


def test_language_switch_needs_the_token(client):
    assert client.post("/language", data={"locale": "en"}).status_code == 400


def test_404_page_is_in_french_by_default_and_english_after_switching(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert 'lang="fr"' in response.text
    token = csrf_token_from(client.get("/login"))
    client.post("/language", data={"locale": "en", "csrf_token": token, "next": "/login"})
    response = client.get("/no-such-page")
    assert 'lang="en"' in response.text and "Page not found" in response.text


def test_413_when_an_upload_is_too_large(app, client):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data=big, content_type="application/octet-stream")
    assert response.status_code == 413


def test_500_page_is_friendly(app):
    other = create_app(TestConfig)
    other.config["PROPAGATE_EXCEPTIONS"] = False

    @other.route("/_boom_for_test")
    def boom():
        db.session.execute(text("SELECT 1"))
        raise RuntimeError("boom")

    response = other.test_client().get("/_boom_for_test")
    assert response.status_code == 500
    assert "<h1>" in response.text and "Traceback" not in response.text


def test_security_headers_are_set(client):
    response = client.get("/login")
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(auth, client, organizer):
    response = auth.login(organizer.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_in_the_layout(client):
    page = client.get("/login").text
    assert "<script>" not in page and "onclick" not in page.lower()
