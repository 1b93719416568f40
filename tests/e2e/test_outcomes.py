"""After the fair, in a real browser (issue 6), on the demo's past fair in Rabat (closed,
with bookings, company outcomes and candidate follow-ups; see jobfair/demo.py):

1. A company representative (Argan Tech) records an outcome inline: "hired" without a
   contract type shows the error in the candidate's row (htmx swap, nothing stored); with a
   contract it is saved and the row says so.
2. A candidate opens a follow-up link — built exactly as the follow-up email builds it, signed
   with the server's key — without logging in, answers "employed" with its details and sees
   the confirmation; the answer is stored with its source.
3. The organizer filters the insertion dashboard on the Rabat fair, reads the three rates with
   their definitions, follows a number to the candidates behind it, and downloads every export
   (CSV for French Excel and standard CSV, XLSX, the PDF report).

Demo accounts used only here: recruiter@argan-tech (candidate93's row), candidate96
(the follow-up link).
"""
import csv
import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import SERVER_SECRET_KEYS
from .journeys import log_in

pytestmark = pytest.mark.e2e

PAST_FAIR = "JobInTech Job Fair Rabat 2026"
PAST_FAIR_SLUG = "jobintech-rabat-2026"
REP = "recruiter@argan-tech.demo.jobfair"
ORGANIZER = "organizer@demo.jobfair"
MET_CANDIDATE = "candidate93@demo.jobfair"  # attended Argan Tech's interview; no outcome yet
FOLLOWED_CANDIDATE = "candidate96@demo.jobfair"  # Rabat cohort, never asked yet
RABAT_COHORT_SIZE = 40




def candidate_id(database, email):
    (row,) = database.rows(
        "SELECT c.id FROM candidates c JOIN users u ON u.id = c.user_id "
        "WHERE lower(u.email) = lower(:email)", email=email)
    return row["id"]


def past_fair_id(database):
    (row,) = database.rows("SELECT id FROM fairs WHERE slug = :slug", slug=PAST_FAIR_SLUG)
    return row["id"]


# --------------------------------------------------------------------------- 1. company


def test_company_records_an_outcome_inline(open_page, demo_database):
    (participation,) = demo_database.rows(
        "SELECT p.id FROM participations p JOIN fairs f ON f.id = p.fair_id "
        "JOIN companies c ON c.id = p.company_id WHERE f.slug = :fair AND c.slug = 'argan-tech'",
        fair=PAST_FAIR_SLUG)
    participation_id = participation["id"]
    met = candidate_id(demo_database, MET_CANDIDATE)

    def stored():
        return demo_database.rows(
            "SELECT status, contract_type FROM outcomes "
            "WHERE participation_id = :p AND candidate_id = :c", p=participation_id, c=met)

    assert stored() == []
    tab = open_page()
    page = tab.page
    log_in(tab, REP)
    tab.goto(f"/company/fairs/{participation_id}/outcomes")
    expect(page.locator("h1")).to_contain_text(PAST_FAIR)
    expect(page.locator("#not-open")).to_have_count(0)  # a closed fair: outcomes are open
    row = page.locator(f"#row-{met}")
    expect(row.locator(".booking-status")).to_have_text("Présent(e)")
    expect(page.locator(f"#status-{met}")).to_have_value("")
    tab.check("table")

    # "Hired" without a contract type: the row comes back with the error next to the field.
    url_before = page.url
    page.locator(f"#status-{met}").select_option("hired")
    row.get_by_role("button", name=re.compile(r"^Enregistrer")).click()
    expect(row).to_have_class(re.compile(r"\bhas-error\b"))
    expect(row).to_contain_text("Un recrutement nécessite un type de contrat.")
    expect(page.locator(f"#status-{met}")).to_have_value("hired")  # what was chosen is kept
    expect(page.locator(f"#saved-{met}")).to_have_count(0)
    assert page.url == url_before  # htmx swapped the row; no navigation
    assert stored() == []
    tab.check("hired-without-contract")

    # With a contract type (and a position), the row is saved.
    page.locator(f"#contract_type-{met}").select_option("idmaj")
    position = page.locator(f"#position_id-{met} option").nth(1).get_attribute("value")
    page.locator(f"#position_id-{met}").select_option(position)
    row.get_by_role("button", name=re.compile(r"^Enregistrer")).click()
    expect(page.locator(f"#saved-{met}")).to_have_text("Enregistré.")
    expect(row).not_to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator(f"#status-{met}")).to_have_value("hired")
    expect(page.locator(f"#contract_type-{met}")).to_have_value("idmaj")
    assert stored() == [{"status": "hired", "contract_type": "idmaj"}]
    tab.check("hired-saved")

    # The saved outcome is what the page shows after a reload.
    page.reload()
    expect(page.locator(f"#status-{met}")).to_have_value("hired")
    expect(page.locator(f"#contract_type-{met}")).to_have_value("idmaj")


