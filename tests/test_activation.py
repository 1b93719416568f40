"""An imported candidate activates the account through the invitation link, then logs in."""
import re

import pytest
from flask import url_for
from flask_babel import force_locale
from sqlalchemy import func, select

from jobfair.auth import services as auth_services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.imports import services
from jobfair.models import Invitation, OutboxMessage, User

from .conftest import csrf_token_from

PASSWORD = "un-long-mot-de-passe"


@pytest.fixture
def imported(app, make, organizer):
    """Two candidates imported from a list, as the organizer's confirmation does it."""
    make.cohort(name="Java/JEE — Casablanca 2026")
    data = ("prénom;nom;email;téléphone;promotion\r\n"
            "Salma;Alaoui;salma@example.ma;0612345678;Java/JEE — Casablanca 2026\r\n"
            "Omar;Benali;omar@example.ma;;Java/JEE — Casablanca 2026\r\n").encode()
    with app.test_request_context():
        plan = services.plan_import(data)
        services.apply_import(plan, organizer, "liste.csv")
    db.session.commit()
    return {u.email: u for u in db.session.scalars(select(User).where(User.role == "candidate"))}


def link_for(email):
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)
                                 .order_by(OutboxMessage.id.desc())).first()
    match = re.search(r"http://localhost(/invitation/[A-Za-z0-9_-]+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def activate(client, url, first="Salma", last="Alaoui", password=PASSWORD):
    page = client.get(url)
    return client.post(url, data={"first_name": first, "last_name": last, "password": password,
                                  "confirm": password, "csrf_token": csrf_token_from(page)})


def test_the_invitation_email_is_french_by_default_and_names_the_cohort(imported):
    message = db.session.scalars(select(OutboxMessage)
                                 .where(OutboxMessage.recipient == "salma@example.ma")).one()
    assert "Java/JEE — Casablanca 2026" in message.body_text
    assert "salma@example.ma" in message.body_text
    invitation = db.session.scalars(select(Invitation)
                                    .where(Invitation.email == "salma@example.ma")).one()
    assert invitation.user_id == imported["salma@example.ma"].id and invitation.used_at is None


def test_an_imported_account_cannot_log_in_before_activation(auth, imported):
    response = auth.login("salma@example.ma", "")
    assert response.status_code == 200
    response = auth.login("salma@example.ma", PASSWORD)
    assert response.status_code == 200  # wrong email or password, as for anyone


def test_the_link_activates_the_existing_account_then_login_works(app, auth, client, imported):
    url = link_for("salma@example.ma")
    page = client.get(url)
    assert page.status_code == 200
    # The names from the list are shown to be checked.
    assert 'value="Salma"' in page.text and 'value="Alaoui"' in page.text
    response = activate(client, url, last="Alaoui El Idrissi")
    assert response.status_code == 303
    with app.test_request_context():
        home = url_for("candidate.home")
    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200
    salma = db.session.get(User, imported["salma@example.ma"].id)
    db.session.refresh(salma)
    assert salma.password_hash and salma.last_name == "Alaoui El Idrissi"
    assert salma.candidate.phone == "+212612345678"  # the imported profile is kept
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(User.email == "salma@example.ma")) == 1
    auth.logout()
    assert auth.login("salma@example.ma", PASSWORD).status_code == 303
    # The link worked once.
    assert app.test_client().get(url).status_code == 410


def test_an_older_link_is_refused_once_the_account_is_activated(app, auth, client, imported, organizer):
    first_url = link_for("omar@example.ma")
    omar = db.session.get(User, imported["omar@example.ma"].id)
    with app.test_request_context():
        services.reinvite(omar, organizer)
    db.session.commit()
    second_url = link_for("omar@example.ma")
    assert first_url != second_url
    assert activate(client, second_url, "Omar", "Benali").status_code == 303
    other = app.test_client()
    refused = activate(other, first_url, "Intrus", "Intrus", password="un-autre-mot-de-passe")
    assert refused.status_code == 410
    db.session.refresh(omar)
    assert omar.first_name == "Omar"
    assert auth_services.authenticate("omar@example.ma", PASSWORD) is not None
    assert auth_services.authenticate("omar@example.ma", "un-autre-mot-de-passe") is None


def test_activation_is_conditional_on_the_account_having_no_password(app, imported):
    """Two links to the same account used at once: only the first sets the password."""
    omar = imported["omar@example.ma"]
    with app.test_request_context():
        _, first = auth_services.invite_to_activate(omar)
        _, second = auth_services.invite_to_activate(omar)
        db.session.commit()
        # The second submission read the account before the first one committed.
        invitation = auth_services.invitation_for_token(second)
        assert auth_services.account_to_activate(invitation) is not None
        auth_services.accept_invitation(first, "Omar", "Benali", PASSWORD)
        db.session.commit()
        with force_locale("en"):
            with pytest.raises(DomainError) as error:
                auth_services._activate(omar, "X", "Y", "un-autre-mot-de-passe")
            assert "already activated" in str(error.value.message)
    db.session.rollback()
    assert auth_services.authenticate("omar@example.ma", PASSWORD) is not None


def test_an_ordinary_invitation_to_an_existing_address_is_still_refused(app, make, imported):
    with app.test_request_context(), force_locale("en"), pytest.raises(DomainError):
        auth_services.create_invitation("salma@example.ma", "staff")


def test_forgot_password_also_activates_an_imported_account(auth, client, imported):
    page = client.get("/password/forgot")
    client.post("/password/forgot", data={"email": "salma@example.ma",
                                          "csrf_token": csrf_token_from(page)})
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "salma@example.ma")
                                 .order_by(OutboxMessage.id.desc())).first()
    url = re.search(r"http://localhost(/password/reset/\S+)", message.body_text).group(1)
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, data={"password": PASSWORD, "confirm": PASSWORD,
                                      "csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    assert auth.login("salma@example.ma", PASSWORD).status_code == 303
