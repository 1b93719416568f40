"""Issue 13, the self check-in kiosk, in a real browser on the fair-day server (demo fair LIVE).

The organizer creates a kiosk on the fair's page and emails the kiosk codes; the kiosk opens
on its own device with the one-time link. A candidate types a wrong code (a clear message),
then their name and the code from their email: they see their interviews of the day, press
"print my badge and check in", and the print view shows their label (the PDF is a real
62 × 100 mm PDF with their name) — the check-in is recorded with the kiosk's name. A second
candidate comes with their badge (a handheld scanner types the badge URL + Enter). The kiosk
gets 403 on any other page; its language switch turns it to Arabic; once revoked it stops.

Demo candidates 38 and 39 (both booked an interview in demo.py; no other journey uses them).
"""
import re

import pypdfium2
import pytest
from playwright.sync_api import expect

from tests.downloads import pdf_pages, pdf_text

from .journeys import flash, heading, log_in

pytestmark = pytest.mark.e2e

ORGANIZER = "organizer@demo.jobfair"
BY_CODE = "candidate38@demo.jobfair"
BY_BADGE = "candidate39@demo.jobfair"
KIOSK_NAME = "Entrée A — borne 1"
MM = 72 / 25.4


def person(database, email, fair_id):
    (row,) = database.rows(
        "SELECT u.id, u.first_name, u.last_name, co.name AS company FROM users u "
        "JOIN candidates c ON c.user_id = u.id JOIN bookings b ON b.candidate_id = c.id "
        "JOIN participations p ON p.id = b.participation_id "
        "JOIN companies co ON co.id = p.company_id "
        "WHERE u.email = :email AND p.fair_id = :fair AND b.status = 'active'",
        email=email, fair=fair_id)
    row["name"] = f"{row['first_name']} {row['last_name']}"
    return row


def kiosk_code(database, email):
    mails = [m for m in database.outbox(email) if "code borne" in (m["subject"] or "")]
    assert mails, f"no kiosk-code email for {email}"
    return re.search(r"^([A-Z2-9]{6})$", mails[-1]["body_text"], re.M).group(1)


