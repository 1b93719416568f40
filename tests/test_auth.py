"""Log in, log out, rate limit, invitations, password reset, roles."""
import re
from datetime import timedelta

import pytest

from jobfair import mail
from jobfair.auth import services
from jobfair.extensions import db
from jobfair.models import Invitation, OutboxMessage, User, utcnow

from .conftest import csrf_token_from
from .factories import PASSWORD

ROLE_HOMES = {"organizer": "/organizer/", "company_rep": "/company/", "staff": "/staff/",
              "candidate": "/me/"}


@pytest.mark.parametrize("role", sorted(ROLE_HOMES))
def test_each_role_logs_in_and_lands_on_its_own_home(auth, client, make, role):
    extra = {"company": make.company()} if role == "company_rep" else {}
    user = make.candidate() if role == "candidate" else make.user(role=role, **extra)
    db.session.commit()
    response = auth.login(user.email)
    assert response.status_code == 303
    assert response.headers["Location"] == ROLE_HOMES[role]
    page = client.get(ROLE_HOMES[role])
    assert page.status_code == 200
    # Only this role's navigation is shown.
    for other_role, home in ROLE_HOMES.items():
        assert (f'href="{home}"' in page.text) == (other_role == role)


def test_email_is_case_insensitive_at_login(auth, organizer):
    db.session.commit()
    assert auth.login("  ORGA@Example.ma ").status_code == 303


def test_wrong_password_and_unknown_email_get_the_same_clear_message(auth, organizer):
    db.session.commit()
    wrong_password = auth.login(organizer.email, "not-the-password")
    unknown_email = auth.login("nobody@example.ma", "not-the-password")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert "Adresse e-mail ou mot de passe incorrect" in response.text or \
            "Wrong email address or password." in response.text
    # The message does not tell which one was wrong, and the email stays in the field.
    assert wrong_password.text.replace(organizer.email, "X") == unknown_email.text.replace(
        "nobody@example.ma", "X"
    ).replace(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', unknown_email.text).group(1),
              re.search(r'name="csrf_token"[^>]*value="([^"]+)"', wrong_password.text).group(1))
    assert 'value="nobody@example.ma"' in unknown_email.text


