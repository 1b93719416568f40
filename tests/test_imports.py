"""Bulk import of candidates by an organizer: reading files (CSV `,` `;`, BOM, Windows-1252,
XLSX), every kind of bad line, the two steps (preview, then import), re-import, updates,
10,000 lines, and who may reach the pages. Files are built here, never committed."""
import io
import json
import os
import re

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select

from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.imports import parsing, services
from jobfair.models import AuditEvent, Candidate, Invitation, OutboxMessage, User

HEADER = ["Prénom", "Nom", "Email", "Téléphone", "Promotion", "Filière", "Ville"]
IMPORT_URL = "/organizer/candidates/import"


# --- Files -----------------------------------------------------------------------------------


def csv_bytes(rows, delimiter=",", encoding="utf-8", bom=False):
    text = "".join(delimiter.join(cells) + "\r\n" for cells in rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for cells in rows:
        sheet.append(list(cells))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def cohorts(make):
    java = make.cohort(name="Java/JEE — Casablanca 2026", track=make.track("Java/JEE"))
    data = make.cohort(name="Data & IA — Fès 2026", track=make.track("Data & IA"), city="Fès")
    return java, data


def good_rows(java_name="Java/JEE - Casablanca 2026"):
    return [
        HEADER,
        ["Salma", "Alaoui", "Salma.Alaoui@example.ma", "06 12 34 56 78", java_name, "Java/JEE", "Casablanca"],
        ["Omar", "Benali", "omar.benali@example.ma", "+212 7 11 22 33 44", "java/jee — casablanca 2026", "", "Rabat"],
        ["Nadia", "Chraibi", "nadia@example.ma", "", "Data & IA — Fès 2026", "data & ia", "Fès"],
    ]


def plan_of(data, cohort=None):
    return services.plan_import(data, cohort)


def reasons(plan):
    return {problem.number: " | ".join(str(r) for r in problem.reasons) for problem in plan.problems}


@pytest.fixture
def english(app):
    """Messages of the rules read in English (no HTTP request in these tests)."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture(autouse=True)
def _uploads_in_tmp(app, tmp_path, monkeypatch):
    """Stored uploads go to a temporary instance folder, not the project's."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


def upload(auth, data, filename="liste.csv", cohort_id=0, **kwargs):
    return auth.post(IMPORT_URL, {"file": (io.BytesIO(data), filename), "cohort_id": str(cohort_id)},
                     **kwargs)


def token_of(response):
    assert response.status_code == 303, response.text[:3000]
    match = re.fullmatch(r"/organizer/candidates/import/([A-Za-z0-9_-]{32})", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def confirm(auth, client, token):
    page = client.get(f"{IMPORT_URL}/{token}")
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', page.text)
    return auth.post(f"{IMPORT_URL}/{token}/confirm",
                     {"fingerprint": fingerprint.group(1) if fingerprint else ""},
                     page=f"{IMPORT_URL}/{token}")


def import_file(auth, client, data, filename="liste.csv", cohort_id=0):
    token = token_of(upload(auth, data, filename, cohort_id))
    response = confirm(auth, client, token)
    assert response.status_code == 303, response.text[:3000]
    return response


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- Reading files (no HTTP) -----------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_good_csv_with_commas_or_semicolons_plans_every_candidate(english, cohorts, delimiter):
    java, data_ia = cohorts
    plan = plan_of(csv_bytes(good_rows(), delimiter=delimiter))
    assert plan.parsed.delimiter == delimiter
    assert plan.problems == [] and plan.updates == [] and plan.unchanged == []
    lines = {line.email: line for line in plan.creates}
    assert set(lines) == {"salma.alaoui@example.ma", "omar.benali@example.ma", "nadia@example.ma"}
    salma = lines["salma.alaoui@example.ma"]
    assert (salma.number, salma.first_name, salma.phone, salma.cohort, salma.city) == (
        2, "Salma", "+212612345678", java, "Casablanca")
    assert lines["omar.benali@example.ma"].phone == "+212711223344"
    assert lines["nadia@example.ma"].phone is None and lines["nadia@example.ma"].cohort == data_ia


def test_english_headers_in_any_case_are_understood(english, cohorts):
    rows = [["FIRST_NAME", "last name", "E-mail", "phone", "COHORT", "Track", "city", "Notes"],
            ["Salma", "Alaoui", "s@example.ma", "0612345678", "Java/JEE — Casablanca 2026", "", "", "x"]]
    plan = plan_of(csv_bytes(rows))
    assert [line.email for line in plan.creates] == ["s@example.ma"]
    assert plan.parsed.ignored_columns == ["Notes"]


def test_utf8_with_a_bom_reads_the_first_header(english, cohorts):
    plan = plan_of(csv_bytes(good_rows(), delimiter=";", bom=True))
    assert plan.parsed.encoding == "UTF-8"
    assert len(plan.creates) == 3 and plan.problems == []


def test_an_excel_windows_1252_file_keeps_its_accents(english, cohorts):
    rows = good_rows()
    rows[3][0] = "Hélène"
    plan = plan_of(csv_bytes(rows, delimiter=";", encoding="cp1252"))
    assert plan.parsed.encoding == "Windows-1252"
    nadia = next(line for line in plan.creates if line.email == "nadia@example.ma")
    assert (nadia.first_name, nadia.city, nadia.cohort.name) == ("Hélène", "Fès", "Data & IA — Fès 2026")


def test_an_xlsx_workbook_is_read_with_numbers_as_people_typed_them(english, cohorts):
    rows = good_rows()
    rows[1][3] = 612345678  # Excel took the phone for a number and dropped its 0
    rows[2][3] = 212711223344
    plan = plan_of(xlsx_bytes(rows))
    assert plan.parsed.kind == "xlsx" and plan.problems == []
    phones = {line.email: line.phone for line in plan.creates}
    assert phones["salma.alaoui@example.ma"] == "+212612345678"
    assert phones["omar.benali@example.ma"] == "+212711223344"


def test_blank_lines_are_skipped_and_line_numbers_stay_the_spreadsheets(english, cohorts):
    rows = good_rows()
    rows.insert(2, ["", "", "", "", "", "", ""])
    rows.insert(3, [])
    rows.append(["Bad", "Line", "not-an-email", "", "Data & IA — Fès 2026", "", ""])
    for data in (csv_bytes(rows, delimiter=";"), xlsx_bytes(rows)):
        plan = plan_of(data)
        assert plan.parsed.blank_lines == 2
        assert [line.number for line in plan.creates] == [2, 5, 6]
        assert list(reasons(plan)) == [7]


@pytest.mark.parametrize("cells, expected", [
    (["Salma", "Alaoui", "", "", "Java/JEE — Casablanca 2026", "", ""], "email is missing"),
    (["Salma", "Alaoui", "salma@", "", "Java/JEE — Casablanca 2026", "", ""], "not a valid email address"),
    (["Salma", "Alaoui", "salma at example.ma", "", "Java/JEE — Casablanca 2026", "", ""], "not a valid email address"),
    (["", "Alaoui", "s@example.ma", "", "Java/JEE — Casablanca 2026", "", ""], "first name is missing"),
    (["Salma", "", "s@example.ma", "", "Java/JEE — Casablanca 2026", "", ""], "last name is missing"),
    (["Salma", "Alaoui", "s@example.ma", "", "Promo inconnue", "", ""], "unknown cohort “Promo inconnue”"),
    (["Salma", "Alaoui", "s@example.ma", "", "", "", ""], "cohort is missing"),
    (["Salma", "Alaoui", "s@example.ma", "", "Java/JEE — Casablanca 2026", "Data & IA", ""],
     "the track “Data & IA” is not the track of the cohort"),
    (["Salma", "Alaoui", "s@example.ma", "0812", "Java/JEE — Casablanca 2026", "", ""], "phone “0812”"),
    (["Salma", "Alaoui", "s@example.ma", "+212 9 12 34 56 78", "Java/JEE — Casablanca 2026", "", ""],
     "not a Moroccan number"),
    (["Salma", "Alaoui", "s@example.ma", "+33 12", "Java/JEE — Casablanca 2026", "", ""], "8 to 15 digits"),
    (["S" * 101, "Alaoui", "s@example.ma", "", "Java/JEE — Casablanca 2026", "", ""],
     "first name is too long (101 characters, at most 100)"),
    (["Salma", "Alaoui", "s@example.ma", "", "Java/JEE — Casablanca 2026", "", "C" * 101], "city is too long"),
])
def test_each_kind_of_bad_line_is_named_with_its_number_and_reason(english, cohorts, cells, expected):
    rows = good_rows() + [cells]
    plan = plan_of(csv_bytes(rows, delimiter=";"))
    assert list(reasons(plan)) == [5]
    assert expected in reasons(plan)[5]


def test_every_bad_line_is_listed_and_each_line_gives_all_its_reasons(english, cohorts):
    rows = good_rows() + [
        ["", "", "bad", "12", "Nope", "", ""],
        ["Ok", "Line", "ok@example.ma", "", "Java/JEE — Casablanca 2026", "", ""],
        ["Late", "Bad", "late@example.ma", "", "Nope", "", ""],
    ]
    plan = plan_of(csv_bytes(rows))
    found = reasons(plan)
    assert list(found) == [5, 7]
    for part in ("first name is missing", "last name is missing", "not a valid email", "phone “12”",
                 "unknown cohort"):
        assert part in found[5]


def test_a_duplicate_email_in_the_file_names_both_lines(english, cohorts):
    rows = good_rows() + [["Salma", "Alaoui Bis", "SALMA.alaoui@example.ma ", "", "Data & IA — Fès 2026", "", ""]]
    plan = plan_of(csv_bytes(rows))
    found = reasons(plan)
    assert set(found) == {2, 5}
    assert "also on line 5" in found[2] and "also on line 2" in found[5]


@pytest.mark.parametrize("column, value", [
    (0, "=HYPERLINK(\"http://evil.example\",\"x\")"),
    (1, "+cmd|' /C calc'!A0"),
    (6, "-2+3"),
    (6, "@SUM(A1:A2)"),
    (3, "=0612345678"),
])
def test_formula_looking_cells_are_refused(english, cohorts, column, value):
    rows = good_rows()
    rows[2][column] = value
    for data in (csv_bytes(rows), xlsx_bytes(rows)):
        plan = plan_of(data)
        assert list(reasons(plan)) == [3]
        assert "looks like a spreadsheet formula" in reasons(plan)[3]
        assert plan.creates == [] or all(line.number != 3 for line in plan.creates)


def test_a_phone_starting_with_plus_is_a_number_not_a_formula(english, cohorts):
    rows = good_rows()
    rows[1][3] = "+212612345678"
    rows[2][3] = "+33 6 12 34 56 78"
    plan = plan_of(csv_bytes(rows))
    assert plan.problems == []
    assert {line.phone for line in plan.creates} == {"+212612345678", "+33612345678", None}


def test_a_lone_dash_means_an_empty_cell(english, cohorts):
    rows = good_rows()
    rows[1][3], rows[1][6] = "-", "-"
    plan = plan_of(csv_bytes(rows))
    assert plan.problems == []
    salma = next(line for line in plan.creates if line.number == 2)
    assert (salma.phone, salma.city) == (None, None)


def test_the_cohort_chosen_on_the_form_applies_to_every_line(english, cohorts):
    java, _ = cohorts
    rows = [["prénom", "nom", "courriel"], ["A", "B", "a@example.ma"], ["C", "D", "c@example.ma"]]
    with pytest.raises(DomainError) as error:
        plan_of(csv_bytes(rows))
    assert error.value.field == "cohort_id"
    plan = plan_of(csv_bytes(rows), cohort=java)
    assert {line.cohort for line in plan.creates} == {java}
    # A line naming another cohort contradicts the choice: refused, not silently moved.
    plan = plan_of(csv_bytes(good_rows()), cohort=java)
    assert list(reasons(plan)) == [4]
    assert "you chose" in reasons(plan)[4]


def test_two_cohorts_with_the_same_name_are_ambiguous(english, make, cohorts):
    java, _ = cohorts
    make.cohort(name="Java/JEE — Casablanca 2026", track=java.track)
    plan = plan_of(csv_bytes(good_rows()))
    assert set(reasons(plan)) == {2, 3}
    assert "several cohorts" in reasons(plan)[2]


def test_an_address_of_a_non_candidate_account_is_refused(english, make, cohorts):
    make.user(role="company_rep", email="omar.benali@example.ma", company=make.company())
    plan = plan_of(csv_bytes(good_rows()))
    assert list(reasons(plan)) == [3]
    assert "not a candidate" in reasons(plan)[3]


@pytest.mark.parametrize("data, expected", [
    (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "is a PDF"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100, "is a program"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text or Excel file"),
    (b"PK\x03\x04 not really a zip", "damaged"),
    (b"", "empty"),
    (b"\r\n\r\n", "empty"),
    (b"prenom,nom,email\r\n", "no candidate"),
    (b"name,mail address\r\nA,b@example.ma\r\n", "Missing: first name, last name, email"),
])
def test_files_that_are_not_lists_are_refused_with_a_clear_message(english, app, data, expected):
    with pytest.raises(DomainError) as error:
        parsing.read_rows(data)
    assert error.value.field == "file"
    assert expected in str(error.value.message)


def test_an_archive_that_is_not_a_workbook_is_refused(english, app):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(DomainError) as error:
        parsing.read_rows(buffer.getvalue())
    assert "not an Excel .xlsx workbook" in str(error.value.message)


def test_limits_on_size_and_lines(english, app, monkeypatch):
    with pytest.raises(DomainError) as error:
        parsing.read_rows(b"prenom,nom,email\r\n" + b"a,b,c@example.ma\r\n" * 300_000)
    assert "larger than 5 MB" in str(error.value.message)
    monkeypatch.setattr(parsing, "MAX_DATA_LINES", 3)
    with pytest.raises(DomainError) as error:
        parsing.read_rows(b"prenom,nom,email\r\n" + b"a,b,c@example.ma\r\n" * 4)
    assert "more than 3 lines" in str(error.value.message)
    assert len(parsing.read_rows(b"prenom,nom,email\r\n" + b"a,b,c@example.ma\r\n" * 3).rows) == 3


# --- The two steps through the pages ---------------------------------------------------------


def test_an_organizer_previews_then_imports_and_each_new_candidate_is_invited(
        auth, client, organizer, cohorts, _uploads_in_tmp):
    java, _ = cohorts
    auth.login_as(organizer)
    token = token_of(upload(auth, csv_bytes(good_rows(), delimiter=";"), "promo-juin.csv"))
    # The upload alone saves nothing but the file.
    assert count(Candidate) == 0 and count(OutboxMessage) == 0
    assert sorted(os.listdir(_uploads_in_tmp / "imports")) == sorted([f"{token}.csv", f"{token}.json"])

    preview = client.get(f"{IMPORT_URL}/{token}")
    assert preview.status_code == 200
    assert re.search(r'id="count-created">3<', preview.text)
    assert re.search(r'id="count-problems">0<', preview.text)
    assert "salma.alaoui@example.ma" in preview.text and 'id="confirm-import"' in preview.text

    response = confirm(auth, client, token)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/organizer/candidates")
    users = {u.email: u for u in db.session.scalars(select(User).where(User.role == "candidate"))}
    assert set(users) == {"salma.alaoui@example.ma", "omar.benali@example.ma", "nadia@example.ma"}
    salma = users["salma.alaoui@example.ma"]
    assert salma.password_hash is None and (salma.first_name, salma.last_name) == ("Salma", "Alaoui")
    assert (salma.candidate.cohort_id, salma.candidate.phone, salma.candidate.city) == (
        java.id, "+212612345678", "Casablanca")
    invitations = db.session.scalars(select(Invitation)).all()
    assert {(i.email, i.user_id, i.role) for i in invitations} == {
        (u.email, u.id, "candidate") for u in users.values()}
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert sorted(m.recipient for m in messages) == sorted(users)
    assert all("/invitation/" in m.body_text for m in messages)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "candidates.import")).one()
    assert event.actor_id == organizer.id
    assert json.loads(event.details) == {"file": "promo-juin.csv", "lines": 3, "created": 3,
                                         "updated": 0, "unchanged": 0, "bad_lines": 0}
    # The stored file is gone once imported.
    assert os.listdir(_uploads_in_tmp / "imports") == []
    listing = client.get("/organizer/candidates")
    assert "Alaoui" in listing.text and "06 12 34 56 78" in listing.text


def test_importing_the_same_file_twice_changes_nothing_and_sends_nothing(auth, client, organizer, cohorts):
    auth.login_as(organizer)
    data = xlsx_bytes(good_rows())
    import_file(auth, client, data, "liste.xlsx")
    assert count(OutboxMessage) == 3
    token = token_of(upload(auth, data, "liste.xlsx"))
    preview = client.get(f"{IMPORT_URL}/{token}")
    assert re.search(r'id="count-unchanged">3<', preview.text)
    assert re.search(r'id="count-created">0<', preview.text)
    assert 'id="import-nothing"' in preview.text and 'id="confirm-import"' not in preview.text
    # Even a forced confirmation does nothing.
    assert confirm(auth, client, token).status_code == 303
    assert count(User) == 4 and count(Invitation) == 3 and count(OutboxMessage) == 3


def test_an_existing_candidate_is_updated_with_the_changes_shown_and_gets_no_email(
        auth, client, organizer, cohorts, make):
    java, data_ia = cohorts
    existing = make.candidate(email="omar.benali@example.ma", cohort_=data_ia, phone="+212600000000",
                              city="Tanger")
    existing.first_name, existing.last_name = "Omar", "Benaly"
    auth.login_as(organizer)
    token = token_of(upload(auth, csv_bytes(good_rows())))
    preview = client.get(f"{IMPORT_URL}/{token}")
    assert re.search(r'id="count-created">2<', preview.text)
    assert re.search(r'id="count-updated">1<', preview.text)
    updates = preview.text[preview.text.index('id="import-updates"'):]
    assert "<del>Benaly</del> <span class=\"arrow\">→</span> <ins>Benali</ins>" in updates
    assert "<del>Data &amp; IA — Fès 2026</del>" in updates
    assert "<del>06 00 00 00 00</del> <span class=\"arrow\">→</span> <ins>07 11 22 33 44</ins>" in updates
    assert "<del>Tanger</del> <span class=\"arrow\">→</span> <ins>Rabat</ins>" in updates
    assert confirm(auth, client, token).status_code == 303
    omar = db.session.scalars(select(User).where(User.email == "omar.benali@example.ma")).one()
    db.session.refresh(omar)
    db.session.refresh(omar.candidate)
    assert (omar.last_name, omar.candidate.cohort_id, omar.candidate.phone, omar.candidate.city) == (
        "Benali", java.id, "+212711223344", "Rabat")
    assert count(Candidate) == 3  # updated, not duplicated
    assert "omar.benali@example.ma" not in {m.recipient for m in db.session.scalars(select(OutboxMessage))}
    assert count(OutboxMessage) == 2


def test_an_empty_cell_does_not_erase_what_a_candidate_has(cohorts, make):
    java, _ = cohorts
    make.candidate(email="nadia@example.ma", cohort_=java, phone="+212611111111", city="Oujda")
    rows = [HEADER, ["Nadia", "Chraibi", "nadia@example.ma", "", "Java/JEE — Casablanca 2026", "", ""]]
    user = db.session.scalars(select(User).where(User.email == "nadia@example.ma")).one()
    user.first_name, user.last_name = "Nadia", "Chraibi"
    plan = plan_of(csv_bytes(rows))
    assert [line.email for line, _ in plan.unchanged] == ["nadia@example.ma"] and not plan.updates


def test_a_file_with_bad_lines_imports_nothing_and_lists_them(auth, client, organizer, cohorts,
                                                              _uploads_in_tmp):
    auth.login_as(organizer)
    auth.use_language("en")
    rows = good_rows() + [["X", "Y", "bad-email", "", "Java/JEE — Casablanca 2026", "", ""],
                          ["Z", "W", "z@example.ma", "", "Promo fantôme", "", ""]]
    response = upload(auth, csv_bytes(rows))
    assert response.status_code == 200
    assert 'id="line-5"' in response.text and 'id="line-6"' in response.text
    assert "“bad-email” is not a valid email address" in response.text
    assert "Promo fantôme" in response.text
    assert re.search(r'id="count-problems">2<', response.text)
    assert count(User) == 1 and count(OutboxMessage) == 0 and count(Invitation) == 0
    assert not os.path.exists(_uploads_in_tmp / "imports") or os.listdir(_uploads_in_tmp / "imports") == []


def test_a_line_that_turns_bad_before_confirming_stops_the_whole_import(
        auth, client, organizer, cohorts, make):
    auth.login_as(organizer)
    token = token_of(upload(auth, csv_bytes(good_rows())))
    page = client.get(f"{IMPORT_URL}/{token}")
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', page.text).group(1)
    # Meanwhile, Omar's address became a company representative's account.
    make.user(role="company_rep", email="omar.benali@example.ma", company=make.company())
    response = auth.post(f"{IMPORT_URL}/{token}/confirm", {"fingerprint": fingerprint},
                         page=f"{IMPORT_URL}/{token}")
    assert response.status_code == 200
    assert 'id="line-3"' in response.text
    assert count(Candidate) == 0 and count(OutboxMessage) == 0


def test_the_import_is_what_the_preview_showed(auth, client, organizer, cohorts, make):
    java, _ = cohorts
    auth.login_as(organizer)
    token = token_of(upload(auth, csv_bytes(good_rows())))
    page = client.get(f"{IMPORT_URL}/{token}")
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', page.text).group(1)
    make.candidate(email="nadia@example.ma", cohort_=java)  # created by someone else meanwhile
    response = auth.post(f"{IMPORT_URL}/{token}/confirm", {"fingerprint": fingerprint},
                         page=f"{IMPORT_URL}/{token}")
    assert response.status_code == 200
    assert 'id="confirm-import"' in response.text  # the new preview, to confirm again
    assert count(Candidate) == 1 and count(OutboxMessage) == 0
    # Confirming the new preview imports.
    assert confirm(auth, client, token).status_code == 303
    assert count(Candidate) == 3


def test_a_failure_while_importing_leaves_nothing(auth, client, organizer, cohorts, monkeypatch):
    from jobfair.auth import services as auth_services

    auth.login_as(organizer)
    token = token_of(upload(auth, csv_bytes(good_rows())))
    calls = []

    def failing_invite(user, **kwargs):
        calls.append(user.email)
        if len(calls) == 3:
            raise RuntimeError("mail template broken")
        return original(user, **kwargs)

    original = auth_services.invite_to_activate
    monkeypatch.setattr(auth_services, "invite_to_activate", failing_invite)
    with pytest.raises(RuntimeError):  # the test app lets errors through; users get a 500 page
        confirm(auth, client, token)
    assert len(calls) == 3
    assert count(User) == 1 and count(Candidate) == 0 and count(Invitation) == 0
    assert count(OutboxMessage) == 0 and count(AuditEvent) == 0


def test_the_cohort_chosen_on_the_form_is_kept_on_the_server(auth, client, organizer, cohorts):
    _, data_ia = cohorts
    auth.login_as(organizer)
    rows = [["prénom", "nom", "email"], ["A", "B", "a@example.ma"]]
    response = upload(auth, csv_bytes(rows))
    assert response.status_code == 200 and 'id="cohort_id-error"' in response.text
    token = token_of(upload(auth, csv_bytes(rows), cohort_id=data_ia.id))
    import_file_response = confirm(auth, client, token)
    assert import_file_response.status_code == 303
    assert f"cohort={data_ia.id}" in import_file_response.headers["Location"]
    user = db.session.scalars(select(User).where(User.email == "a@example.ma")).one()
    assert user.candidate.cohort_id == data_ia.id


def test_an_oversized_file_is_refused(auth, client, organizer, cohorts):
    auth.login_as(organizer)
    auth.use_language("en")
    big = b"prenom,nom,email\r\n" + b"a,b,c@example.ma\r\n" * 300_000  # 5.4 MB
    response = upload(auth, big)
    assert response.status_code == 200
    assert 'id="file-error"' in response.text and "5 MB" in response.text
    huge = b"prenom,nom,email\r\n" + b"a,b,c@example.ma\r\n" * 400_000  # 7.2 MB > the request limit
    assert upload(auth, huge).status_code == 413
    assert count(Candidate) == 0


@pytest.mark.parametrize("data, filename, expected", [
    (b"%PDF-1.4\n%%EOF\n", "liste.csv", "is a PDF"),
    (b"MZ\x90\x00" + b"\x00" * 200, "liste.csv", "is a program"),
    (b"prenom,nom,email\r\n", "liste.pdf", "Choose a .csv or .xlsx file"),
    (b"MZ\x90\x00" + b"\x00" * 200, "liste.exe", "Choose a .csv or .xlsx file"),
])
def test_a_file_of_the_wrong_type_gets_a_clear_message(auth, client, organizer, cohorts, data,
                                                       filename, expected):
    auth.login_as(organizer)
    auth.use_language("en")
    response = upload(auth, data, filename)
    assert response.status_code == 200
    error = re.search(r'id="file-error"[^>]*>([^<]*)<', response.text)
    assert error and expected in error.group(1)
    assert count(Candidate) == 0


def test_ten_thousand_lines_are_imported_without_a_look_up_per_line(auth, client, organizer,
                                                                   cohorts):
    """10,000 lines: the look-ups go by batches (one query per 5,000 addresses), never one per
    line, and each table gets its rows in batched INSERTs on PostgreSQL (SQLite cannot return
    the ids of a multi-row INSERT in order, so SQLAlchemy sends it one row per statement). The
    speed itself is measured in bench/, not here."""
    java, _ = cohorts
    rows = [HEADER] + [
        [f"Prénom{n}", f"Nom{n}", f"candidat{n}@example.ma", f"06{n:08d}", java.name, "Java/JEE", "Fès"]
        for n in range(10_000)
    ]
    data = csv_bytes(rows, delimiter=";")
    auth.login_as(organizer)
    statements = []

    def counted(_conn, _cursor, statement, *_args, **_kwargs):
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        token = token_of(upload(auth, data))
        preview = client.get(f"{IMPORT_URL}/{token}")
        assert re.search(r'id="count-created">10000<', preview.text)
        assert confirm(auth, client, token).status_code == 303
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    assert count(Candidate) == 10_000 and count(Invitation) == 10_000 and count(OutboxMessage) == 10_000
    assert statements.count("SELECT") < 40, statements.count("SELECT")
    rows_per_insert = 1 if db.engine.dialect.name == "sqlite" else 1000
    # users, candidates, invitations, outbox messages; insertion_outcomes' membership at once.
    assert statements.count("INSERT") <= 4 * 10_000 // rows_per_insert + 5, statements.count("INSERT")
    # The second time, everything is unchanged (one query per 5,000 addresses, not per line).
    plan = plan_of(data)
    assert len(plan.unchanged) == 10_000 and not plan.creates and not plan.updates


def test_a_stored_upload_is_its_owners_only(auth, client, organizer, cohorts, make):
    auth.login_as(organizer)
    token = token_of(upload(auth, csv_bytes(good_rows())))
    auth.logout()
    other = make.user(role="organizer", email="autre@example.ma")
    auth.login_as(other)
    assert client.get(f"{IMPORT_URL}/{token}").status_code == 404
    response = auth.post(f"{IMPORT_URL}/{token}/confirm", {"fingerprint": "x"}, page="/organizer/candidates")
    assert response.status_code == 404
    assert client.get(f"{IMPORT_URL}/{'A' * 32}").status_code == 404
    assert client.get(f"{IMPORT_URL}/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert count(Candidate) == 0


def test_cancelling_deletes_the_stored_file(auth, client, organizer, cohorts, _uploads_in_tmp):
    auth.login_as(organizer)
    token = token_of(upload(auth, csv_bytes(good_rows())))
    response = auth.post(f"{IMPORT_URL}/{token}/cancel", {}, page=f"{IMPORT_URL}/{token}")
    assert response.status_code == 303
    assert os.listdir(_uploads_in_tmp / "imports") == []
    assert client.get(f"{IMPORT_URL}/{token}").status_code == 404


# --- The list of candidates ------------------------------------------------------------------


def test_the_list_searches_filters_and_pages(auth, client, organizer, cohorts, make):
    java, data_ia = cohorts
    for n in range(55):
        make.candidate(email=f"java{n}@example.ma", cohort_=java)
    salma = make.candidate(email="salma@example.ma", cohort_=data_ia)
    salma.first_name, salma.last_name = "Salma", "Alaoui"
    auth.login_as(organizer)
    everyone = client.get("/organizer/candidates")
    assert everyone.status_code == 200 and re.search(r'id="candidate-count">56 ', everyone.text)
    assert everyone.text.count('<tr id="candidate-') == 50
    second = client.get("/organizer/candidates?page=2")
    assert second.text.count('<tr id="candidate-') == 6
    found = client.get("/organizer/candidates?q=alaoui")
    assert found.text.count('<tr id="candidate-') == 1 and "salma@example.ma" in found.text
    assert client.get("/organizer/candidates?q=SALMA%40").text.count('<tr id="candidate-') == 1
    assert client.get("/organizer/candidates?q=%25").text.count('<tr id="candidate-') == 0
    by_cohort = client.get(f"/organizer/candidates?cohort={data_ia.id}")
    assert by_cohort.text.count('<tr id="candidate-') == 1
    # htmx search as you type gets only the results.
    fragment = client.get("/organizer/candidates?q=alaoui", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="candidate-results"')


def test_the_list_needs_a_fixed_number_of_queries(auth, client, organizer, cohorts, make, app):
    from sqlalchemy import event

    java, data_ia = cohorts
    auth.login_as(organizer)

    def queries_for_page():
        statements = []

        def count_it(*args):
            statements.append(args[2])

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count_it)
        try:
            assert client.get("/organizer/candidates").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count_it)
        return len(statements)

    make.candidate(cohort_=java)
    few = queries_for_page()
    for n in range(30):
        make.candidate(cohort_=java if n % 2 else data_ia)
    assert queries_for_page() == few


def test_an_organizer_sends_the_activation_link_again(auth, client, organizer, cohorts):
    auth.login_as(organizer)
    import_file(auth, client, csv_bytes(good_rows()))
    nadia = db.session.scalars(select(User).where(User.email == "nadia@example.ma")).one()
    response = auth.post(f"/organizer/candidates/{nadia.id}/invitation", {}, page="/organizer/candidates")
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.recipient == "nadia@example.ma")) == 2
    assert db.session.scalar(select(func.count()).select_from(Invitation)
                             .where(Invitation.user_id == nadia.id)) == 2
    assert auth.post(f"/organizer/candidates/{organizer.id}/invitation", {},
                     page="/organizer/candidates").status_code == 404