def check_label(tab, person_row):
    link = tab.page.locator("#kiosk-label-link")
    expect(tab.page.locator("#kiosk-label")).to_have_attribute("src", link.get_attribute("href"))
    response = tab.page.request.get(tab.url(link.get_attribute("href")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    data = response.body()
    assert pdf_pages(data) == 1
    assert person_row["first_name"] in pdf_text(data)
    document = pypdfium2.PdfDocument(data)
    try:
        width, height = document[0].get_size()
    finally:
        document.close()
    assert (round(width / MM), round(height / MM)) == (62, 100)  # the label printer's size


def test_the_kiosk_prints_the_badge_and_checks_in(open_day_page, day_server):
    database, fair_id = day_server.database, day_server.fair_id
    by_code, by_badge = (person(database, e, fair_id) for e in (BY_CODE, BY_BADGE))

    organizer = open_day_page(suffix="organizer")
    log_in(organizer, ORGANIZER)
    organizer.goto(f"/organizer/fairs/{fair_id}")
    organizer.page.locator("#kiosks-link").click()
    expect(heading(organizer)).to_have_text("Bornes d'accueil libre-service")
    organizer.page.get_by_label("Nom de la borne").fill(KIOSK_NAME)
    organizer.page.get_by_role("button", name="Créer la borne").click()
    link = organizer.page.locator("#kiosk-link-url")
    expect(link).to_be_visible()
    kiosk_link = link.get_attribute("href")
    organizer.page.get_by_role("button", name="Envoyer les codes borne aux candidats par e-mail").click()
    expect(flash(organizer)).to_contain_text("Codes borne envoyés")
    expect(organizer.page.locator("#kiosk-list")).to_contain_text(KIOSK_NAME)
    organizer.check("kiosks")

    kiosk = open_day_page(suffix="kiosk")
    kiosk.page.goto(kiosk_link)
    kiosk.check("open")
    kiosk.page.get_by_role("button", name="Ouvrir la borne").click()
    expect(heading(kiosk)).to_have_text("Bienvenue ! Enregistrez-vous ici")
    expect(kiosk.page.get_by_label(re.compile("QR code de votre badge"))).to_be_focused()
    kiosk.check("start")

    # A wrong code: a clear message next to the field, in French.
    name_form = kiosk.page.locator("#kiosk-name-form")
    name_form.get_by_label("Votre prénom et votre nom").fill(by_code["name"])
    name_form.get_by_label(re.compile("Votre code borne")).fill("AAAAAA")
    name_form.get_by_role("button", name="Continuer").click()
    expect(kiosk.page.locator("#kiosk_code-error")).to_contain_text("ne correspondent pas")
    kiosk.check("wrong-code")

    code = kiosk_code(database, BY_CODE)
    name_form.get_by_label("Votre prénom et votre nom").fill(by_code["name"].lower())
    name_form.get_by_label(re.compile("Votre code borne")).fill(code.lower())
    name_form.get_by_role("button", name="Continuer").click()
    expect(heading(kiosk)).to_contain_text(by_code["name"])
    expect(kiosk.page.locator("#kiosk-interviews")).to_contain_text(by_code["company"])
    kiosk.check("welcome")
    kiosk.page.get_by_role("button", name="Imprimer mon badge et m'enregistrer").click()
    expect(heading(kiosk)).to_contain_text("Vous êtes enregistré")
    expect(kiosk.page.locator("#kiosk-print")).to_be_visible()  # kiosk.js (no inline script)
    expect(kiosk.page.locator("body")).to_have_attribute("data-return-after", "45")
    expect(kiosk.page.locator("#kiosk-return-note")).to_be_visible()
    check_label(kiosk, by_code)
    kiosk.check("print")
    (checkin,) = database.rows(
        "SELECT device_name FROM checkins WHERE user_id = :user AND fair_id = :fair "
        "AND undone_at IS NULL", user=by_code["id"], fair=fair_id)
    assert checkin["device_name"] == KIOSK_NAME
    kiosk.page.get_by_role("button", name="Terminé").click()
    expect(heading(kiosk)).to_have_text("Bienvenue ! Enregistrez-vous ici")
    expect(kiosk.page.locator("body")).not_to_contain_text(by_code["last_name"])

    # With the badge: a handheld scanner types the badge's URL and Enter.
    (badge,) = database.rows("SELECT token FROM badges WHERE user_id = :user AND fair_id = :fair "
                             "AND revoked_at IS NULL", user=by_badge["id"], fair=fair_id)
    field = kiosk.page.get_by_label(re.compile("QR code de votre badge"))
    field.fill(f"{day_server.base_url}/b/{badge['token']}")
    field.press("Enter")
    expect(heading(kiosk)).to_contain_text(by_badge["name"])
    kiosk.page.get_by_role("button", name="Imprimer mon badge et m'enregistrer").click()
    expect(heading(kiosk)).to_contain_text("Vous êtes enregistré")
    check_label(kiosk, by_badge)
    assert database.rows("SELECT id FROM checkins WHERE user_id = :user AND fair_id = :fair",
                         user=by_badge["id"], fair=fair_id)
    kiosk.page.get_by_role("button", name="Terminé").click()

    # The kiosk's language switch; every other page is refused.
    kiosk.page.get_by_role("button", name="العربية").click()
    expect(kiosk.page.locator("html")).to_have_attribute("dir", "rtl")
    kiosk.check("arabic")
    kiosk.page.get_by_role("button", name="Français").click()
    expect(kiosk.page.locator("html")).to_have_attribute("lang", "fr")
    for path in ("/organizer/", f"/staff/fairs/{fair_id}/scan", "/me/"):
        assert kiosk.page.goto(kiosk.url(path)).status == 403, path

    # Revoked: the kiosk stops at its next request.
    organizer.page.reload()
    organizer.page.get_by_role("button", name=f"Révoquer {KIOSK_NAME}").click()
    expect(flash(organizer)).to_contain_text("révoquée")
    kiosk.page.goto(kiosk.url("/kiosk/"))
    expect(kiosk.page).to_have_url(re.compile(r"/login"))