def test_login_is_rate_limited_after_repeated_failures(auth, organizer):
    db.session.commit()
    for _ in range(5):  # TestConfig: 5 per minute
        assert auth.login(organizer.email, "wrong-password-x").status_code == 200
    blocked = auth.login(organizer.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.text or "Too many attempts" in blocked.text


def test_successful_logins_do_not_count_towards_the_limit(auth, organizer):
    db.session.commit()
    for _ in range(7):
        assert auth.login(organizer.email).status_code == 303
        auth.logout()


def test_logout_ends_the_session_on_every_device(app, auth, organizer):
    db.session.commit()
    auth.login_as(organizer)
    other_device = app.test_client()
    AuthOther = type(auth)
    AuthOther(other_device).login_as(organizer)
    assert other_device.get("/organizer/").status_code == 200
    response = auth.logout()
    assert response.status_code == 303
    assert auth.client.get("/organizer/").status_code == 302
    assert other_device.get("/organizer/").status_code == 302


def test_logout_tells_the_browser_to_forget_the_kept_scanner_page_and_manifest(auth, organizer):
    db.session.commit()
    auth.login_as(organizer)
    response = auth.logout()
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_logout_needs_post(auth, client, organizer):
    db.session.commit()
    auth.login_as(organizer)
    assert client.get("/logout").status_code == 405
    assert client.get("/organizer/").status_code == 200


def test_anonymous_visitors_are_sent_to_login_and_back(auth, client, organizer):
    db.session.commit()
    response = client.get("/organizer/invitations")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    back = client.post(response.headers["Location"], data={
        "email": organizer.email, "password": PASSWORD,
        "csrf_token": csrf_token_from(client.get(response.headers["Location"])),
    })
    assert back.headers["Location"] == "/organizer/invitations"


def test_login_does_not_redirect_to_another_site(auth, client, organizer):
    db.session.commit()
    token = auth.csrf()
    response = client.post("/login?next=//evil.example/x", data={
        "email": organizer.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/organizer/"


def test_a_refused_page_says_access_denied(auth, client, candidate):
    # Who is refused where is the authorization matrix's; here, what the refusal says.
    db.session.commit()
    auth.login_as(candidate)
    response = client.get("/organizer/")
    assert response.status_code == 403
    assert "Accès refusé" in response.text or "Access denied" in response.text


# --- Invitations -------------------------------------------------------------


def _invite(make, role="staff", **kwargs):
    inviter = make.user(role="organizer")
    invitation, token = services.create_invitation("new.person@example.ma", role,
                                                    invited_by=inviter, **kwargs)
    db.session.commit()
    return invitation, token


def test_an_organizer_invites_someone_and_the_email_waits_in_the_outbox(auth, client, organizer):
    db.session.commit()
    auth.login_as(organizer)
    response = auth.post("/organizer/invitations", {
        "email": "Staff.New@example.ma", "role": "staff", "company_id": "0", "fair_id": "0"})
    assert response.status_code == 303
    invitation = db.session.query(Invitation).one()
    assert invitation.email == "staff.new@example.ma"
    message = db.session.query(OutboxMessage).one()
    assert message.recipient == "staff.new@example.ma"
    assert "/invitation/" in message.body_text
    assert "staff.new@example.ma" in client.get("/organizer/invitations").text


def test_inviting_an_existing_account_is_refused_next_to_the_field(auth, organizer, make):
    make.user(role="staff", email="already@example.ma")
    db.session.commit()
    auth.login_as(organizer)
    response = auth.post("/organizer/invitations", {
        "email": "already@example.ma", "role": "staff", "company_id": "0", "fair_id": "0"})
    assert response.status_code == 200
    assert 'value="already@example.ma"' in response.text
    assert 'id="email-error"' in response.text
    assert db.session.query(OutboxMessage).count() == 0


def test_a_representative_invitation_needs_a_company(auth, organizer):
    db.session.commit()
    auth.login_as(organizer)
    response = auth.post("/organizer/invitations", {
        "email": "rh@example.ma", "role": "company_rep", "company_id": "0", "fair_id": "0"})
    assert 'id="company_id-error"' in response.text
    assert db.session.query(Invitation).count() == 0


def test_accepting_an_invitation_creates_the_account_and_logs_in(client, make):
    company = make.company()
    _, token = _invite(make, role="company_rep", company=company)
    url = f"/invitation/{token}"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, data={
        "first_name": "Salma", "last_name": "Alaoui", "password": "un-long-mot-de-passe",
        "confirm": "un-long-mot-de-passe", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/company/"
    user = db.session.query(User).filter_by(email="new.person@example.ma").one()
    assert (user.role, user.company_id, user.first_name) == ("company_rep", company.id, "Salma")
    assert client.get("/company/").status_code == 200


def test_an_invitation_form_with_errors_keeps_what_was_typed(client, make):
    _, token = _invite(make)
    page = client.get(f"/invitation/{token}")
    response = client.post(f"/invitation/{token}", data={
        "first_name": "Omar", "last_name": "", "password": "short", "confirm": "other",
        "csrf_token": csrf_token_from(page)})
    assert response.status_code == 200
    assert 'value="Omar"' in response.text
    assert 'id="last_name-error"' in response.text and 'id="password-error"' in response.text
    assert db.session.query(User).filter_by(email="new.person@example.ma").count() == 0


def test_a_used_invitation_cannot_be_used_again(app, client, make):
    _, token = _invite(make)
    page = client.get(f"/invitation/{token}")
    data = {"first_name": "A", "last_name": "B", "password": "un-long-mot-de-passe",
            "confirm": "un-long-mot-de-passe", "csrf_token": csrf_token_from(page)}
    assert client.post(f"/invitation/{token}", data=data).status_code == 303
    again = app.test_client().get(f"/invitation/{token}")
    assert again.status_code == 410
    assert "déjà été utilisée" in again.text or "already been used" in again.text


def test_an_expired_invitation_says_so(client, make):
    invitation, token = _invite(make)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 410
    assert "expiré" in response.text or "expired" in response.text


def test_an_unknown_invitation_link_says_so(client):
    response = client.get("/invitation/not-a-real-token")
    assert response.status_code == 410


def test_invitation_tokens_are_stored_hashed(make):
    invitation, token = _invite(make)
    assert token not in invitation.token_hash
    assert len(token) >= 43  # 256 random bits


# --- Password reset ----------------------------------------------------------


def _reset_link(recipient):
    message = db.session.query(OutboxMessage).filter_by(recipient=recipient).one()
    return re.search(r"http://localhost(/password/reset/\S+)", message.body_text).group(1)


def test_password_reset_by_email(auth, client, organizer):
    db.session.commit()
    page = client.get("/password/forgot")
    response = client.post("/password/forgot", data={
        "email": organizer.email, "csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    link = _reset_link(organizer.email)
    form = client.get(link)
    assert form.status_code == 200
    done = client.post(link, data={"password": "a-brand-new-password", "confirm": "a-brand-new-password",
                                   "csrf_token": csrf_token_from(form)})
    assert done.status_code == 303
    assert auth.login(organizer.email, PASSWORD).status_code == 200  # old one refused
    assert auth.login(organizer.email, "a-brand-new-password").status_code == 303
    # The link worked once.
    assert client.get(link).status_code == 410


def test_password_reset_does_not_reveal_whether_an_account_exists(client, organizer):
    db.session.commit()
    answers = []
    for email in (organizer.email, "nobody@example.ma"):
        page = client.get("/password/forgot")
        response = client.post("/password/forgot", data={
            "email": email, "csrf_token": csrf_token_from(page)}, follow_redirects=True)
        answers.append(response.text.split('<main')[1].split("</main>")[0])
    assert answers[0] == answers[1]
    assert db.session.query(OutboxMessage).count() == 1


def test_changing_the_password_ends_other_sessions(app, auth, organizer):
    db.session.commit()
    auth.login_as(organizer)
    services.set_password(db.session.get(User, organizer.id), "another-long-password")
    db.session.commit()
    assert auth.client.get("/organizer/").status_code == 302


def test_reset_links_use_the_configured_base_url_not_the_host_header(client, organizer):
    db.session.commit()
    page = client.get("/password/forgot", base_url="http://evil.example")
    response = client.post("/password/forgot", base_url="http://evil.example",
                           data={"email": organizer.email, "csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    assert _reset_link(organizer.email).startswith("/password/reset/")
    assert "evil.example" not in db.session.query(OutboxMessage).one().body_text


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters_in_production():
    """The suite hashes cheaply (TestConfig); every other config uses OWASP's argon2id."""
    from jobfair import create_app
    from jobfair.auth.passwords import hash_password, needs_rehash, verify_password
    from jobfair.config import DevelopmentConfig

    production = "$argon2id$v=19$m=19456,t=2,p=1$"
    assert hash_password("s3cret-phrase").startswith(production)  # no app: production
    with create_app(DevelopmentConfig).app_context():
        stored = hash_password("s3cret-phrase")
        assert stored.startswith(production)
        assert verify_password(stored, "s3cret-phrase")
        assert not verify_password(stored, "wrong") and not verify_password(None, "x")
        assert not needs_rehash(stored)


def test_the_suite_hashes_cheaply_and_a_cheap_hash_is_rehashed_in_production(make):
    user = make.user()
    assert user.password_hash.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    from jobfair import create_app
    from jobfair.auth.passwords import needs_rehash
    from jobfair.config import DevelopmentConfig

    with create_app(DevelopmentConfig).app_context():
        assert needs_rehash(user.password_hash)


def test_mail_module_builds_links_from_base_url(app):
    assert mail.absolute_url("auth.login") == "http://localhost/login"


def test_a_language_chosen_before_login_is_kept_and_remembered(app, auth, client, organizer):
    auth.use_language("en")
    auth.login_as(organizer)
    assert 'lang="en"' in client.get("/organizer/").text
    assert db.session.get(User, organizer.id).locale == "en"
    # Another device, no choice made there: the account's language applies.
    other = type(auth)(app.test_client())
    other.login_as(organizer)
    assert 'lang="en"' in other.client.get("/organizer/").text


def test_the_accounts_language_wins_over_the_sessions(auth, client, make):
    user = make.user(role="organizer", locale="fr")
    auth.use_language("en")
    auth.login_as(user)
    assert 'lang="fr"' in client.get("/organizer/").text
