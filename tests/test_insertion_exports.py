"""Insertion exports (CSV in two forms, XLSX, streamed), the PDF report, and the property that
the dashboard's numbers are the numbers recomputed from the exported rows.
"""
import csv
import io
import re
import tracemalloc
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import event, insert, select

from jobfair.extensions import db
from jobfair.models import Candidate, User, fair_cohorts

from . import factories
from .conftest import empty_tables
from .downloads import pdf_text
from .test_insertion_rates import follow_up, meeting, numbers_on, outcome, programme  # noqa: F401


def csv_rows(response, delimiter=","):
    text = response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def test_csv_forms_french_excel_and_standard(client, auth, organizer, programme):  # noqa: F811
    auth.login_as(organizer)
    auth.use_language("en")
    french = client.get("/organizer/insertion/export.csv?kind=candidates&form=excel-fr")
    assert french.status_code == 200
    assert french.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert "attachment" in french.headers["Content-Disposition"]
    assert french.data.startswith("\ufeff".encode())
    assert french.data.decode("utf-8").splitlines()[0].count(";") >= 20
    rows = csv_rows(french, ";")
    assert len(rows) == 7
    standard = client.get("/organizer/insertion/export.csv?kind=candidates&form=standard")
    assert not standard.data.startswith("\ufeff".encode())
    assert csv_rows(standard) == rows
    conflict = [r for r in rows if r["Conflict"] == "1"]
    assert len(conflict) == 1 and conflict[0]["Latest follow-up"] == "seeking"
    assert conflict[0]["Company outcomes"] == "Atlas Tech: hired"
    assert client.get("/organizer/insertion/export.csv?form=tsv").status_code == 404
    assert client.get("/organizer/insertion/export.csv?kind=all").status_code == 404


def test_summaries_per_fair_and_per_company(client, auth, organizer, programme):  # noqa: F811
    auth.login_as(organizer)
    auth.use_language("en")
    fairs = csv_rows(client.get("/organizer/insertion/export.csv?kind=fairs&form=standard"))
    by_name = {row["Fair"]: row for row in fairs}
    assert by_name["Fair A"]["Candidates"] == "5"
    assert (by_name["Fair A"]["Outcome known"], by_name["Fair A"]["Knowledge rate"]) == ("4",
                                                                                       "0.8")
    assert (by_name["Fair A"]["Inserted"], by_name["Fair A"]["Insertion base"]) == ("2", "3")
    assert by_name["Fair B"]["Insertion rate"] == "1.0"
    companies = csv_rows(client.get(
        "/organizer/insertion/export.csv?kind=companies&form=standard"))
    assert companies == [{"Company": "Atlas Tech", "Sector": "esn", "Interviews held": "2",
                          "Leads": "1", "Offers": "4", "Hires": "3"}]


def test_csv_injection_is_neutralised(client, auth, organizer, make):
    cohort = make.cohort(name="-2+3 promo")
    fair = make.fair(name="@SUM(A1)", day=date(2026, 6, 20), status="closed")
    fair.cohorts.append(cohort)
    first = make.candidate(cohort_=cohort)
    first.last_name, first.first_name = "=HYPERLINK(\"http://x\")", "+1"
    person = make.candidate(cohort_=cohort)
    person.last_name, person.first_name = "\tTab", "\rCR"
    follow_up(fair, person, "employed", employer_name="=cmd|' /C calc'!A0")
    auth.login_as(organizer)
    auth.use_language("en")
    for form, delimiter in (("standard", ","), ("excel-fr", ";")):
        rows = csv_rows(client.get(f"/organizer/insertion/export.csv?form={form}"), delimiter)
        cells = [value for row in rows for value in row.values()]
        assert "'=HYPERLINK(\"http://x\")" in cells and "'+1" in cells
        assert "'@SUM(A1)" in cells and "'-2+3 promo" in cells
        assert "'\tTab" in cells and "'=cmd|' /C calc'!A0" in cells
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in cells if cell)
    book = load_workbook(io.BytesIO(client.get("/organizer/insertion/export.xlsx").data))
    values = [c for line in book.active.iter_rows(values_only=True) for c in line if c]
    assert "'=HYPERLINK(\"http://x\")" in values
    assert not any(isinstance(v, str) and v[:1] in "=+-@\t\r" for v in values)


