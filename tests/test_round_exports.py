"""The round's fairness figures as a download (issue 12, point 6): CSV and XLSX, organizer only,
the page's numbers, the definitions with them, and an ``export.downloaded`` event."""
import io
import json
import re

from openpyxl import load_workbook
from sqlalchemy import select

from jobfair.extensions import db
from jobfair.models import AssignmentRun, AuditEvent, BookingRound
from jobfair.round import services

from .downloads import csv_rows, xlsx_rows
from .test_round_pages import set_round, world  # noqa: F401 (the fixture)


def _run(auth, client, world):  # noqa: F811
    auth.use_language("en")
    auth.login_as(world["organizer"])
    set_round(auth, world)
    booking_round = db.session.scalar(select(BookingRound))
    for person in (world["person"], world["other"]):
        services.save_wishes(booking_round, person.candidate, [world["parts"][0].id])
    db.session.commit()
    url = f"/organizer/fairs/{world['fair'].id}/round"
    assert auth.post(f"{url}/run", {"seed": "42"}, page=url).status_code == 303
    return url


def _cell(html, cell_id):
    found = re.search(rf'id="{cell_id}">(\d+) / (\d+)', html)
    return int(found.group(1)), int(found.group(2))


def test_the_figures_download_as_csv_with_the_pages_numbers_and_definitions(auth, client,
                                                                            world):  # noqa: F811
    url = _run(auth, client, world)
    page = client.get(url).get_data(as_text=True)
    assert f'href="{url}/figures.csv"' in page and f'href="{url}/figures.xlsx"' in page
    with_interview = _cell(page, "run-figures-with-interview")
    empty = _cell(page, "run-figures-empty")

    response = client.get(f"{url}/figures.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = csv_rows(response, delimiter=";")
    terms = [row[0] for row in rows]
    assert "Candidates with at least one interview" in terms  # the definitions, as a header
    assert "Places left empty" in terms and "First-come (simulated)" in terms
    header = rows[terms.index("Group")]
    lines = [dict(zip(header, row)) for row in rows[terms.index("Group") + 1:]]
    overall = lines[0]
    assert overall["Group"] == "All candidates"
    assert (int(overall["With an interview: round"]), int(overall["Candidates"])) == with_interview
    assert (int(overall["Places left empty: round"]), int(overall["Places"])) == empty
    run = db.session.scalar(select(AssignmentRun))
    first_come = run.figures["first_come"]
    assert int(overall["With an interview: first-come"]) == first_come["with_interview"]
    assert int(overall["Places left empty: first-come"]) == first_come["places_empty"]
    # One line per group of each dimension, with the page's by-cohort numbers.
    cohorts = [line for line in lines if line["Group"] == "Cohort"]
    assert [line["Name"] for line in cohorts] == [world["cohort"].name]
    by_cohort = re.search(r'<table id="by-cohort">.*?</table>', page, re.S).group(0)
    cells = re.findall(r'<td class="num">(\d+) / (\d+)', by_cohort)
    assert (cohorts[0]["With an interview: round"],
            cohorts[0]["With an interview: first-come"]) == cells[0]
    assert {line["Group"] for line in lines} == {
        "All candidates", "Cohort", "Training operator", "Region", "Track"}
    # By region: the region of the cohort's town (the factories' cohorts are in Casablanca),
    # on the page and in the download.
    assert [line["Name"] for line in lines if line["Group"] == "Region"] == ["Casablanca-Settat"]
    by_region = re.search(r'<table id="by-region">.*?</table>', page, re.S).group(0)
    assert ">Casablanca-Settat</th>" in by_region

    event = db.session.scalars(select(AuditEvent)
                               .where(AuditEvent.action == "export.downloaded")).one()
    assert (event.actor_id, event.fair_id, event.object_id) == (
        world["organizer"].id, world["fair"].id, run.id)
    assert json.loads(event.details)["kind"] == "round-figures"
    log = client.get("/organizer/audit").get_data(as_text=True)
    assert "Downloaded the booking round&#39;s figures (CSV)" in log


def test_the_figures_download_as_xlsx_with_a_definitions_sheet(auth, client,
                                                               world):  # noqa: F811
    url = _run(auth, client, world)
    response = client.get(f"{url}/figures.xlsx")
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert rows[0][0] == "Group" and rows[1][0] == "All candidates"
    run = db.session.scalar(select(AssignmentRun))
    header = dict(zip(rows[0], rows[1]))
    assert header["With an interview: round"] == run.figures["round"]["with_interview"]
    assert header["Shortlisted pairs met: first-come"] == \
        run.figures["first_come"]["shortlisted_met"]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    try:
        assert book.sheetnames[1] == "Definitions"
        terms = [row[0] for row in book["Definitions"].iter_rows(values_only=True)]
    finally:
        book.close()
    assert "Shortlisted pairs met" in terms and "Seed" in terms


def test_no_run_no_download_and_nothing_logged(auth, client, world):  # noqa: F811
    auth.login_as(world["organizer"])
    set_round(auth, world)
    url = f"/organizer/fairs/{world['fair'].id}/round"
    response = client.get(f"{url}/figures.csv")
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    assert db.session.scalars(select(AuditEvent)
                              .where(AuditEvent.action == "export.downloaded")).all() == []


def test_a_cohorts_town_gives_its_region_and_an_unknown_town_says_so(app):
    from jobfair.i18n import force_locale
    from jobfair.labels import region_of_city
    from jobfair.round.exports import group_label

    assert region_of_city("Fès") == region_of_city("fes") == "fes_meknes"
    assert region_of_city("Béni-Mellal") == "beni_mellal_khenifra"
    assert region_of_city("El Kelâa des Sraghna") == "marrakech_safi"
    assert region_of_city("Lyon") is None and region_of_city(None) is None
    with app.test_request_context(), force_locale("fr"):
        assert group_label("region", "souss_massa") == "Souss-Massa"
        assert group_label("region", "") == "Région inconnue"
        assert group_label("region", "Agadir") == "Agadir"  # a run stored with towns
        assert group_label("cohort", "Promotion 1") == "Promotion 1"
