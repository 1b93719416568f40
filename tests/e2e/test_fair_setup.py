"""Issue 3 in a real browser: a fair set up from nothing, the demo fair's schedule and floor
plan, and one bad input.

1. From an EMPTY database (the ``empty_server`` fixture: migrated, one organizer made with
   ``flask jobfair create-admin``): the organizer adds the programme, creates a fair and
   invites a company by email; the representative follows the link read from the outbox,
   fills the profile, adds a position and prepares two interview tables (generator with a
   lunch break, then copy); a second company asks to take part and is approved; both are
   placed on the floor plan (one with htmx, one without JavaScript); the public page shows
   them, in French.
2. From the DEMO data (``live_server``): block / unblock a slot in place, the confirmation
   before a booked slot is deleted, moving and placing companies on the demo floor plan
   (with and without JavaScript), and the public page of the demo fair.
3. A bad input: the fair form with the closing time before the opening time.

Every page is screenshotted and checked with axe-core (``Browsing.check``). All text is
French, the app's default language; the catalogue is expected to be complete.
"""
import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from jobfair.demo import COMPANIES as DEMO_COMPANIES
from jobfair.timeutil import local_today

from .journeys import expect_same_document, flash, heading, log_in, mark_document, menu

pytestmark = pytest.mark.e2e

TODAY = local_today()
FR_WEEKDAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
FR_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
FRENCH_FULL_DATE = re.compile(rf"^({FR_WEEKDAYS}) \d{{1,2}} ({FR_MONTHS}) \d{{4}}$")

# --- The fair set up from nothing ---------------------------------------------------------

OPERATOR = "Académie Souss du Code"
COHORT = "Data & IA — Agadir 2026"
TRACK = "Data & IA"
FAIR = {
    "name": "Forum Emploi Numérique Agadir",
    "venue": "Cité de l'innovation Souss-Massa",
    "city": "Agadir",
    "region": "souss_massa",
    "region_label": "Souss-Massa",
    "description": "Le forum de recrutement des lauréats des bootcamps de la région Souss-Massa.",
    "day": TODAY + timedelta(days=30),
    "opens_at": "09:00",
    "closes_at": "17:00",
    "booking_opens_at": f"{TODAY + timedelta(days=1)}T09:00",
    "booking_closes_at": f"{TODAY + timedelta(days=29)}T20:00",
    "cancellation_deadline": f"{TODAY + timedelta(days=29)}T18:00",
    "hall_rows": "2",
    "hall_cols": "3",
}
# A second fair, kept as a draft: the only way, from an empty database, to bring in a
# company that then ASKS to take part in the first fair (an invitation approves at once).
SECOND_FAIR = dict(FAIR, name="Forum Emploi Numérique Agadir — automne",
                   day=TODAY + timedelta(days=90), hall_rows="", hall_cols="")

COMPANY = {
    "name": "Tifawin Data",
    "slug": "tifawin-data",
    "email": "rh@tifawin-data.ma",
    "first_name": "Samira",
    "last_name": "Ouchen",
    "password": "tifawin-e2e-password",
    "sector": "software",
    "sector_label": "Éditeur de solutions",
    "city": "Agadir",
    "size": "11-50",
    "description": "Tifawin Data construit des plateformes de données pour l'agriculture et le tourisme.",
    "website": "https://www.tifawin-data.ma",
    "position": "Data analyst junior",
    "contract_label": "CDI",
}
SECOND_COMPANY = {
    "name": "Argana Cloud",
    "slug": "argana-cloud",
    "email": "contact@argana-cloud.ma",
    "first_name": "Karim",
    "last_name": "Aït Lahcen",
    "password": "argana-e2e-password",
}
TABLE_1 = "Table 1 — Samira"
TABLE_2 = "Table 2 — Youssef"
# 09:00–14:00 in 30-minute slots with lunch 12:00–13:00: no slot overlaps the break.
EXPECTED_SLOTS = ["09:00–09:30", "09:30–10:00", "10:00–10:30", "10:30–11:00",
                  "11:00–11:30", "11:30–12:00", "13:00–13:30", "13:30–14:00"]

# --- The demo fair --------------------------------------------------------------------------

DEMO_FAIR = "JobInTech Job Fair Casablanca 2026"
DEMO_SLUG = "jobintech-casablanca-2026"
DEMO_ORGANIZER = "organizer@demo.jobfair"
# Kasbah Labs: used by no other browser test. Its only table has 09:00, 09:20 and 09:40
# booked (demo.py), 10:00 free.
KASBAH_REP = "recruiter@kasbah-labs.demo.jobfair"


# --------------------------------------------------------------------------- helpers
















WIDE_ELEMENTS = """() => {
    const inner = window.innerWidth;
    const wide = [];
    for (const element of document.querySelectorAll("body *")) {
        const box = element.getBoundingClientRect();
        if (box.right <= inner + 1) continue;
        // Report the outermost culprit only, not everything inside it.
        const parent = element.parentElement;
        if (parent && parent.getBoundingClientRect().right > inner + 1) continue;
        wide.push(`${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`
                  + ` (right edge at ${Math.round(box.right)} px)`);
    }
    return {scroll: document.documentElement.scrollWidth, inner, wide: wide.slice(0, 10)};
}"""


def expect_no_horizontal_scroll(tab):
    widths = tab.page.evaluate(WIDE_ELEMENTS)
    assert widths["scroll"] <= widths["inner"], (
        f"{tab.page.url} scrolls sideways at {widths['inner']} px: the page is {widths['scroll']} px "
        f"wide because of: {', '.join(widths['wide'])}"
    )


