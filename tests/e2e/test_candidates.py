"""Issue 4 in a real browser: candidates imported, activated, with a profile and a CV, booking
interviews; a waitlist; the company watching its schedule fill up.

All on the DEMO data (``live_server``), in French (the app's default language):

1. The organizer imports a training operator's list (a `;` CSV with accents): the preview
   counts new / updated / unchanged candidates, the import is confirmed and the candidates
   are listed; the same file again changes nothing. A file with one bad line lists it by
   its line number and imports nothing.
2. A new candidate from that import activates the account with the link of the email
   (read from the outbox), completes the profile, uploads a CV (a real PDF made with
   reportlab; a program renamed .pdf is refused first), finds companies in the directory
   (search as you type, filters), books two interviews, moves one, cancels the other and
   downloads the .ics files. Meanwhile the company's representative watches the schedule
   page: the booking and then the move appear WITHOUT a reload (htmx polling), with the
   candidate's name and a CV link that downloads the PDF.
3. Waitlist: Oasis Networks is made fully booked (direct SQL on the demo database: demo
   candidates 71–90 take its free slots); a demo candidate without a CV (candidate116)
   uploads one, joins its waitlist; a demo candidate holding a booking there cancels it; the first one is booked
   automatically (schedule page, email with the .ics, the company's schedule).
4. The candidate's and the organizer's pages on a 390 × 844 phone.

Companies used here and by no other browser test: Télécom Sahel, Banque du Détroit
(journey 2) and Oasis Networks (journey 3). Demo accounts used only here: candidate6
(holds an Oasis Networks booking), candidate14 (looked at only), candidate71–90, candidate95,
candidate98 and candidate116. Demo candidates 1–100 have a CV, 101–120 none (demo.py).

Every page is screenshotted and checked with axe-core (``Browsing.check``).
"""
import io
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from jobfair.timeutil import utc_to_local

from .journeys import (
    expect_same_document,
    flash,
    give_consent,
    heading,
    log_in,
    mark_document,
    menu,
)

pytestmark = pytest.mark.e2e

DEMO_FAIR = "JobInTech Job Fair Casablanca 2026"
ORGANIZER = "organizer@demo.jobfair"
COHORT = "Data & IA — Casablanca 2026"
OPERATOR = "Académie Atlas du Code"
TRACK = "Data & IA"

# The list a training operator sends: three new graduates, one known candidate whose city
# changed (updated) and one known candidate exactly as stored (unchanged).
NEW_CANDIDATES = [
    {"first_name": "Soukaïna", "last_name": "Aït Benhaddou",
     "email": "soukaina.ait-benhaddou@jobintech-e2e.ma", "phone": "06 61 23 45 67",
     "phone_shown": "06 61 23 45 67", "city": "Salé"},
    {"first_name": "Réda", "last_name": "El Ouazzani-Chahdi",
     "email": "reda.elouazzani@jobintech-e2e.ma", "phone": "+212 7 70 12 34 56",
     "phone_shown": "07 70 12 34 56", "city": "Témara"},
    {"first_name": "Noûr-Eddine", "last_name": "Lahlou",
     "email": "nour-eddine.lahlou@jobintech-e2e.ma", "phone": "",
     "phone_shown": "", "city": "Kénitra"},
]
SOUKAINA = NEW_CANDIDATES[0]
SOUKAINA_NAME = f"{SOUKAINA['first_name']} {SOUKAINA['last_name']}"
SOUKAINA_PASSWORD = "Soukaina-e2e-2026"
UPDATED_DEMO = "candidate95@demo.jobfair"  # Data & IA cohort; city changes to Tétouan
UNCHANGED_DEMO = "candidate98@demo.jobfair"  # Data & IA cohort; the line repeats the stored values
NEW_CITY = "Tétouan"
CSV_HEADER = "Prénom;Nom;E-mail;Téléphone;Promotion;Filière;Ville"

# Journey 2: the new candidate's interviews.
TELECOM = "Télécom Sahel"
TELECOM_REP = "recruiter@telecom-sahel.demo.jobfair"
BANK = "Banque du Détroit"
FIRST_TIME, MOVED_TIME, BANK_TIME = "14:00–14:20", "16:00–16:20", "15:00–15:20"

# Journey 3: the waitlist.
OASIS = "Oasis Networks"
OASIS_REP = "recruiter@oasis-networks.demo.jobfair"
WAITING = "candidate116@demo.jobfair"  # no CV in the demo data
HOLDER = "candidate6@demo.jobfair"  # demo.py gives candidate6 an Oasis Networks booking
FILLERS = range(71, 91)  # demo candidates (no booking yet) who take Oasis Networks' free slots

PHONE_CANDIDATE = "candidate14@demo.jobfair"  # has one demo booking (Maghreb Consulting IT)


# --------------------------------------------------------------------------- helpers