# --- Who may do what -------------------------------------------------------------------------


def _routes(token, candidate_id):
    return [
        ("GET", "/organizer/candidates", None),
        ("GET", IMPORT_URL, None),
        ("POST", IMPORT_URL, {"file": (io.BytesIO(csv_bytes(good_rows())), "l.csv"), "cohort_id": "0"}),
        ("GET", f"{IMPORT_URL}/{token}", None),
        ("POST", f"{IMPORT_URL}/{token}/confirm", {"fingerprint": "0"}),
        ("POST", f"{IMPORT_URL}/{token}/cancel", {}),
        ("POST", f"/organizer/candidates/{candidate_id}/invitation", {}),
    ]


def test_organizers_use_every_import_page(app, auth, client, make, cohorts):
    """Every other role is refused and changes nothing: the authorization matrix."""
    owner = make.user(role="organizer", email="owner@example.ma")
    folder = os.path.join(app.instance_path, "imports")
    from jobfair.imports import uploads

    token = uploads.save(folder, csv_bytes(good_rows()), "csv", filename="l.csv",
                         owner_id=owner.id, cohort_id=None)
    waiting = make.candidate(email="waiting@example.ma")
    waiting.password_hash = None
    auth.login_as(owner)
    for method, url, data in _routes(token, waiting.id):
        response = client.get(url) if method == "GET" else auth.post(url, data, page="/login")
        assert response.status_code in (200, 303), f"{method} {url}"