def test_xlsx_opens_back_with_openpyxl(client, auth, organizer, programme):  # noqa: F811
    auth.login_as(organizer)
    auth.use_language("en")
    for kind, lines in (("candidates", 8), ("fairs", 3), ("companies", 2)):
        response = client.get(f"/organizer/insertion/export.xlsx?kind={kind}")
        assert response.status_code == 200
        assert response.mimetype.endswith("spreadsheetml.sheet")
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        assert len(rows) == lines, kind
    streamed = client.get("/organizer/insertion/export.xlsx", buffered=False)
    assert streamed.is_streamed
    assert load_workbook(io.BytesIO(b"".join(streamed.response))).active.max_row == 8
    streamed.close()
    header, *body = list(load_workbook(io.BytesIO(client.get(
        "/organizer/insertion/export.xlsx").data)).active.iter_rows(values_only=True))
    assert header[0] == "Fair" and {row[0] for row in body} == {"Fair A", "Fair B"}
    assert sum(row[header.index("Outcome known")] for row in body) == 5


def test_pdf_report_headline(client, auth, organizer, programme):  # noqa: F811
    auth.login_as(organizer)
    auth.use_language("en")
    response = client.get("/organizer/insertion/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Insertion report" in text
    # 5/7 known, 3/4 inserted, 1/7 in-field full-time.
    for expected in ("Knowledge rate", "71.4 %", "Insertion rate", "75.0 %",
                     "In-field full-time rate", "14.3 %", "Per-fair summary", "Fair A"):
        assert expected in text, expected
    assert "excluding those not seeking" in text.replace("\r", "").replace("\n", " ")
    fair_b = programme["fairs"][1]
    only_b = pdf_text(client.get(f"/organizer/insertion/report.pdf?fairs={fair_b.id}").data)
    assert "Fair B" in only_b and "Fair A" not in only_b and "100.0 %" in only_b


# --- Property: dashboard == recomputed from the exported rows ---------------------------------

STATUSES = ("employed", "own_business", "education", "seeking", "not_seeking", "no_answer")
COMPANY_STATUSES = ("shortlisted", "offer_made", "hired", "not_retained")

answers_strategy = st.lists(st.tuples(
    st.sampled_from(STATUSES), st.sampled_from(("candidate", "organizer")),
    st.integers(0, 250), st.booleans(), st.booleans(), st.integers(0, 250)), max_size=3)
candidate_strategy = st.tuples(
    st.integers(0, 1),                                       # cohort index
    st.sampled_from((None, "active", "attended", "no_show")),  # booking at fair 0
    st.sampled_from((None,) + COMPANY_STATUSES),             # company outcome at fair 0
    answers_strategy,                                        # follow-ups at fair 0
    answers_strategy,                                        # follow-ups at fair 1
)


def recompute(rows):
    """The three rates from exported columns only (an independent reading of DOMAIN.md)."""
    known = inserted = base = strict = 0
    for row in rows:
        latest, hired = row["Latest follow-up"], row["Company hired"] == "1"
        answered = latest not in ("", "no_answer")
        status = latest if answered else ("employed" if hired else None)
        if status is None:
            continue
        known += 1
        if status != "not_seeking":
            base += 1
            inserted += status in ("employed", "own_business")
        fair_day = date.fromisoformat(row["Fair day"])
        start = row["Start date"] or row["Latest follow-up date"]
        if (status == "employed" and row["In field"] == "1" and row["Full time"] == "1"
                and start and date.fromisoformat(start) <= fair_day + timedelta(days=180)):
            strict += 1
    total = len(rows)
    return {"knowledge": (known, total), "insertion": (inserted, base),
            "in_field": (strict, total), "total": total}


def build(make, data):
    cohorts = [make.cohort(name="C0"), make.cohort(name="C1")]
    fairs = [make.fair(name="F0", day=date(2026, 3, 1), status="closed"),
             make.fair(name="F1", day=date(2026, 5, 1), status="closed")]
    fairs[0].cohorts.append(cohorts[0])
    fairs[1].cohorts.append(cohorts[1])
    company = make.company(name="Co")
    for cohort_index, booking, company_status, answers0, answers1 in data:
        person = make.candidate(cohort_=cohorts[cohort_index])
        participation = None
        if booking:
            participation = meeting(make, fairs[0], company, person, status=booking)
        if company_status:
            participation = participation or meeting(make, fairs[0], company, person,
                                                     status="cancelled")
            outcome(participation, person, company_status,
                    start_date=fairs[0].day + timedelta(days=20))
        for fair, answers in ((fairs[0], answers0), (fairs[1], answers1)):
            for status, source, days, in_field, full_time, start in answers:
                follow_up(fair, person, status, days=days, source=source,
                          in_field=in_field if status == "employed" else None,
                          full_time=full_time if status == "employed" else None,
                          start_date=fair.day + timedelta(days=start)
                          if status == "employed" else None)
    return fairs


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(candidate_strategy, min_size=0, max_size=6),
       group=st.sampled_from(("fair", "cohort", "company")))