# --------------------------------------------------------------------------- 2. candidate


def follow_up_link(database_url, base_url, fair_id, candidate, day=180):
    """Store a FollowUpRequest and build its link the way the follow-up email does."""
    from jobfair import create_app, mail
    from jobfair.config import TestConfig
    from jobfair.extensions import db
    from jobfair.followups import services
    from jobfair.models import FollowUpRequest

    config = type("LinkConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": SERVER_SECRET_KEYS[base_url],
        "BASE_URL": base_url,
    })
    app = create_app(config)
    with app.app_context():
        try:
            request = FollowUpRequest(fair_id=fair_id, candidate_id=candidate, day=day)
            db.session.add(request)
            db.session.commit()
            return mail.absolute_url("followups.answer_link", token=services.link_token(request))
        finally:
            db.session.remove()
            db.engine.dispose()


def test_candidate_answers_a_follow_up_link(open_page, demo_database, live_server,
                                            e2e_database_url):
    fair_id = past_fair_id(demo_database)
    candidate = candidate_id(demo_database, FOLLOWED_CANDIDATE)
    assert demo_database.rows(
        "SELECT id FROM follow_up_answers WHERE fair_id = :f AND candidate_id = :c",
        f=fair_id, c=candidate) == []
    link = follow_up_link(e2e_database_url, live_server, fair_id, candidate)
    assert link.startswith(live_server + "/follow-up/")

    tab = open_page(device="phone")  # a fresh context: nobody is logged in
    page = tab.page
    page.goto(link)
    expect(page.get_by_role("button", name="Se connecter")).to_have_count(0)
    expect(page.locator("h1")).to_have_text(f"Votre situation après {PAST_FAIR}")
    expect(page.locator("#previous-answer")).to_have_count(0)
    tab.check("form")

    page.get_by_label("J'ai un emploi", exact=True).check()
    page.get_by_label("Type de contrat", exact=True).select_option("cdi")
    page.get_by_label("Employeur", exact=True).select_option(label="Agence Nationale du Numérique Public")
    page.get_by_role("group", name="Cet emploi correspond-il au domaine de votre formation\u00a0?") \
        .get_by_label("Oui", exact=True).check()
    page.get_by_label("Temps plein", exact=True).check()
    page.get_by_label("Date de début", exact=True).fill("2026-10-01")
    page.get_by_role("button", name="Envoyer ma réponse", exact=True).click()

    expect(page.get_by_text(
        "Merci\u00a0: votre réponse est enregistrée. Vous pouvez la mettre à jour avec le même lien."
    )).to_be_visible()
    expect(page.locator("#latest-status")).to_have_attribute("data-status", "employed")
    expect(page.locator("#latest-status")).to_have_text("En emploi")
    assert page.url == link  # the same link, to update the answer later
    tab.check("answered")

    answers = demo_database.rows(
        "SELECT a.status, a.source, a.contract_type, a.in_field, a.full_time, a.start_date, "
        "c.slug AS employer, r.day FROM follow_up_answers a "
        "JOIN companies c ON c.id = a.employer_company_id "
        "JOIN follow_up_requests r ON r.id = a.request_id "
        "WHERE a.fair_id = :f AND a.candidate_id = :c", f=fair_id, c=candidate)
    assert len(answers) == 1
    answer = answers[0]
    assert (answer["status"], answer["source"], answer["contract_type"], answer["employer"],
            answer["day"]) == ("employed", "candidate", "cdi",
                               "agence-nationale-du-numerique-public", 180)
    assert bool(answer["in_field"]) and bool(answer["full_time"])
    assert str(answer["start_date"]).startswith("2026-10-01")


# --------------------------------------------------------------------------- 3. organizer


RATES = {
    "knowledge": "Taux de connaissance",
    "insertion": "Taux d'insertion",
    "in_field": "Taux d'emploi à temps plein dans le domaine",
}


def number(page, selector):
    return int(page.locator(selector).inner_text().strip())