WIDE_ELEMENTS = """() => {
    const inner = window.innerWidth;
    const wide = [];
    for (const element of document.querySelectorAll("body *")) {
        const box = element.getBoundingClientRect();
        if (box.right <= inner + 1) continue;
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


def csv_file(tmp_path, name, lines):
    """A training operator's list: `;` separated, UTF-8, header first."""
    path = tmp_path / name
    path.write_text("\n".join([CSV_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def csv_line(first_name, last_name, email, phone, city, cohort=COHORT, track=TRACK):
    return f"{first_name};{last_name};{email};{phone};{cohort};{track};{city}"


def demo_candidate(database, email):
    rows = database.rows(
        "SELECT u.id AS user_id, u.first_name, u.last_name, u.password_hash, c.id, c.phone, "
        "c.city, c.cv_filename, co.name AS cohort "
        "FROM users u JOIN candidates c ON c.user_id = u.id "
        "LEFT JOIN cohorts co ON co.id = c.cohort_id WHERE lower(u.email) = lower(:email)",
        email=email,
    )
    return rows[0] if rows else None


def import_lines(database):
    """The good list: three new candidates, one updated and one unchanged demo candidate."""
    updated = demo_candidate(database, UPDATED_DEMO)
    unchanged = demo_candidate(database, UNCHANGED_DEMO)
    assert updated["cohort"] == COHORT and unchanged["cohort"] == COHORT
    assert updated["city"] != NEW_CITY
    lines = [csv_line(c["first_name"], c["last_name"], c["email"], c["phone"], c["city"])
             for c in NEW_CANDIDATES]
    lines.append(csv_line(updated["first_name"], updated["last_name"], UPDATED_DEMO.upper(),
                          "", NEW_CITY))
    lines.append(csv_line(unchanged["first_name"], unchanged["last_name"], UNCHANGED_DEMO,
                          unchanged["phone"], unchanged["city"]))
    return lines, updated, unchanged


def upload_list(tab, path):
    """On the import page: choose the file, keep "cohort column of the file", check it."""
    page = tab.page
    page.get_by_label("Liste des candidats", exact=True).set_input_files(str(path))
    expect(page.get_by_label("Promotion", exact=True)).to_have_value("0")
    page.get_by_role("button", name="Vérifier le fichier", exact=True).click()


def open_import_page(tab):
    page = tab.page
    menu(tab, "Candidats")
    expect(heading(tab)).to_have_text("Candidats")
    page.get_by_role("link", name="Importer des candidats", exact=True).click()
    expect(heading(tab)).to_have_text("Importer des candidats")


def expect_counts(page, lines, created, updated, unchanged, problems):
    for key, value in (("lines", lines), ("created", created), ("updated", updated),
                       ("unchanged", unchanged), ("problems", problems)):
        expect(page.locator(f"#count-{key}")).to_have_text(str(value))


def outbox(database, recipient):
    return database.rows(
        "SELECT subject, body_text, attachment_name, attachment_text FROM outbox_messages "
        "WHERE lower(recipient) = lower(:recipient) ORDER BY id",
        recipient=recipient,
    )


def activation_link(database, base_url, email):
    messages = outbox(database, email)
    assert [m["subject"] for m in messages] == ["Activez votre compte jobfair"], messages
    body = messages[0]["body_text"]
    assert "Votre opérateur de formation vous a inscrit(e)" in body and COHORT in body
    match = re.search(r"(https?://\S+)(/invitation/\S+)", body)
    assert match, body
    assert match.group(1) == base_url, "the link must point at the server (BASE_URL)"
    return match.group(2)


def ensure_imported(open_page, database, tmp_path):
    """The import of journey 1, when this test runs without it (``-k``)."""
    if demo_candidate(database, SOUKAINA["email"]) is not None:
        return
    tab = open_page(suffix="import")
    log_in(tab, ORGANIZER)
    open_import_page(tab)
    lines, _updated, _unchanged = import_lines(database)
    upload_list(tab, csv_file(tmp_path, "liste.csv", lines))
    tab.page.get_by_role("button", name="Importer", exact=True).click()
    expect(heading(tab)).to_have_text("Candidats")


def cv_pdf(name):
    """A one-page CV made with reportlab: a real PDF, as a candidate would export it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    document.setTitle(f"CV {name}")
    document.drawString(72, 770, name)
    document.drawString(72, 750, "Data analyst junior · Python, SQL, Power BI")
    document.showPage()
    document.save()
    return buffer.getvalue()


def upload_cv(tab, name, data):
    page = tab.page
    page.get_by_label("Votre CV (PDF, 5 Mo au maximum)", exact=True).set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": data})
    page.locator("#cv-form").get_by_role(
        "button", name=re.compile(r"^(Déposer|Remplacer) mon CV$")).click()


def local_time(value):
    """A stored naive UTC datetime (a string on SQLite) as local HH:MM."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return utc_to_local(value).strftime("%H:%M")


def unfold(ics_text):
    """An .ics as one logical line per property (RFC 5545 folds long lines)."""
    return ics_text.replace("\r\n ", "").replace("\n ", "")


def download_text(page, link):
    with page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, open(download.path(), encoding="utf-8").read()


def open_directory(tab):
    """From the candidate's space: the fair's card → its company directory."""
    page = tab.page
    menu(tab, "Mon espace")
    card = page.locator("#my-fairs li.card").filter(has_text=DEMO_FAIR)
    card.get_by_role("link", name=f"Entreprises et entretiens · {DEMO_FAIR}", exact=True).click()
    expect(heading(tab)).to_have_text(f"Entreprises présentes à {DEMO_FAIR}")


def fair_id(page):
    return int(re.search(r"/me/fairs/(\d+)/", page.url).group(1))


def wait_for_htmx_triggers(page, selector="input[type=search][hx-get]"):
    """Wait until htmx has bound the triggers of ``selector``.

    After a boosted navigation htmx binds the new content's triggers when it settles; keys
    typed before that are not "as you type" (a user cannot type that fast, a test can).
    """
    page.wait_for_function(
        """(selector) => {
            const input = document.querySelector(selector);
            const data = input && input['htmx-internal-data'];
            return !!(data && data.listenerInfos && data.listenerInfos.length);
        }""",
        arg=selector,
    )


def search_as_you_type(page, text):
    """Type in the directory's search box, as a person would, once htmx listens."""
    search = page.get_by_label("Rechercher", exact=True)
    search.wait_for()
    wait_for_htmx_triggers(page)
    search.press_sequentially(text)


def company_cards(page):
    return page.locator("#results li.card h2")


def open_company(tab, name):
    page = tab.page
    page.locator("#results").get_by_role("link", name=name, exact=True).click()
    expect(heading(tab)).to_have_text(name)


def schedule_cards(page):
    return page.locator("ol.bk-schedule > li.card")


def booking_card(page, company):
    return schedule_cards(page).filter(has=page.get_by_role("link", name=company, exact=True))


def open_company_schedule(tab, rep, company):
    page = tab.page
    log_in(tab, rep)
    expect(heading(tab)).to_have_text(company)
    page.get_by_role("link", name=f"Planning des entretiens — {DEMO_FAIR}", exact=True).click()
    expect(heading(tab)).to_have_text(f"Planning des entretiens · {DEMO_FAIR}")


def rep_slot_row(page, times):
    return page.locator("tr.sch-slot").filter(
        has=page.get_by_role("rowheader", name=times, exact=True))


LIVE = 25_000  # ms: the schedule polls every 10 s


# --------------------------------------------------------------------------- 1. import


def test_organizer_imports_a_training_operators_list(open_page, demo_database, tmp_path, live_server):
    tab = open_page()
    page = tab.page
    log_in(tab, ORGANIZER)
    open_import_page(tab)
    expect(page.get_by_label("Promotion", exact=True)).to_contain_text(COHORT)
    tab.check("01-upload-form")

    lines, updated, unchanged = import_lines(demo_database)
    path = csv_file(tmp_path, "promo-data-ia-casablanca.csv", lines)
    upload_list(tab, path)

    # --- The preview: what the import will do, nothing saved yet.
    expect(heading(tab)).to_have_text("Aperçu de l'import")
    expect(page).to_have_url(re.compile(r"/organizer/candidates/import/[^/]+$"))
    expect(page.locator("main")).to_contain_text("promo-data-ia-casablanca.csv")
    expect(page.locator("main")).to_contain_text("lu comme du texte UTF-8")
    expect_counts(page, lines=5, created=3, updated=1, unchanged=1, problems=0)
    creates = page.locator("#import-creates tbody tr")
    expect(creates).to_have_count(3)
    for row, person in zip(creates.all(), NEW_CANDIDATES):
        expect(row.get_by_role("rowheader")).to_have_text(f"{person['first_name']} {person['last_name']}")
        expect(row).to_contain_text(person["email"])
        expect(row).to_contain_text(person["city"])
        expect(row).to_contain_text(COHORT)
        if person["phone_shown"]:
            expect(row.locator(".import-phone")).to_have_text(person["phone_shown"])
    expect(creates.first.locator("td.num")).to_have_text("2")  # spreadsheet line numbers
    update = page.locator("#import-updates tbody tr")
    expect(update).to_have_count(1)
    expect(update.locator("td.num")).to_have_text("5")
    expect(update.get_by_role("rowheader")).to_contain_text(
        f"{updated['first_name']} {updated['last_name']}")
    expect(update.locator("del")).to_have_text(updated["city"])
    expect(update.locator("ins")).to_have_text(NEW_CITY)
    page.get_by_text("Les afficher", exact=True).click()
    expect(page.locator(".import-unchanged li")).to_have_text(
        [re.compile(rf"^ligne 6\s*: {unchanged['first_name']} {unchanged['last_name']} \({UNCHANGED_DEMO}\)$")])
    expect(page.locator(".import-confirm")).to_contain_text(
        "3 nouveaux candidats recevront un e-mail pour activer leur compte.")
    assert demo_candidate(demo_database, SOUKAINA["email"]) is None, "the preview saved nothing"
    assert outbox(demo_database, SOUKAINA["email"]) == []
    tab.check("02-preview")

    # --- Confirmed: the candidates are there, each new one is emailed an activation link.
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page).to_have_url(re.compile(r"/organizer/candidates$"))
    expect(heading(tab)).to_have_text("Candidats")
    expect(flash(tab)).to_contain_text(re.compile(
        r"3 candidats créés \(un e-mail d'activation est en route pour chacun\) · 1 mis à jour · 1 inchangé"))
    tab.check("03-imported")

    search = page.get_by_label("Rechercher", exact=True)
    wait_for_htmx_triggers(page, "form[hx-target='#candidate-results']")
    search.fill("jobintech-e2e")
    expect(page.locator("#candidate-count")).to_have_text("3 candidats")
    rows = page.locator("#candidate-list tbody tr")
    # Sorted by last name: Aït Benhaddou, El Ouazzani-Chahdi, Lahlou.
    expect(rows.get_by_role("rowheader")).to_have_text(
        [f"{c['last_name']} {c['first_name']}" for c in NEW_CANDIDATES])
    for row, person in zip(rows.all(), NEW_CANDIDATES):
        expect(row).to_contain_text(person["email"])
        expect(row).to_contain_text(COHORT)
        expect(row).to_contain_text(person["city"])
        expect(row.locator(".import-phone")).to_have_text(person["phone_shown"])
        expect(row.locator(".import-account")).to_contain_text("Pas encore activé")
    expect(page).to_have_url(re.compile(r"[?&]q=jobintech-e2e"))  # the search is in the URL
    tab.check("04-candidates-searched")

    search.fill(updated["last_name"])
    page.get_by_label("Promotion", exact=True).select_option(label=f"{COHORT} · {OPERATOR} · {TRACK}")
    row = page.locator("#candidate-list tbody tr").filter(has_text=UPDATED_DEMO)
    expect(row).to_contain_text(NEW_CITY)
    expect(row.locator(".import-account")).to_contain_text("Activé")

    for person in NEW_CANDIDATES:
        messages = outbox(demo_database, person["email"])
        assert [m["subject"] for m in messages] == ["Activez votre compte jobfair"], messages
        assert f"{live_server}/invitation/" in messages[0]["body_text"]
    assert outbox(demo_database, UPDATED_DEMO) == [], "an updated candidate receives no email"
    assert outbox(demo_database, UNCHANGED_DEMO) == []

    # --- The same file again, on a phone: nothing to import, nothing sent.
    phone = open_page(device="phone", suffix="again")
    log_in(phone, ORGANIZER)
    phone.goto("/organizer/candidates/import")
    expect(heading(phone)).to_have_text("Importer des candidats")
    expect_no_horizontal_scroll(phone)
    phone.check("05-upload-form")
    upload_list(phone, path)
    expect(heading(phone)).to_have_text("Aperçu de l'import")
    expect_counts(phone.page, lines=5, created=0, updated=0, unchanged=5, problems=0)
    expect(phone.page.locator("#import-nothing")).to_contain_text(
        "chaque ligne correspond aux candidats existants")
    expect(phone.page.get_by_role("button", name="Importer", exact=True)).to_have_count(0)
    expect_no_horizontal_scroll(phone)
    phone.check("06-preview-nothing-to-import")
    for person in NEW_CANDIDATES:
        assert len(outbox(demo_database, person["email"])) == 1
    assert demo_database.rows(
        "SELECT count(*) AS n FROM users WHERE lower(email) LIKE '%jobintech-e2e.ma'")[0]["n"] == 3


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_list_with_one_bad_line_imports_nothing(open_page, demo_database, tmp_path, device):
    tab = open_page(device=device)
    page = tab.page
    good = [f"ines.benkirane.{device}@jobintech-e2e.ma", f"yassine.cherkaoui.{device}@jobintech-e2e.ma"]
    lines = [
        csv_line("Inès", "Benkirane", good[0], "0612345678", "Casablanca"),
        csv_line("Hamid", "Filali", "hamid.filali@@jobintech-e2e", "0655443322", "Fès"),
        csv_line("Yassine", "Cherkaoui", good[1], "", "Oujda"),
    ]
    log_in(tab, ORGANIZER)
    open_import_page(tab)
    upload_list(tab, csv_file(tmp_path, "liste-avec-erreur.csv", lines))

    # The same page, with the bad line by its spreadsheet number and the reason.
    expect(heading(tab)).to_have_text("Importer des candidats")
    expect(page).to_have_url(re.compile(r"/organizer/candidates/import$"))
    expect_counts(page, lines=3, created=2, updated=0, unchanged=0, problems=1)
    problems = page.locator("#import-problems")
    expect(problems.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"^1 ligne à corriger\s*: rien n'a été importé$"))
    expect(problems.locator("tbody tr")).to_have_count(1)
    line = problems.locator("#line-3")
    expect(line.get_by_role("rowheader")).to_have_text("3")
    expect(line.locator("td")).to_have_text(
        re.compile(r"«\shamid\.filali@@jobintech-e2e\s» n'est pas une adresse e-mail valide\."))
    expect(page.get_by_role("button", name="Importer", exact=True)).to_have_count(0)
    if device == "phone":
        expect_no_horizontal_scroll(tab)
    tab.check("bad-line")

    # Nothing was imported, not even the good lines.
    for email in good:
        assert demo_candidate(demo_database, email) is None
        assert outbox(demo_database, email) == []
    tab.goto("/organizer/candidates")
    page.get_by_label("Rechercher", exact=True).fill(f".{device}@jobintech-e2e")
    expect(page.locator("#candidate-results")).to_contain_text("Aucun candidat ne correspond.")
    expect(page.locator("#candidate-count")).to_have_text("0 candidat")


# --------------------------------------------------------------------------- 2. a new candidate books


def test_imported_candidate_activates_completes_the_profile_and_books(
        open_page, demo_database, tmp_path, live_server):
    ensure_imported(open_page, demo_database, tmp_path)

    # --- The company's representative keeps the schedule page open all along.
    rep = open_page(suffix="company")
    open_company_schedule(rep, TELECOM_REP, TELECOM)
    first_row, moved_row = rep_slot_row(rep.page, FIRST_TIME), rep_slot_row(rep.page, MOVED_TIME)
    expect(first_row.locator(".sch-status")).to_have_text("Libre")
    expect(moved_row.locator(".sch-status")).to_have_text("Libre")
    mark_document(rep.page)
    rep.check("01-company-schedule")

    # --- Activation through the emailed link.
    tab = open_page(suffix="candidate")
    page = tab.page
    tab.goto(activation_link(demo_database, live_server, SOUKAINA["email"]))
    expect(heading(tab)).to_have_text("Activez votre compte")
    expect(page.locator("main")).to_contain_text(SOUKAINA["email"])
    expect(page.get_by_label("Prénom", exact=True)).to_have_value(SOUKAINA["first_name"])
    expect(page.get_by_label("Nom", exact=True)).to_have_value(SOUKAINA["last_name"])
    tab.check("02-activation")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(SOUKAINA_PASSWORD)
    page.get_by_label("Confirmez le mot de passe", exact=True).fill(SOUKAINA_PASSWORD)
    page.get_by_role("button", name="Activer mon compte", exact=True).click()
    expect(page).to_have_url(tab.url("/me/"))
    expect(heading(tab)).to_have_text(f"Bonjour {SOUKAINA['first_name']}")
    expect(flash(tab)).to_contain_text("Votre compte est prêt.")
    expect(page.locator("#my-cohort")).to_contain_text(COHORT)
    expect(page.locator("#missing-items li")).to_have_text(["CV (PDF)"])  # phone and city came with the import
    tab.check("03-home-profile-incomplete")

    # --- The profile.
    page.get_by_role("link", name="Compléter mon profil", exact=True).click()
    expect(heading(tab)).to_have_text("Mon profil")
    expect(page.get_by_label("Téléphone", exact=True)).to_have_value(SOUKAINA["phone_shown"])
    expect(page.get_by_label("Ville", exact=True)).to_have_value(SOUKAINA["city"])
    expect(page.locator("#cohort")).to_contain_text(COHORT)
    page.get_by_label("Téléphone", exact=True).fill("+212 (0)6 61 98 76 54")
    page.get_by_label("Ville", exact=True).fill("Rabat")
    page.get_by_label("Profil LinkedIn", exact=True).fill(
        "https://www.linkedin.com/in/soukaina-ait-benhaddou")
    page.get_by_label("Compétences", exact=True).fill("Python, SQL, Power BI, Apprentissage automatique")
    pitch = ("Lauréate du bootcamp Data & IA, je transforme des données brutes en tableaux de bord "
             "clairs. Je cherche un premier poste d'analyste à Casablanca ou à Rabat.")
    page.get_by_label("Votre présentation", exact=True).fill(pitch)
    expect(page.locator("#pitch-counter")).to_have_text(f"{len(pitch)} caractères sur 500")
    tab.check("04-profile-form")
    page.get_by_role("button", name="Enregistrer mon profil", exact=True).click()
    expect(flash(tab)).to_contain_text("Votre profil est enregistré.")
    expect(page.get_by_label("Téléphone", exact=True)).to_have_value("06 61 98 76 54")
    expect(page.get_by_label("Ville", exact=True)).to_have_value("Rabat")
    expect(page.get_by_label("Profil LinkedIn", exact=True)).to_have_value(
        "https://www.linkedin.com/in/soukaina-ait-benhaddou")
    expect(page.get_by_label("Votre présentation", exact=True)).to_have_value(pitch)
    expect(page.locator(".cand-skills li")).to_have_text(
        ["Python", "SQL", "Power BI", "Apprentissage automatique"])
    expect(page.locator("#profile-missing li")).to_have_text(["CV (PDF)"])
    expect(page.locator("#no-cv")).to_be_visible()

    # --- The CV: a program renamed .pdf is refused next to the field, a real PDF is kept.
    upload_cv(tab, "cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this is a renamed program")
    expect(page.locator("#cv-error")).to_have_text(re.compile(r"Ce fichier n'est pas un PDF\."))
    expect(page.get_by_label("Votre CV (PDF, 5 Mo au maximum)", exact=True)).to_have_attribute(
        "aria-invalid", "true")
    expect(page.locator("#no-cv")).to_be_visible()
    tab.check("05-cv-refused")
    cv = cv_pdf(SOUKAINA_NAME)
    upload_cv(tab, "CV Soukaïna Aït Benhaddou.pdf", cv)
    expect(flash(tab)).to_contain_text("Votre CV est enregistré.")
    expect(page.locator("#profile-complete")).to_be_visible()
    expect(page.locator("#current-cv")).to_contain_text("Votre CV a été déposé le")
    own_cv = page.locator("#current-cv").get_by_role("link", name="Le télécharger", exact=True)
    response = page.request.get(tab.url(own_cv.get_attribute("href")))
    assert response.status == 200 and response.body() == cv
    tab.check("06-profile-complete")

    # --- Companies see her name, contacts and CV once she agrees (law 09-08).
    give_consent(tab, DEMO_FAIR)
    tab.check("06b-consent-given")

    # --- The directory: search as you type, filters.
    open_directory(tab)
    expect(page.locator(".bk-count")).to_have_text("12 entreprises")
    tab.check("07-directory")
    mark_document(page)
    search_as_you_type(page, "telecom")  # accents are not needed
    expect(company_cards(page)).to_have_text([TELECOM])
    expect(page.locator(".bk-count")).to_have_text("1 entreprise · filtrées")
    expect(page).to_have_url(re.compile(r"[?&]q=telecom"))
    page.get_by_label("Rechercher", exact=True).fill("")
    page.get_by_label("Secteur", exact=True).select_option("telecom")
    expect(company_cards(page)).to_have_text([OASIS, TELECOM])
    page.get_by_label("Type de contrat", exact=True).select_option("cdd")
    expect(company_cards(page)).to_have_text([OASIS])  # Télécom Sahel offers permanent contracts only
    page.get_by_label("Type de contrat", exact=True).select_option("")
    page.get_by_label("Filière recherchée", exact=True).select_option(label="Mobile")
    expect(company_cards(page)).to_have_text([TELECOM])
    page.get_by_label("Seulement les entreprises ayant des créneaux libres", exact=True).check()
    expect(company_cards(page)).to_have_text([TELECOM])
    expect(page.locator("#results .bk-free-no")).to_have_count(0)
    expect_same_document(page)
    tab.check("08-directory-filtered")
    page.get_by_role("link", name="Effacer les filtres", exact=True).click()
    expect(page).to_have_url(tab.url(f"/me/fairs/{fair_id(page)}/companies"))
    expect(page.locator("h1")).to_have_count(1)  # a page, not a page inside the results
    expect(page.get_by_label("Secteur", exact=True)).to_have_value("")
    expect(page.locator(".bk-count")).to_have_text("12 entreprises")

    # --- A company's page; the first booking (htmx).
    open_company(tab, TELECOM)
    expect(page.locator(".bk-fair")).to_contain_text("Stand A5")
    positions = page.locator("section[aria-labelledby='positions-title'] li")
    expect(positions).to_have_count(2)
    expect(positions.first).to_contain_text("Ingénieur Cloud")
    expect(page.locator("#slots")).not_to_contain_text("Complétez votre profil")
    tab.check("09-company")
    mark_document(page)
    page.get_by_role("button", name=f"Réserver {FIRST_TIME}", exact=True).click()
    slots = page.locator("#slots")
    expect(slots.get_by_role("status")).to_contain_text(f"Entretien réservé avec {TELECOM} le")
    expect(page.locator("#my-booking")).to_contain_text(FIRST_TIME)
    expect(page.get_by_role("button", name=f"Réserver {MOVED_TIME}", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name=f"Déplacer mon entretien ici {MOVED_TIME}",
                            exact=True)).to_be_visible()
    expect_same_document(page)
    tab.check("10-company-booked")

    # The representative's page shows it without a reload, with the CV.
    expect(first_row).to_contain_text(SOUKAINA_NAME, timeout=LIVE)
    expect(first_row.locator(".sch-status")).to_have_text("Réservé")
    expect_same_document(rep.page)
    cv_link = first_row.get_by_role("link", name=f"CV (PDF) de {SOUKAINA_NAME}", exact=True)
    expect(cv_link).to_have_attribute("href", re.compile(r"^/candidates/\d+/cv$"))
    response = rep.page.request.get(rep.url(cv_link.get_attribute("href")))
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == cv
    rep.check("11-company-schedule-booked")

    # --- The second booking, with another company.
    page.get_by_role("link", name="Toutes les entreprises", exact=True).click()
    expect(heading(tab)).to_have_text(f"Entreprises présentes à {DEMO_FAIR}")
    search_as_you_type(page, "détroit")
    expect(company_cards(page)).to_have_text([BANK, "Détroit Logistique IT"])
    open_company(tab, BANK)
    page.get_by_role("button", name=f"Réserver {BANK_TIME}", exact=True).click()
    expect(page.locator("#slots").get_by_role("status")).to_contain_text(f"Entretien réservé avec {BANK} le")
    page.locator("#slots").get_by_role("link", name="Voir mes entretiens", exact=True).click()

    # --- My interviews: two, in time order, with their booths.
    expect(heading(tab)).to_have_text(f"Mes entretiens · {DEMO_FAIR}")
    expect(schedule_cards(page).locator("h2")).to_have_text(
        [f"{FIRST_TIME} · {TELECOM}", f"{BANK_TIME} · {BANK}"])
    expect(booking_card(page, TELECOM)).to_contain_text("Stand A5")
    expect(booking_card(page, BANK)).to_contain_text("Stand A3")
    tab.check("12-my-interviews")

    # --- Move the Télécom Sahel interview to 16:00 (the same company).
    telecom = booking_card(page, TELECOM)
    telecom.locator("summary").filter(has_text="Changer d'horaire").click()
    choice = telecom.get_by_label("Nouvel horaire", exact=True)
    expect(choice.locator("option", has_text=BANK_TIME)).to_have_count(0)  # another company's time
    choice.select_option(label=f"{MOVED_TIME} · Table 1")
    tab.check("13-move")
    telecom.get_by_role("button", name="Déplacer mon entretien", exact=True).click()
    expect(flash(tab)).to_contain_text(
        f"Votre entretien avec {TELECOM} commence désormais à {MOVED_TIME}.")
    expect(schedule_cards(page).locator("h2")).to_have_text(
        [f"{BANK_TIME} · {BANK}", f"{MOVED_TIME} · {TELECOM}"])

    # The representative sees the move, still without a reload.
    expect(moved_row).to_contain_text(SOUKAINA_NAME, timeout=LIVE)
    expect(first_row.locator(".sch-status")).to_have_text("Libre")
    expect(first_row).not_to_contain_text(SOUKAINA_NAME)
    expect_same_document(rep.page)
    rep.check("14-company-schedule-moved")

    # --- Cancel the Banque du Détroit interview (the browser asks for confirmation first).
    page.once("dialog", lambda dialog: dialog.accept())
    booking_card(page, BANK).get_by_role(
        "button", name=f"Annuler cet entretien · {BANK}", exact=True).click()
    expect(flash(tab)).to_contain_text(f"Votre entretien avec {BANK} est annulé.")
    expect(schedule_cards(page).locator("h2")).to_have_text([f"{MOVED_TIME} · {TELECOM}"])
    tab.check("15-after-cancel")

    # --- Calendar files.
    name, text = download_text(page, booking_card(page, TELECOM).get_by_role(
        "link", name=f"Ajouter à mon agenda (.ics) · {TELECOM}", exact=True))
    assert name.endswith(".ics") and "telecom-sahel" in name, name
    assert text.startswith("BEGIN:VCALENDAR"), text[:200]
    text = unfold(text)
    assert "SUMMARY:Entretien avec Télécom Sahel" in text, text
    assert "STATUS:CONFIRMED" in text
    assert "Technopark" in text and "Stand A5" in text
    name, text = download_text(page, page.get_by_role(
        "link", name="Ajouter toute la journée à mon agenda (.ics)", exact=True))
    assert name == "interviews-jobintech-casablanca-2026.ics", name
    assert text.startswith("BEGIN:VCALENDAR")
    assert unfold(text).count("BEGIN:VEVENT") == 1  # the cancelled interview is not in the day

    # --- The emails, each with its calendar file (rendered by the mail worker).
    demo_database.deliver()
    messages = outbox(demo_database, SOUKAINA["email"])
    subjects = [m["subject"] for m in messages]
    assert len(subjects) == 5, subjects
    assert subjects[0] == "Activez votre compte jobfair"
    assert re.match(rf"Entretien réservé avec {TELECOM} le .+ à 14:00$", subjects[1]), subjects
    assert re.match(rf"Entretien réservé avec {BANK} le .+ à 15:00$", subjects[2]), subjects
    assert subjects[3] == f"Entretien avec {TELECOM} déplacé à 16:00", subjects
    assert subjects[4] == f"Entretien avec {BANK} annulé", subjects
    for message in messages[1:]:
        assert message["attachment_name"].endswith(".ics"), message["attachment_name"]
        assert message["attachment_text"].startswith("BEGIN:VCALENDAR")
    assert "METHOD:CANCEL" in messages[4]["attachment_text"]

    # After a reload, the representative's page says the same.
    rep.page.reload()
    expect(rep_slot_row(rep.page, MOVED_TIME)).to_contain_text(SOUKAINA_NAME)
    expect(rep_slot_row(rep.page, FIRST_TIME).locator(".sch-status")).to_have_text("Libre")


# --------------------------------------------------------------------------- 3. the waitlist


def fill_free_slots(database, company, numbers):
    """Every free slot of ``company`` booked by demo candidates (who hold nothing there)."""
    from sqlalchemy import text

    now = datetime.now(UTC).replace(tzinfo=None)
    with database.engine.begin() as connection:
        participation_id = connection.execute(text(
            "SELECT p.id FROM participations p JOIN companies c ON c.id = p.company_id "
            "WHERE c.name = :name"), {"name": company}).scalar_one()
        slots = connection.execute(text(
            "SELECT s.id FROM slots s JOIN interview_tables t ON t.id = s.table_id "
            "WHERE t.participation_id = :participation AND s.booked_count < s.capacity "
            "AND s.is_blocked = :no ORDER BY s.starts_at, s.id"),
            {"participation": participation_id, "no": False}).scalars().all()
        numbers = list(numbers)
        assert len(slots) <= len(numbers), (len(slots), len(numbers))
        for slot_id, number in zip(slots, numbers):
            candidate_id = connection.execute(text(
                "SELECT c.id FROM candidates c JOIN users u ON u.id = c.user_id "
                "WHERE u.email = :email"), {"email": f"candidate{number}@demo.jobfair"}).scalar_one()
            connection.execute(text(
                "INSERT INTO bookings (slot_id, candidate_id, participation_id, status, created_at) "
                "VALUES (:slot, :candidate, :participation, 'active', :now)"),
                {"slot": slot_id, "candidate": candidate_id, "participation": participation_id,
                 "now": now})
            connection.execute(text(
                "UPDATE slots SET booked_count = booked_count + 1 WHERE id = :slot"), {"slot": slot_id})
    return len(slots)


def holder_booking(database):
    rows = database.rows(
        "SELECT b.id, b.status, s.starts_at, s.ends_at FROM bookings b "
        "JOIN slots s ON s.id = b.slot_id "
        "JOIN participations p ON p.id = b.participation_id "
        "JOIN companies co ON co.id = p.company_id "
        "JOIN candidates c ON c.id = b.candidate_id JOIN users u ON u.id = c.user_id "
        "WHERE u.email = :email AND co.name = :company ORDER BY b.id",
        email=HOLDER, company=OASIS,
    )
    assert rows, f"{HOLDER} should hold a booking with {OASIS} (demo data)"
    return rows[-1]


def test_waitlisted_candidate_is_booked_when_another_cancels(open_page, demo_database):
    holder = holder_booking(demo_database)
    assert holder["status"] == "active"
    freed = f"{local_time(holder['starts_at'])}–{local_time(holder['ends_at'])}"
    assert fill_free_slots(demo_database, OASIS, FILLERS) > 0
    waiting = demo_candidate(demo_database, WAITING)
    waiting_name = f"{waiting['first_name']} {waiting['last_name']}"
    assert waiting["cv_filename"] is None  # a demo candidate: no CV yet

    # --- The company watches its schedule: every slot is booked.
    rep = open_page(suffix="company")
    open_company_schedule(rep, OASIS_REP, OASIS)
    freed_row = rep_slot_row(rep.page, freed)
    expect(rep.page.locator("tr.sch-slot-free")).to_have_count(0)
    expect(freed_row.locator(".sch-booked li")).to_have_count(1)
    expect(freed_row).not_to_contain_text(waiting_name)
    mark_document(rep.page)
    rep.check("01-company-schedule-full")

    # --- The waiting candidate: no CV, so booking pages say what is missing; upload one.
    tab = open_page(suffix="waiting")
    page = tab.page
    log_in(tab, WAITING)
    expect(page.locator("#missing-items li")).to_have_text(["CV (PDF)"])
    menu(tab, "Mon profil")
    expect(heading(tab)).to_have_text("Mon profil")
    upload_cv(tab, "mon-cv.pdf", cv_pdf(waiting_name))
    expect(flash(tab)).to_contain_text("Votre CV est enregistré.")
    expect(page.locator("#profile-complete")).to_be_visible()
    give_consent(tab, DEMO_FAIR)  # the company will see who took the place

    open_directory(tab)
    search_as_you_type(page, "oasis")
    expect(company_cards(page)).to_have_text([OASIS])
    expect(page.locator("#results .bk-free-no")).to_contain_text(
        "Aucun créneau libre : vous pouvez vous inscrire sur la liste d'attente")
    open_company(tab, OASIS)
    slots = page.locator("#slots")
    expect(slots).to_contain_text("Aucun créneau libre avec cette entreprise pour le moment.")
    expect(slots.locator("table")).to_have_count(0)
    tab.check("02-company-full")
    slots.get_by_role("button", name="S'inscrire sur la liste d'attente", exact=True).click()
    expect(flash(tab)).to_contain_text(
        f"Vous êtes en position 1 sur la liste d'attente de {OASIS}.")
    expect(page.locator("#waitlist")).to_contain_text("Vous êtes en position 1")
    expect(page.locator("#waitlist").get_by_role(
        "button", name="Quitter la liste d'attente", exact=True)).to_be_visible()
    tab.check("03-on-the-waitlist")
    page.get_by_role("link", name="Mes entretiens", exact=True).click()
    expect(heading(tab)).to_have_text(f"Mes entretiens · {DEMO_FAIR}")
    expect(page.locator("main")).to_contain_text("Aucun entretien réservé pour l'instant.")
    expect(page.locator("section[aria-labelledby='waiting-title'] li")).to_have_text(
        [re.compile(rf"{OASIS}\s*· en position 1")])
    tab.check("04-schedule-waiting")

    # --- The candidate holding a booking there cancels it.
    other = open_page(suffix="holder")
    log_in(other, HOLDER)
    other.page.get_by_role("link", name=f"Mon planning · {DEMO_FAIR}", exact=True).click()
    expect(heading(other)).to_have_text(f"Mes entretiens · {DEMO_FAIR}")
    card = booking_card(other.page, OASIS)
    expect(card.locator("h2")).to_have_text(f"{freed} · {OASIS}")
    other.check("05-holder-schedule")
    other.page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name=f"Annuler cet entretien · {OASIS}", exact=True).click()
    expect(flash(other)).to_contain_text(f"Votre entretien avec {OASIS} est annulé.")
    expect(booking_card(other.page, OASIS)).to_have_count(0)

    # --- The first in line got the place: schedule, email with the .ics.
    page.reload()
    expect(schedule_cards(page).locator("h2")).to_have_text([f"{freed} · {OASIS}"])
    expect(page.locator("section[aria-labelledby='waiting-title']")).to_have_count(0)
    tab.check("06-schedule-promoted")
    demo_database.deliver()
    promoted = [m for m in outbox(demo_database, WAITING)
                if "Une place s'est libérée" in m["subject"]]
    assert len(promoted) == 1, outbox(demo_database, WAITING)
    assert OASIS in promoted[0]["subject"]
    assert f"de {freed.replace('–', ' à ')}" in promoted[0]["body_text"], promoted[0]["body_text"]
    assert promoted[0]["attachment_name"].endswith(".ics")
    assert promoted[0]["attachment_text"].startswith("BEGIN:VCALENDAR")
    assert holder_booking(demo_database)["status"] == "cancelled"

    # --- And the company sees who took the place, without a reload.
    expect(freed_row).to_contain_text(waiting_name, timeout=LIVE)
    expect(freed_row.get_by_role("link", name=f"CV (PDF) de {waiting_name}", exact=True)).to_be_visible()
    expect_same_document(rep.page)
    rep.check("07-company-schedule-promoted")