def french_date(day):
    return format_date(day, format="full", locale="fr")


def booth_cell(page, number):
    """The floor plan's cell of booth ``number`` (its label reads "Stand <number>, …")."""
    return page.locator(".floor-plan td.booth").filter(
        has=page.locator(".booth-number", has_text=re.compile(rf"(^|\s){re.escape(number)}$"))
    )


def booth_number(cell):
    return cell.locator(".booth-number").text_content().split()[-1]


def fill_fair_form(page, fair, cohorts=()):
    page.get_by_label("Nom", exact=True).fill(fair["name"])
    page.get_by_label("Lieu", exact=True).fill(fair["venue"])
    page.get_by_label("Ville", exact=True).fill(fair["city"])
    page.get_by_label("Région", exact=True).select_option(fair["region"])
    page.get_by_label("Description", exact=True).fill(fair["description"])
    page.get_by_label("Date du salon", exact=True).fill(fair["day"].isoformat())
    page.get_by_label("Heure d'ouverture", exact=True).fill(fair["opens_at"])
    page.get_by_label("Heure de fermeture", exact=True).fill(fair["closes_at"])
    page.get_by_label("Ouverture des réservations", exact=True).fill(fair["booking_opens_at"])
    page.get_by_label("Clôture des réservations", exact=True).fill(fair["booking_closes_at"])
    page.get_by_label("Date limite d'annulation", exact=True).fill(fair["cancellation_deadline"])
    page.get_by_label("Nombre maximal de réservations par candidat", exact=True).fill("3")
    page.get_by_label("Écart minimal entre deux entretiens d'un candidat (minutes)", exact=True).fill("15")
    for cohort in cohorts:
        # Labelled "<cohort> · <operator> · <track>".
        page.get_by_label(f"{cohort} · ").check()
    page.get_by_label("Plan de la salle : rangées").fill(fair["hall_rows"])
    page.get_by_label("Plan de la salle : colonnes").fill(fair["hall_cols"])


def create_fair(tab, fair, cohorts=(), step="fair"):
    """New fair → its overview page; returns the fair's id."""
    page = tab.page
    menu(tab, "Salons")
    page.get_by_role("link", name="Nouveau salon", exact=True).click()
    expect(heading(tab)).to_have_text("Nouveau salon")
    fill_fair_form(page, fair, cohorts)
    tab.check(f"{step}-form")
    page.get_by_role("button", name="Créer le salon", exact=True).click()
    expect(heading(tab)).to_contain_text(fair["name"])
    expect(page.locator("#fair-status")).to_have_text("Brouillon")
    expect(flash(tab)).to_contain_text(f"Salon « {fair['name']} » créé en brouillon.")
    tab.check(f"{step}-overview")
    href = page.get_by_role("link", name="Modifier le salon", exact=True).get_attribute("href")
    return int(re.search(r"/organizer/fairs/(\d+)/edit", href).group(1))


def invite_company(tab, fair, company, step):
    page = tab.page
    menu(tab, "Entreprises")
    expect(heading(tab)).to_have_text("Entreprises")
    page.get_by_role("link", name="Inviter une entreprise", exact=True).click()
    expect(heading(tab)).to_have_text("Inviter une entreprise")
    page.get_by_label("Salon", exact=True).select_option(label=f"{fair['name']} ({fair['city']})")
    page.get_by_label("Nom de l'entreprise", exact=True).fill(company["name"])
    page.get_by_label("Adresse e-mail du contact", exact=True).fill(company["email"])
    tab.check(f"{step}-form")
    page.get_by_role("button", name="Envoyer l'invitation", exact=True).click()
    expect(heading(tab)).to_have_text("Entreprises")
    expect(flash(tab)).to_contain_text(
        f"{company['name']} est invitée à {fair['name']} : l'invitation a été envoyée à {company['email']}."
    )
    pending = page.locator("#pending-company-invitations")
    expect(pending.get_by_role("row").filter(has_text=company["email"])).to_contain_text(company["name"])
    tab.check(f"{step}-sent")


def invitation_link(server, company, fair):
    """The link of the (only) invitation emailed to the company's contact, as its path."""
    messages = server.database.outbox(company["email"])
    assert len(messages) == 1, messages
    message = messages[0]
    assert fair["name"] in message["subject"] and "votre entreprise est invitée" in message["subject"]
    match = re.search(r"(https?://\S+)(/invitation/\S+)", message["body_text"])
    assert match, message["body_text"]
    assert match.group(1) == server.base_url, "the link must point at the server (BASE_URL)"
    return match.group(2)


def accept_invitation(tab, path, company, step):
    page = tab.page
    tab.goto(path)
    expect(heading(tab)).to_have_text("Créez votre compte")
    expect(page.locator("main")).to_contain_text(company["email"])
    expect(page.locator("main")).to_contain_text(company["name"])
    tab.check(f"{step}-invitation")
    page.get_by_label("Prénom", exact=True).fill(company["first_name"])
    page.get_by_label("Nom", exact=True).fill(company["last_name"])
    page.get_by_label("Nouveau mot de passe", exact=True).fill(company["password"])
    page.get_by_label("Confirmez le mot de passe", exact=True).fill(company["password"])
    page.get_by_role("button", name="Créer mon compte", exact=True).click()
    expect(page).to_have_url(tab.url("/company/"))
    expect(heading(tab)).to_have_text(company["name"])
    expect(flash(tab)).to_contain_text("Votre compte est prêt.")
    tab.check(f"{step}-company-home")


