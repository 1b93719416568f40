"""Issue 12 in a real browser: a booking round, from the wishes to the published interviews.

On the DEMO data (``live_server``), in French, on the demo's Marrakech fair (jobfair/round/
demo.py: its wish window is open; candidates 41–100 wished and companies marked some of them):

1. The organizer opens the fair's booking round and changes it (4 wishes at most).
2. A candidate ranks two companies; told that order matters and speed does not.
3. Souss Software's representative marks that candidate "want to meet" and invites another
   candidate found by name, who accepts the invitation.
4. The organizer runs the assignment, reads the fairness figures beside first-come and their
   definitions, and publishes.
5. The candidate finds the interview in "My interviews"; the organizer opens first-come booking
   (the fair's booking window, now) and the candidate books a place left at another company.

Demo accounts used only here: candidate22, candidate23, recruiter@souss-software. Every page is
screenshotted and checked with axe-core (``Browsing.check``).
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from jobfair.models import utcnow
from jobfair.timeutil import utc_to_local

from .journeys import flash, heading, log_in, menu

pytestmark = pytest.mark.e2e

FAIR = "JobInTech Job Fair Marrakech 2026"
ORGANIZER = "organizer@demo.jobfair"
REP = "recruiter@souss-software.demo.jobfair"
WISHER, INVITED = "candidate22@demo.jobfair", "candidate23@demo.jobfair"
FIRST, SECOND = "Souss Software", "Kasbah Labs"
LEFT = "Fès Industrie Numérique"  # places left after the assignment (demo data, seed 7)


def full_name(demo_database, email):
    (row,) = demo_database.rows("SELECT first_name, last_name FROM users WHERE email = :email",
                                email=email)
    return f"{row['first_name']} {row['last_name']}"


def open_round(tab):
    page = tab.page
    menu(tab, "Salons")
    page.get_by_role("link", name=FAIR, exact=True).click()
    expect(heading(tab)).to_contain_text(FAIR)
    page.locator("#round-link").click()
    expect(heading(tab)).to_have_text("Campagne de vœux")


def open_wishes(tab):
    menu(tab, "Mon espace")
    tab.page.get_by_role("link", name=f"Mes vœux · {FAIR}", exact=True).click()
    expect(heading(tab)).to_have_text(f"Mes vœux pour {FAIR}")


def test_a_booking_round_from_wishes_to_interviews(open_page, demo_database):
    organizer = open_page(suffix="organizer")
    log_in(organizer, ORGANIZER)
    open_round(organizer)
    page = organizer.page
    expect(page.locator("#round-state-label")).to_have_text("Vœux ouverts")
    page.get_by_label("Nombre d'entreprises qu'un(e) candidat(e) peut classer").fill("4")
    page.get_by_role("button", name="Enregistrer la campagne").click()
    expect(flash(organizer)).to_contain_text("La campagne de vœux est enregistrée.")
    organizer.check("round-set")

    wisher = open_page(suffix="wisher")
    log_in(wisher, WISHER)
    open_wishes(wisher)
    page = wisher.page
    expect(page.get_by_text("L'ordre compte, la vitesse non.")).to_be_visible()
    expect(page.get_by_label("Vœu 4", exact=True)).to_be_visible()
    page.get_by_label("Vœu 1", exact=True).select_option(label=FIRST)
    page.get_by_label("Vœu 2", exact=True).select_option(label=SECOND)
    page.get_by_role("button", name="Enregistrer mes vœux").click()
    expect(flash(wisher)).to_contain_text("Vos vœux sont enregistrés.")
    expect(page.get_by_label("Vœu 1", exact=True)).to_have_value(
        page.get_by_label("Vœu 1", exact=True).locator("option", has_text=FIRST)
        .get_attribute("value"))
    wisher.check("wishes")

    rep = open_page(suffix="rep")
    log_in(rep, REP)
    page = rep.page
    page.get_by_role("link", name=f"Campagne de vœux — {FAIR}", exact=True).click()
    expect(heading(rep)).to_have_text(f"Campagne de vœux de {FAIR}")
    name = full_name(demo_database, WISHER)
    page.get_by_role("button", name=f"À rencontrer — {name}", exact=True).click()
    expect(flash(rep)).to_contain_text("Votre réponse est enregistrée.")
    other = full_name(demo_database, INVITED)
    page.get_by_label("Trouver un(e) candidat(e) à inviter").fill(other.split(" ", 1)[1])
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("button", name=f"Inviter — {other}", exact=True).click()
    expect(flash(rep)).to_contain_text("Invitation envoyée")
    rep.check("shortlist")

    invited = open_page(suffix="invited")
    log_in(invited, INVITED)
    open_wishes(invited)
    card = invited.page.locator("#invitations li.card").filter(has_text=FIRST)
    card.get_by_role("button", name="Accepter").click()
    expect(flash(invited)).to_contain_text("Votre réponse est enregistrée.")
    expect(invited.page.locator("#invitations")).to_contain_text("Acceptée")

    page = organizer.page
    organizer.goto(page.url.split("#")[0].removeprefix(organizer.base_url))
    page.get_by_label("Graine du tirage au sort").fill("7")
    page.get_by_role("button", name="Lancer l'affectation").click()
    expect(flash(organizer)).to_contain_text("L'affectation est prête", timeout=60_000)
    expect(page.locator("#run-figures")).to_contain_text("Candidat(e)s avec au moins un entretien")
    expect(page.locator("#figure-definitions")).to_contain_text("Premier arrivé (simulé)")
    expect(page.locator("#round-state-label")).to_have_text("Vœux fermés : en attente de publication")
    organizer.check("run")
    page.get_by_role("button", name="Publier cette affectation").click()
    expect(flash(organizer)).to_contain_text("Publié :")
    organizer.check("published")

    for tab in (wisher, invited):
        menu(tab, "Mon espace")
        tab.page.get_by_role("link", name=f"Mon planning · {FAIR}", exact=True).click()
        expect(tab.page.locator("main")).to_contain_text(FIRST)
    wisher.check("my-interviews")

    # First-come for the places left: the organizer opens the fair's booking window now.
    page = organizer.page
    page.get_by_role("link", name=FAIR).first.click()
    page.get_by_role("link", name="Modifier le salon").click()
    opens = utc_to_local(utcnow() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Ouverture des réservations", exact=True).fill(opens)
    page.get_by_role("button", name="Enregistrer le salon").click()
    expect(flash(organizer)).to_be_visible()
    organizer.check("first-come-opened")
    page = wisher.page
    before = active_bookings(demo_database, WISHER)
    menu(wisher, "Mon espace")
    page.get_by_role("link", name=f"Entreprises et entretiens · {FAIR}", exact=True).click()
    page.get_by_role("link", name=LEFT, exact=True).click()
    expect(heading(wisher)).to_contain_text(LEFT)
    wisher.check("first-come")
    page.get_by_role("button", name=re.compile(r"^Réserver ")).first.click()
    expect(page.locator("#slots").get_by_role("status")).to_contain_text(
        f"Entretien réservé avec {LEFT} le")
    assert active_bookings(demo_database, WISHER) == before + 1


def active_bookings(demo_database, email):
    return demo_database.rows(
        "SELECT count(*) AS n FROM bookings b JOIN candidates c ON c.id = b.candidate_id "
        "JOIN users u ON u.id = c.user_id JOIN participations p ON p.id = b.participation_id "
        "JOIN fairs f ON f.id = p.fair_id WHERE u.email = :email AND f.slug = :slug "
        "AND b.status = 'active'", email=email, slug="jobintech-marrakech-2026")[0]["n"]