def test_organizer_filters_the_dashboard_and_downloads_exports(open_page, demo_database):
    fair_id = past_fair_id(demo_database)
    tab = open_page()
    page = tab.page
    log_in(tab, ORGANIZER)
    tab.goto("/organizer/insertion")
    expect(page.locator("h1")).to_have_text("Insertion")
    # By default only the fairs already held count: the upcoming Casablanca fair has no outcome.
    expect(page.locator("#total")).to_have_text(str(RABAT_COHORT_SIZE))
    expect(page.locator("#breakdown tbody tr")).to_have_count(1)
    expect(page.get_by_text("tous les salons déjà tenus, jusqu’à hier")).to_be_visible()
    tab.check("all-fairs")

    # Filter on the past fair.
    page.get_by_label("Salons", exact=True).select_option(str(fair_id))
    page.get_by_role("button", name="Appliquer", exact=True).click()
    expect(page).to_have_url(re.compile(rf"[?&]fairs={fair_id}\b"))
    expect(page.get_by_label("Salons", exact=True)).to_have_values([str(fair_id)])
    expect(page.locator("#total")).to_have_text(str(RABAT_COHORT_SIZE))
    tab.check("rabat")

    for key, label in RATES.items():
        card = page.locator(f"#rate-{key}")
        expect(card.locator("h3")).to_have_text(label)
        expect(card.locator(".hint")).not_to_be_empty()  # the definition
        expect(page.locator(f"#rate-{key}-value")).to_have_text(re.compile(r"\d.*%"))
        numerator, denominator = number(page, f"#rate-{key}-num"), number(page, f"#rate-{key}-den")
        assert 0 < numerator <= denominator, (key, numerator, denominator)
    # Knowledge and in-field rates are over every candidate of the invited cohort.
    assert number(page, "#rate-knowledge-den") == RABAT_COHORT_SIZE
    assert number(page, "#rate-in_field-den") == RABAT_COHORT_SIZE
    # The demo's conflict: Détroit Logistique IT hired candidate72, who says still seeking.
    expect(page.locator("#conflicts")).to_have_text("1")
    expect(page.locator("#breakdown tbody tr")).to_have_count(1)
    expect(page.locator("#breakdown tbody tr th")).to_have_text(re.compile(PAST_FAIR))

    # Every number leads to the candidates behind it.
    inserted = number(page, "#rate-insertion-num")
    page.locator("#rate-insertion-num").click()
    expect(page).to_have_url(re.compile(r"/organizer/insertion/candidates\?.*metric="))
    expect(page).to_have_url(re.compile(rf"[?&]fairs={fair_id}\b"))
    expect(page.locator("#count")).to_have_text(
        f"{inserted} candidat" + ("s" if inserted > 1 else ""))
    expect(page.locator("#candidate-rows tbody tr")).to_have_count(inserted)
    for cell in page.locator("#candidate-rows tbody tr td:nth-child(2)").all():
        expect(cell).to_contain_text(PAST_FAIR)
    tab.check("inserted-candidates")
    page.go_back()
    expect(page.locator("#total")).to_have_text(str(RABAT_COHORT_SIZE))

    # Exports, with the dashboard's filter: a real download, then every file's type and content.
    with page.expect_download() as download_info:
        page.locator("#export-candidates-csv-fr").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    french = download.path().read_bytes()
    assert french.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for French Excel

    def fetch(selector):
        href = page.locator(selector).get_attribute("href")
        assert f"fairs={fair_id}" in href, href
        response = page.request.get(tab.url(href))
        assert response.status == 200, (selector, response.status)
        return response

    lines = list(csv.reader(io.StringIO(french.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:6] == ["Salon", "Jour du salon", "Région", "Nom", "Prénom", "E-mail"]
    assert len(lines) - 1 == RABAT_COHORT_SIZE
    assert {line[0] for line in lines[1:]} == {PAST_FAIR}
    assert MET_CANDIDATE in {line[5] for line in lines[1:]}

    for kind in ("candidates", "companies", "fairs"):
        french = fetch(f"#export-{kind}-csv-fr")
        assert french.headers["content-type"].startswith("text/csv")
        assert "attachment" in french.headers["content-disposition"]
        body = french.body()
        assert body.startswith(b"\xef\xbb\xbf")
        header = next(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
        assert len(header) > 3 and all(header), header

        standard = fetch(f"#export-{kind}-csv")
        assert standard.headers["content-type"].startswith("text/csv")
        body = standard.body()
        assert not body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert rows[0] == header  # the same header row, comma-separated
        assert len(rows) > 1

        xlsx = fetch(f"#export-{kind}-xlsx")
        assert xlsx.headers["content-type"] == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(xlsx.body()), read_only=True).active
        assert [cell for cell in next(sheet.iter_rows(values_only=True))] == header

    report = fetch("#report-pdf")
    assert report.headers["content-type"] == "application/pdf"
    assert report.body().startswith(b"%PDF-")
    import pypdfium2

    document = pypdfium2.PdfDocument(report.body())
    text = []
    for pdf_page in document:
        textpage = pdf_page.get_textpage()
        text.append(textpage.get_text_range())
        textpage.close()
        pdf_page.close()
    document.close()
    text = "\n".join(text)
    assert PAST_FAIR in text and "Taux d'insertion" in text, text[:2000]