def table_section(page, name):
    return page.locator("section.schedule-table").filter(
        has=page.get_by_role("heading", level=2, name=name, exact=True))


def slot_times(section):
    return section.locator("tr.sch-slot th[scope=row]")


# --------------------------------------------------------------------------- 1. from nothing


def test_fair_set_up_from_an_empty_database(open_empty_page, empty_server):
    server = empty_server
    organizer = open_empty_page(suffix="organizer")
    page = organizer.page

    # --- The organizer logs in and adds the programme: tracks, an operator, a cohort.
    log_in(organizer, server.admin_email, server.admin_password)
    expect(page).to_have_url(organizer.url("/organizer/"))
    expect(heading(organizer)).to_have_text("Salons")
    organizer.check("01-home-empty")

    menu(organizer, "Programme")
    expect(page).to_have_url(organizer.url("/organizer/programme"))
    expect(heading(organizer)).to_have_text("Programme")
    organizer.check("02-programme-empty")
    page.get_by_role("button", name="Ajouter les filières standard", exact=True).click()
    expect(page.locator("#track-list li")).to_have_count(8)
    expect(page.locator("#track-list")).to_contain_text(TRACK)
    expect(flash(organizer)).to_contain_text("8 filières ajoutées.")
    expect(page.get_by_role("button", name="Ajouter les filières standard")).to_have_count(0)

    page.get_by_role("link", name="Ajouter un opérateur de formation", exact=True).click()
    expect(heading(organizer)).to_have_text("Nouvel opérateur de formation")
    page.get_by_label("Nom", exact=True).fill(OPERATOR)
    page.get_by_label("Ville", exact=True).fill("Agadir")
    organizer.check("03-operator-form")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(flash(organizer)).to_contain_text(f"Opérateur de formation « {OPERATOR} » enregistré.")
    expect(page.locator("#operator-list")).to_contain_text(OPERATOR)

    page.get_by_role("link", name="Ajouter une promotion", exact=True).click()
    expect(heading(organizer)).to_have_text("Nouvelle promotion")
    page.get_by_label("Opérateur de formation", exact=True).select_option(label=OPERATOR)
    page.get_by_label("Filière", exact=True).select_option(label=TRACK)
    page.get_by_label("Nom", exact=True).fill(COHORT)
    page.get_by_label("Ville", exact=True).fill("Agadir")
    page.get_by_label("Date de début", exact=True).fill((TODAY - timedelta(days=140)).isoformat())
    page.get_by_label("Date de fin", exact=True).fill((TODAY - timedelta(days=20)).isoformat())
    organizer.check("04-cohort-form")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(flash(organizer)).to_contain_text(f"Promotion « {COHORT} » enregistrée.")
    cohort_row = page.locator("#cohort-list tbody tr").filter(has_text=COHORT)
    expect(cohort_row).to_contain_text(OPERATOR)
    expect(cohort_row).to_contain_text(TRACK)
    organizer.check("05-programme-filled")

    # --- The fair, with the cohort invited and a 2 × 3 hall.
    fair_id = create_fair(organizer, FAIR, cohorts=[COHORT], step="06-fair")
    summary = page.locator("#fair-summary")
    expect(summary).to_contain_text(french_date(FAIR["day"]))
    expect(summary).to_contain_text(COHORT)
    expect(summary).to_contain_text("2 rangées × 3 colonnes")

    # --- The organizer invites the company by email; the link arrives through the outbox.
    invite_company(organizer, FAIR, COMPANY, step="07-invite")
    link = invitation_link(server, COMPANY, FAIR)

    # --- The representative creates the account, fills the profile, adds a position.
    rep = open_empty_page(suffix="company")
    rep_page = rep.page
    accept_invitation(rep, link, COMPANY, step="08")
    expect(rep_page.locator("#my-fairs")).to_contain_text(FAIR["name"])
    expect(rep_page.locator("#my-fairs")).to_contain_text("Approuvée")

    rep_page.get_by_role("link", name="Modifier le profil", exact=True).click()
    expect(heading(rep)).to_have_text("Profil de l'entreprise")
    expect(rep_page.get_by_label("Nom de l'entreprise", exact=True)).to_have_value(COMPANY["name"])
    rep_page.get_by_label("Secteur", exact=True).select_option(COMPANY["sector"])
    rep_page.get_by_label("Ville", exact=True).fill(COMPANY["city"])
    rep_page.get_by_label("Taille (salariés)", exact=True).select_option(COMPANY["size"])
    rep_page.get_by_label("Description", exact=True).fill(COMPANY["description"])
    rep_page.get_by_label("Site web", exact=True).fill(COMPANY["website"])
    rep.check("09-profile-form")
    rep_page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(rep_page).to_have_url(rep.url("/company/"))
    expect(flash(rep)).to_contain_text("Le profil de votre entreprise est enregistré.")
    profile = rep_page.locator(".company-summary")
    for text in (COMPANY["sector_label"], COMPANY["city"], COMPANY["size"], COMPANY["description"],
                 COMPANY["website"]):
        expect(profile).to_contain_text(text)

    rep_page.get_by_role("link", name="Ajouter un poste", exact=True).click()
    expect(heading(rep)).to_have_text("Nouveau poste")
    rep_page.get_by_label("Intitulé", exact=True).fill(COMPANY["position"])
    rep_page.get_by_label("Filière", exact=True).select_option(label=TRACK)
    rep_page.get_by_label("Type de contrat", exact=True).select_option("cdi")
    rep_page.get_by_label("Nombre de postes à pourvoir", exact=True).fill("2")
    rep.check("10-position-form")
    rep_page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(flash(rep)).to_contain_text("Le poste est ajouté.")
    expect(rep_page.locator("main")).to_contain_text(COMPANY["position"])
    rep.check("11-positions")

    # --- The interview schedule: two tables, slots with a lunch break, then a copy.
    menu(rep, "Mon entreprise")
    rep_page.get_by_role("link", name=f"Planning des entretiens — {FAIR['name']}", exact=True).click()
    expect(heading(rep)).to_have_text(f"Planning des entretiens · {FAIR['name']}")
    expect(rep_page.locator(".schedule-fair")).to_contain_text(french_date(FAIR["day"]))
    rep.check("12-schedule-empty")
    add_table = rep_page.locator("section[aria-labelledby='add-table-title']")
    mark_document(rep_page)
    for name in (TABLE_1, TABLE_2):
        add_table.get_by_label("Nom de la table", exact=True).fill(name)
        add_table.get_by_role("button", name="Ajouter la table", exact=True).click()
        expect(rep_page.locator("#tables")).to_contain_text(f"Table « {name} » ajoutée.")
        expect(table_section(rep_page, name)).to_contain_text("Aucun créneau pour l'instant.")
    expect_same_document(rep_page)  # htmx swapped the tables in place
    expect(add_table.get_by_label("Nom de la table", exact=True)).to_have_value("")
    rep.check("13-schedule-two-tables")

    rep_page.get_by_role("link", name=f"Ajouter des créneaux · {TABLE_1}", exact=True).click()
    expect(heading(rep)).to_have_text(f"Ajouter des créneaux à « {TABLE_1} »")
    rep_page.get_by_label("Début du premier créneau", exact=True).fill("09:00")
    rep_page.get_by_label("Fin du dernier créneau au plus tard à", exact=True).fill("14:00")
    rep_page.get_by_label("Durée d'un créneau (minutes)", exact=True).fill("30")
    rep_page.get_by_label("Temps entre deux créneaux (minutes)", exact=True).fill("0")
    rep_page.get_by_label("Candidats par créneau", exact=True).fill("1")
    rep_page.get_by_label("Pauses (facultatif)", exact=True).fill("12:00-13:00")
    rep.check("14-generator-form")
    rep_page.get_by_role("button", name="Prévisualiser les créneaux", exact=True).click()
    preview = rep_page.locator("#preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text("Aperçu : 8 créneaux")
    expect(preview.locator("ol.sch-preview li")).to_have_text(EXPECTED_SLOTS)
    rep.check("15-generator-preview")
    assert server.database.rows("SELECT count(*) AS n FROM slots") == [{"n": 0}]  # a preview only
    preview.get_by_role("button", name="Créer ces 8 créneaux", exact=True).click()
    expect(heading(rep)).to_have_text(f"Planning des entretiens · {FAIR['name']}")
    expect(flash(rep)).to_contain_text(f"8 créneaux créés pour « {TABLE_1} ».")
    expect(slot_times(table_section(rep_page, TABLE_1))).to_have_text(EXPECTED_SLOTS)
    expect(slot_times(table_section(rep_page, TABLE_2))).to_have_count(0)

    rep_page.get_by_role(
        "link", name=f"Copier ce planning vers d'autres tables · {TABLE_1}", exact=True).click()
    expect(heading(rep)).to_have_text(f"Copier le planning de « {TABLE_1} »")
    rep_page.get_by_label(TABLE_2, exact=True).check()
    rep.check("16-copy-form")
    rep_page.get_by_role("button", name="Copier les créneaux", exact=True).click()
    expect(flash(rep)).to_contain_text(f"8 créneaux copiés vers « {TABLE_2} ».")
    expect(slot_times(table_section(rep_page, TABLE_1))).to_have_text(EXPECTED_SLOTS)
    expect(slot_times(table_section(rep_page, TABLE_2))).to_have_text(EXPECTED_SLOTS)
    expect(rep_page.locator("tr.sch-slot .sch-status")).to_have_text(["Libre"] * 16)
    rep.check("17-schedule-ready")

    # --- The organizer publishes the fair.
    organizer.goto(f"/organizer/fairs/{fair_id}")
    expect(page.locator("#count-approved")).to_have_text("1")
    expect(page.locator("#count-slots")).to_have_text("16")
    page.get_by_role("button", name="Publier le salon", exact=True).click()
    expect(page.locator("#fair-status")).to_have_text("Publié")
    expect(flash(organizer)).to_contain_text("Statut du salon : Publié.")
    public_path = page.locator("#public-page-link").get_attribute("href")
    assert public_path.startswith("/fairs/"), public_path
    organizer.check("18-fair-published")

    # --- A second company asks to take part (it was brought in through a draft fair).
    create_fair(organizer, SECOND_FAIR, step="19-second-fair")
    invite_company(organizer, SECOND_FAIR, SECOND_COMPANY, step="20-invite-second")
    second = open_empty_page(suffix="second-company")
    accept_invitation(second, invitation_link(server, SECOND_COMPANY, SECOND_FAIR), SECOND_COMPANY,
                      step="21-second")
    open_fairs = second.page.locator("#open-fairs")
    expect(open_fairs).to_contain_text(FAIR["name"])
    open_fairs.get_by_role("button", name=f"Demander à participer {FAIR['name']}", exact=True).click()
    expect(flash(second)).to_contain_text(f"Votre demande de participation à {FAIR['name']} est envoyée")
    request_card = second.page.locator("#my-fairs li").filter(
        has=second.page.get_by_text(FAIR["name"], exact=True))
    expect(request_card.locator(".status")).to_have_text("Demandée")
    second.check("22-second-requested")

    # --- The organizer approves it on the fair's companies page (htmx).
    organizer.goto(f"/organizer/fairs/{fair_id}")
    page.get_by_role("link", name="Inviter, approuver et refuser des entreprises", exact=True).click()
    expect(heading(organizer)).to_have_text(f"Entreprises de {FAIR['name']}")
    expect(page.locator("#status-approved")).to_contain_text(COMPANY["name"])
    requested = page.locator("#status-requested")
    expect(requested).to_contain_text(SECOND_COMPANY["name"])
    organizer.check("23-fair-companies")
    mark_document(page)
    requested.get_by_role("button", name=f"Approuver {SECOND_COMPANY['name']}", exact=True).click()
    expect(page.locator("#fair-companies")).to_contain_text(
        f"{SECOND_COMPANY['name']} est approuvée ; ses représentants ont été prévenus par e-mail.")
    expect(page.locator("#status-approved h3")).to_have_text([SECOND_COMPANY["name"], COMPANY["name"]])
    expect(page.locator("#status-requested li")).to_have_count(0)
    expect_same_document(page)
    organizer.check("24-second-approved")
    approval = server.database.outbox(SECOND_COMPANY["email"])[-1]
    assert FAIR["name"] in approval["subject"] + approval["body_text"], approval

    # --- The floor plan: fill the 2 × 3 grid, place the first company by clicking (htmx).
    organizer.goto(f"/organizer/fairs/{fair_id}")
    page.get_by_role("link", name="Placer les entreprises sur le plan", exact=True).click()
    expect(heading(organizer)).to_contain_text("Plan de la salle")
    expect(page.locator(".booth-unassigned li")).to_have_count(2)
    organizer.check("25-floor-plan-empty")
    page.get_by_role("button", name="Remplir la grille", exact=True).click()
    expect(flash(organizer)).to_contain_text("Stands créés : 6.")
    expect(page.locator(".floor-plan td.booth")).to_have_count(6)
    organizer.check("26-floor-plan-filled")

    mark_document(page)
    page.get_by_role("link", name=f"Choisir un stand pour {COMPANY['name']}", exact=True).click()
    expect(page.locator(".placing")).to_contain_text(f"Placement de {COMPANY['name']}")
    expect(page).to_have_url(re.compile(r"\?participation=\d+$"))
    expect(page.get_by_role("button", name=f"Placer {COMPANY['name']} sur le stand ")).to_have_count(6)
    expect(page.locator("button.place").first).to_have_text("Placer ici")
    organizer.check("27-floor-plan-placing")
    first_cell = page.locator(".floor-plan tbody tr").nth(0).locator("td").nth(1)
    first_booth = booth_number(first_cell)
    first_cell.get_by_role(
        "button", name=f"Placer {COMPANY['name']} sur le stand {first_booth}", exact=True).click()
    expect(page.locator("#booth-editor")).to_contain_text(
        f"{COMPANY['name']} est désormais sur le stand {first_booth}.")
    expect(booth_cell(page, first_booth)).to_contain_text(COMPANY["name"])
    expect(page.locator(".booth-unassigned li")).to_have_text([re.compile(SECOND_COMPANY["name"])])
    expect_same_document(page)  # placed in place, without reloading the page
    expect(page).to_have_url(organizer.url(f"/organizer/fairs/{fair_id}/booths"))
    organizer.check("28-floor-plan-placed")

    # --- The same step without JavaScript: plain links and forms (POST → 303).
    no_js = open_empty_page(javascript=False, suffix="organizer-no-js")
    log_in(no_js, server.admin_email, server.admin_password)
    no_js.goto(f"/organizer/fairs/{fair_id}/booths")
    nojs_page = no_js.page
    nojs_page.get_by_role("link", name=f"Choisir un stand pour {SECOND_COMPANY['name']}",
                          exact=True).click()
    expect(nojs_page).to_have_url(re.compile(r"\?participation=\d+$"))
    no_js.check("29-no-js-placing")
    second_cell = nojs_page.locator(".floor-plan tbody tr").nth(1).locator("td").nth(2)
    second_booth = booth_number(second_cell)
    second_cell.get_by_role(
        "button", name=f"Placer {SECOND_COMPANY['name']} sur le stand {second_booth}", exact=True
    ).click()
    expect(nojs_page).to_have_url(no_js.url(f"/organizer/fairs/{fair_id}/booths"))
    expect(flash(no_js)).to_contain_text(
        f"{SECOND_COMPANY['name']} est désormais sur le stand {second_booth}.")
    expect(booth_cell(nojs_page, second_booth)).to_contain_text(SECOND_COMPANY["name"])
    expect(booth_cell(nojs_page, first_booth)).to_contain_text(COMPANY["name"])
    expect(nojs_page.locator(".booth-unassigned")).to_contain_text(
        "Chaque entreprise approuvée a un stand.")
    no_js.check("30-no-js-placed")

    # --- Anyone opens the public page: French date, the companies, the floor plan.
    for device in ("desktop", "phone"):
        visitor = open_empty_page(device=device, suffix="public")
        visitor.goto(public_path)
        public = visitor.page
        expect(heading(visitor)).to_have_text(FAIR["name"])
        expect(public.locator("#fair-date")).to_have_text(french_date(FAIR["day"]))
        expect(public.locator("#fair-date")).to_have_text(FRENCH_FULL_DATE)
        expect(public.locator("#fair-hours")).to_have_text("09:00 – 17:00")
        expect(public.locator("#fair-place")).to_contain_text(FAIR["venue"])
        expect(public.locator("#fair-place")).to_contain_text(FAIR["region_label"])
        expect(public.locator("#exhibitors > li h3")).to_have_text(
            [SECOND_COMPANY["name"], COMPANY["name"]])
        card = public.locator(f"#company-{COMPANY['slug']}")
        for text in (COMPANY["sector_label"], COMPANY["city"], f"Stand {first_booth}",
                     COMPANY["position"], COMPANY["contract_label"], "2 postes à pourvoir", TRACK):
            expect(card).to_contain_text(text)
        expect(booth_cell(public, first_booth)).to_contain_text(COMPANY["name"])
        expect(booth_cell(public, second_booth)).to_contain_text(SECOND_COMPANY["name"])
        expect(public.locator(".floor-plan .booth-company.is-free")).to_have_count(4)
        expect(public.get_by_role("button", name="Se déconnecter")).to_have_count(0)
        expect_no_horizontal_scroll(visitor)
        visitor.check("31-public-page")


# --------------------------------------------------------------------------- 2. the demo fair


def open_demo_schedule(tab):
    page = tab.page
    log_in(tab, KASBAH_REP)
    expect(page).to_have_url(tab.url("/company/"))
    expect(heading(tab)).to_have_text("Kasbah Labs")
    page.get_by_role("link", name=f"Planning des entretiens — {DEMO_FAIR}", exact=True).click()
    expect(heading(tab)).to_have_text(f"Planning des entretiens · {DEMO_FAIR}")


def slot_row(page, times):
    return page.locator("tr.sch-slot").filter(
        has=page.get_by_role("rowheader", name=times, exact=True))


def kasbah_first_booking(database):
    rows = database.rows(
        "SELECT b.id, b.status, u.first_name, u.last_name, u.email "
        "FROM bookings b "
        "JOIN slots s ON s.id = b.slot_id "
        "JOIN interview_tables t ON t.id = s.table_id "
        "JOIN participations p ON p.id = t.participation_id "
        "JOIN companies c ON c.id = p.company_id "
        "JOIN candidates ca ON ca.id = b.candidate_id "
        "JOIN users u ON u.id = ca.user_id "
        "WHERE c.name = 'Kasbah Labs' ORDER BY s.starts_at, b.id"
    )
    assert rows, "the demo data should have bookings with Kasbah Labs"
    return rows[0]


def test_demo_schedule_block_unblock_and_the_booked_slot_confirmation(open_page, demo_database):
    tab = open_page()
    page = tab.page
    open_demo_schedule(tab)
    table = table_section(page, "Table 1")
    expect(slot_times(table)).to_have_count(18)
    tab.check("schedule")

    # Block a free slot, then unblock it: the table is updated in place (htmx).
    free = slot_row(page, "10:00–10:20")
    expect(free.locator(".sch-status")).to_have_text("Libre")
    mark_document(page)
    free.get_by_role("button", name="Bloquer 10:00–10:20", exact=True).click()
    expect(table).to_contain_text("Créneau de 10:00–10:20 bloqué.")
    expect(free.locator(".sch-status")).to_have_text("Bloqué")
    expect(free).to_have_class(re.compile(r"\bsch-slot-blocked\b"))
    expect(free.get_by_role("button", name="Bloquer 10:00–10:20", exact=True)).to_have_count(0)
    expect_same_document(page)
    tab.check("slot-blocked")
    free.get_by_role("button", name="Débloquer 10:00–10:20", exact=True).click()
    expect(table).to_contain_text("Créneau de 10:00–10:20 rouvert.")
    expect(free.locator(".sch-status")).to_have_text("Libre")
    expect(free.get_by_role("button", name="Bloquer 10:00–10:20", exact=True)).to_be_visible()
    expect_same_document(page)
    expect(page).to_have_url(re.compile(r"/company/fairs/\d+/schedule$"))
    tab.check("slot-unblocked")

    # Delete a BOOKED slot: nothing happens before a confirmation with a reason.
    booking = kasbah_first_booking(demo_database)
    candidate = f"{booking['first_name']} {booking['last_name']}"
    booked = slot_row(page, "09:00–09:20")
    expect(booked.locator(".sch-status")).to_have_text("Réservé")
    expect(booked).to_contain_text(candidate)
    booked.get_by_role("button", name="Supprimer 09:00–09:20", exact=True).click()
    confirm = table.locator(".sch-confirm")
    expect(confirm.get_by_role("heading", level=3)).to_have_text("Supprimer le créneau de 09:00–09:20 ?")
    expect(confirm).to_contain_text("Cela annule 1 réservation :")
    expect(confirm.locator(".sch-affected li")).to_have_text([re.compile(re.escape(candidate))])
    reason = confirm.get_by_label("Motif communiqué aux candidats", exact=True)
    expect(reason).to_be_visible()
    expect(reason).to_have_value("")
    expect_same_document(page)
    tab.check("delete-booked-confirmation")
    # Confirming without a reason is refused, next to the reason field.
    confirm.get_by_role("button", name="Annuler la réservation et supprimer le créneau",
                        exact=True).click()
    expect(confirm.locator("#reason-error")).to_have_text(
        "Indiquez le motif que liront les candidats : leur réservation sera annulée.")
    expect(confirm.get_by_label("Motif communiqué aux candidats", exact=True)).to_have_attribute(
        "aria-invalid", "true")
    tab.check("delete-booked-no-reason")
    # "Keep it as it is": the slot and its booking stay; no email was queued.
    confirm.get_by_role("link", name="Ne rien changer", exact=True).click()
    expect(table.locator(".sch-confirm")).to_have_count(0)
    expect_same_document(page)  # only the table was fetched again
    expect(booked.locator(".sch-status")).to_have_text("Réservé")
    expect(booked).to_contain_text(candidate)
    expect(slot_times(table)).to_have_count(18)
    assert kasbah_first_booking(demo_database)["status"] == "active"
    assert demo_database.outbox(booking["email"]) == []
    tab.check("delete-booked-kept")


def open_demo_floor_plan(tab):
    page = tab.page
    log_in(tab, DEMO_ORGANIZER)
    menu(tab, "Salons")
    expect(heading(tab)).to_have_text("Salons")
    page.get_by_role("link", name=DEMO_FAIR, exact=True).click()
    expect(heading(tab)).to_contain_text(DEMO_FAIR)
    page.get_by_role("link", name="Placer les entreprises sur le plan", exact=True).click()
    expect(heading(tab)).to_contain_text("Plan de la salle")
    expect(page.locator(".floor-plan td.booth")).to_have_count(15)


def test_demo_organizer_moves_a_company_to_another_booth(open_page):
    tab = open_page()
    page = tab.page
    open_demo_floor_plan(tab)
    expect(booth_cell(page, "A9")).to_contain_text("Argan Tech")
    expect(booth_cell(page, "B13")).to_contain_text("libre")
    tab.check("floor-plan")

    mark_document(page)
    page.get_by_role("link", name="Déplacer Argan Tech vers un autre stand", exact=True).click()
    expect(page.locator(".placing")).to_contain_text(
        "Déplacement de Argan Tech (actuellement sur le stand A9)")
    expect(booth_cell(page, "A9")).to_contain_text("Son stand actuel")
    tab.check("moving")
    booth_cell(page, "B13").get_by_role(
        "button", name="Placer Argan Tech sur le stand B13", exact=True).click()
    expect(page.locator("#booth-editor")).to_contain_text("Argan Tech est désormais sur le stand B13.")
    expect(booth_cell(page, "B13")).to_contain_text("Argan Tech")
    expect(booth_cell(page, "A9")).not_to_contain_text("Argan Tech")
    expect(booth_cell(page, "A9")).to_contain_text("libre")
    expect_same_document(page)
    tab.check("moved")


def test_demo_withdrawing_a_company_with_bookings_asks_first(open_page, demo_database):
    """The organizer starts withdrawing Kasbah Labs (3 bookings), is asked to confirm, keeps it."""
    tab = open_page()
    page = tab.page
    log_in(tab, DEMO_ORGANIZER)
    menu(tab, "Salons")
    expect(heading(tab)).to_have_text("Salons")
    page.get_by_role("link", name=DEMO_FAIR, exact=True).click()
    page.get_by_role("link", name="Inviter, approuver et refuser des entreprises", exact=True).click()
    expect(heading(tab)).to_have_text(f"Entreprises de {DEMO_FAIR}")
    card = page.locator("#status-approved li.card").filter(
        has=page.get_by_role("heading", name="Kasbah Labs", exact=True))
    mark_document(page)
    card.locator("summary").filter(has_text="Retirer").click()
    card.get_by_label("Pourquoi la retirer ?").fill("Test : ne pas confirmer.")
    card.get_by_role("button", name="Retirer Kasbah Labs", exact=True).click()
    card = page.locator("#status-approved li.card").filter(
        has=page.get_by_role("heading", name="Kasbah Labs", exact=True))
    box = card.get_by_role("alert")
    expect(box).to_contain_text("3 candidats ont réservé un entretien avec cette entreprise.")
    expect(box.get_by_role("button", name="Retirer et annuler 3 réservations", exact=True)).to_be_visible()
    expect_same_document(page)
    tab.check("withdraw-confirmation")
    box.get_by_role("link", name="Garder l'entreprise", exact=True).click()
    expect(page.locator(".confirm-box")).to_have_count(0)
    expect_same_document(page)  # only the companies were fetched again
    expect(page.locator("#status-approved")).to_contain_text("Kasbah Labs")
    assert kasbah_first_booking(demo_database)["status"] == "active"
    tab.check("withdraw-kept")


def test_demo_floor_plan_works_without_javascript(open_page):
    """Unassign a company, then place it again: links and POST forms only."""
    tab = open_page(javascript=False)
    page = tab.page
    open_demo_floor_plan(tab)
    company = "Fès Industrie Numérique"
    expect(booth_cell(page, "A10")).to_contain_text(company)
    tab.check("floor-plan")

    booth_cell(page, "A10").get_by_role(
        "button", name=f"Retirer {company} du stand A10", exact=True).click()
    expect(flash(tab)).to_contain_text(f"{company} n'a plus de stand (elle était sur le A10).")
    unassigned = page.locator(".booth-unassigned")
    expect(unassigned.locator("li")).to_have_text([re.compile(company)])
    expect(booth_cell(page, "A10")).to_contain_text("libre")
    tab.check("unassigned")

    unassigned.get_by_role("link", name=f"Choisir un stand pour {company}", exact=True).click()
    expect(page).to_have_url(re.compile(r"/booths\?participation=\d+$"))
    expect(page.locator(".placing")).to_contain_text(f"Placement de {company}")
    tab.check("placing")
    booth_cell(page, "B14").get_by_role(
        "button", name=f"Placer {company} sur le stand B14", exact=True).click()
    expect(page).to_have_url(re.compile(r"/organizer/fairs/\d+/booths$"))
    expect(flash(tab)).to_contain_text(f"{company} est désormais sur le stand B14.")
    expect(booth_cell(page, "B14")).to_contain_text(company)
    expect(unassigned).to_contain_text("Chaque entreprise approuvée a un stand.")
    tab.check("placed")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_demo_public_page_lists_the_12_companies(open_page, device):
    tab = open_page(device=device)
    page = tab.page
    tab.goto(f"/fairs/{DEMO_SLUG}")
    expect(heading(tab)).to_have_text(DEMO_FAIR)
    expect(page.locator("#fair-date")).to_have_text(FRENCH_FULL_DATE)
    expect(page.locator("#exhibitors > li h3")).to_have_text(
        sorted(name for name, *_rest in DEMO_COMPANIES))
    kasbah = page.locator("#company-kasbah-labs")
    for text in ("Startup", "Casablanca", "Développeur React", "Front-end", "Data & IA"):
        expect(kasbah).to_contain_text(text)
    expect(page.locator(".floor-plan td.booth")).to_have_count(15)
    expect(page.locator(".floor-plan .booth-company:not(.is-free)")).to_have_count(12)
    expect_no_horizontal_scroll(tab)
    tab.check("public-page")


def test_demo_pages_on_a_phone(open_page):
    """The company's schedule and the organizer's floor plan at 390 × 844."""
    company = open_page(device="phone", suffix="company")
    open_demo_schedule(company)
    expect(slot_times(table_section(company.page, "Table 1"))).to_have_count(18)
    company.check("schedule")
    expect_no_horizontal_scroll(company)

    organizer = open_page(device="phone", suffix="organizer")
    open_demo_floor_plan(organizer)
    organizer.check("floor-plan")
    expect_no_horizontal_scroll(organizer)


# --------------------------------------------------------------------------- 3. bad input


def test_fair_form_with_closing_before_opening_keeps_what_was_typed(open_page):
    tab = open_page()
    page = tab.page
    log_in(tab, DEMO_ORGANIZER)
    menu(tab, "Salons")
    expect(heading(tab)).to_have_text("Salons")
    fairs_before = page.locator("main table tbody tr").count()
    page.get_by_role("link", name="Nouveau salon", exact=True).click()
    expect(heading(tab)).to_have_text("Nouveau salon")
    typed = dict(FAIR, name="Forum Emploi Numérique Oujda", city="Oujda", region="oriental",
                 opens_at="14:00", closes_at="10:00", hall_rows="4", hall_cols="6")
    cohort = "Cloud & DevOps — Rabat 2026"
    fill_fair_form(page, typed, cohorts=[cohort])
    # The page before and after has the same heading: wait for the server's answer itself.
    with page.expect_response(lambda r: r.request.method == "POST" and "/organizer/fairs/new" in r.url,
                              timeout=30_000):
        page.get_by_role("button", name="Créer le salon", exact=True).click()

    # The same form again, with the error next to the closing time only.
    expect(heading(tab)).to_have_text("Nouveau salon")
    expect(page.get_by_role("alert").filter(has_text="Certains champs demandent votre attention")
           ).to_be_visible(timeout=15_000)
    closes = page.get_by_label("Heure de fermeture", exact=True)
    error = page.locator("#closes_at-error")
    expect(error).to_have_text("Le salon doit fermer après son ouverture.")
    expect(page.locator(".field", has=page.locator("#closes_at")).locator(".error")).to_have_text(
        "Le salon doit fermer après son ouverture.")
    expect(closes).to_have_attribute("aria-invalid", "true")
    expect(closes).to_have_accessible_description(re.compile("Le salon doit fermer après son ouverture"))
    expect(page.locator("p.error")).to_have_count(1)

    # Everything typed is still there.
    expect(page.get_by_label("Nom", exact=True)).to_have_value(typed["name"])
    expect(page.get_by_label("Lieu", exact=True)).to_have_value(typed["venue"])
    expect(page.get_by_label("Ville", exact=True)).to_have_value(typed["city"])
    expect(page.get_by_label("Région", exact=True)).to_have_value(typed["region"])
    expect(page.get_by_label("Description", exact=True)).to_have_value(typed["description"])
    expect(page.get_by_label("Date du salon", exact=True)).to_have_value(typed["day"].isoformat())
    expect(page.get_by_label("Heure d'ouverture", exact=True)).to_have_value("14:00")
    expect(closes).to_have_value("10:00")
    expect(page.get_by_label("Ouverture des réservations", exact=True)).to_have_value(
        typed["booking_opens_at"])
    expect(page.get_by_label("Clôture des réservations", exact=True)).to_have_value(
        typed["booking_closes_at"])
    expect(page.get_by_label("Date limite d'annulation", exact=True)).to_have_value(
        typed["cancellation_deadline"])
    expect(page.get_by_label("Nombre maximal de réservations par candidat", exact=True)).to_have_value("3")
    expect(page.get_by_label("Écart minimal entre deux entretiens d'un candidat (minutes)", exact=True)
           ).to_have_value("15")
    expect(page.get_by_label(f"{cohort} · ")).to_be_checked()
    expect(page.get_by_label("Java/JEE — Casablanca 2026 · ")).not_to_be_checked()
    expect(page.get_by_label("Plan de la salle : rangées")).to_have_value("4")
    expect(page.get_by_label("Plan de la salle : colonnes")).to_have_value("6")
    tab.check("closing-before-opening")

    # Nothing was created.
    menu(tab, "Salons")
    expect(page.locator("main table tbody tr")).to_have_count(fairs_before)
    expect(page.locator("main")).not_to_contain_text(typed["name"])