# --------------------------------------------------------------------------- 4. on a phone


def test_candidate_pages_on_a_phone(open_page):
    tab = open_page(device="phone")
    page = tab.page
    log_in(tab, PHONE_CANDIDATE)
    expect(heading(tab)).to_have_text(re.compile(r"^Bonjour \w"))
    expect_no_horizontal_scroll(tab)
    tab.check("01-home")

    menu(tab, "Mon profil")
    expect(heading(tab)).to_have_text("Mon profil")
    expect_no_horizontal_scroll(tab)
    tab.check("02-profile")

    open_directory(tab)
    expect(page.locator(".bk-count")).to_have_text("12 entreprises")
    expect_no_horizontal_scroll(tab)
    tab.check("03-directory")

    open_company(tab, "Souss Software")
    expect(page.locator(".bk-slots tbody tr").first).to_be_visible()
    expect(page.locator("#slots")).not_to_contain_text("Complétez votre profil")  # demo CV
    expect(page.get_by_role("button", name=re.compile(r"^Réserver ")).first).to_be_visible()
    expect_no_horizontal_scroll(tab)
    tab.check("04-company")

    page.get_by_role("link", name="Mes entretiens", exact=True).click()
    expect(heading(tab)).to_have_text(f"Mes entretiens · {DEMO_FAIR}")
    expect(schedule_cards(page)).to_have_count(1)
    booking_card(page, "Maghreb Consulting IT").locator("summary").click()
    expect_no_horizontal_scroll(tab)
    tab.check("05-my-interviews")


def test_organizer_candidate_list_on_a_phone(open_page):
    tab = open_page(device="phone")
    page = tab.page
    log_in(tab, ORGANIZER)
    tab.goto("/organizer/candidates")
    expect(heading(tab)).to_have_text("Candidats")
    expect(page.locator("#candidate-list tbody tr")).to_have_count(50)  # one page
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 1 sur")
    expect_no_horizontal_scroll(tab)
    tab.check("candidates")