def test_dashboard_numbers_equal_the_numbers_from_the_export(app, client, auth, make, data,
                                                             group):
    empty_tables()
    organizer = make.user(role="organizer")
    fairs = build(make, data)
    auth.login_as(organizer)
    auth.use_language("en")
    for query in ("", f"fairs={fairs[0].id}", f"fairs={fairs[1].id}&date_from=2026-04-01"):
        page = client.get(f"/organizer/insertion?group={group}&{query}")
        exported = csv_rows(client.get(f"/organizer/insertion/export.csv?form=standard&{query}"))
        assert numbers_on(page) == recompute(exported)
        if group == "fair":
            html = page.get_data(as_text=True)
            for fair in fairs:
                mine = [r for r in exported if r["Fair"] == fair.name]
                match = re.search(rf'data-group="{fair.id}">.*?</tr>', html, re.DOTALL)
                assert bool(match) == bool(mine)
                if match:
                    numbers = [int(n) for n in re.findall(r'-link"[^>]*>(\d+)<', match.group(0))]
                    expected = recompute(mine)
                    assert numbers == [*expected["knowledge"], *expected["insertion"],
                                       *expected["in_field"]]
    auth.logout()


# --- A large export streams -------------------------------------------------------------------

LARGE = 15_000


def test_a_15000_candidate_export_is_streamed_in_batches(app, client, auth, organizer, make):
    cohort = make.cohort(name="Big")
    fair = make.fair(name="Big fair", day=date(2026, 6, 20), status="closed")
    db.session.flush()
    password = factories._hash()
    db.session.execute(insert(User), [
        {"email": f"big{i}@example.ma", "password_hash": password, "first_name": f"P{i}",
         "last_name": f"N{i}", "role": "candidate", "session_nonce": f"n{i}"}
        for i in range(LARGE)])
    user_ids = db.session.scalars(select(User.id).where(User.email.like("big%"))).all()
    db.session.execute(insert(Candidate), [{"user_id": uid, "cohort_id": cohort.id}
                                           for uid in user_ids])
    db.session.execute(insert(fair_cohorts), [{"fair_id": fair.id, "cohort_id": cohort.id}])
    auth.login_as(organizer)
    auth.use_language("en")

    answer_queries = []

    def watch(conn, cursor, statement, *args):
        if statement.lstrip().startswith("SELECT follow_up_answers."):
            answer_queries.append(statement)

    # Unbuffered: the body is what the generator yields as the test reads it.
    response = client.get("/organizer/insertion/export.csv?form=standard", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed and "Content-Length" not in response.headers
    event.listen(db.engine, "before_cursor_execute", watch)
    tracemalloc.start()
    try:
        lines = 0
        for chunk in response.response:  # the generator, consumed line by line
            lines += chunk.count(b"\r\n")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        event.remove(db.engine, "before_cursor_execute", watch)
        response.close()
    assert lines == LARGE + 1
    # Measured: ~7 MB streamed in batches of 1,000 rows; ~52 MB when every row is held at once.
    assert peak < 20 * 1024 * 1024, peak
    # Facts were fetched per batch of 1,000 rows, not for every row at once.
    assert len(answer_queries) == LARGE // 1000
