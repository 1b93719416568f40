"""The company directory of a fair and a company's page, as a candidate sees them."""
import re
from datetime import time
from types import SimpleNamespace

import pytest
from babel.dates import format_time
from sqlalchemy import event

from jobfair.extensions import db
from jobfair.models import Position

HTMX = {"HX-Request": "true"}


def shown(hour, minute=0, minutes=20):
    """A local time range as an English page shows it."""
    start = time(hour, minute)
    end_minutes = hour * 60 + minute + minutes
    end = time(end_minutes // 60, end_minutes % 60)
    return "–".join(format_time(t, "short", locale="en") for t in (start, end))


def position(company, title, contract, track=None):
    db.session.add(Position(company=company, title=title, contract_type=contract, track=track))


@pytest.fixture
def world(make, auth):
    cohort = make.cohort()
    cloud, java = make.track("Cloud & DevOps"), make.track("Java/JEE")
    data = make.track("Data & IA")
    fair = make.open_fair(cohorts=[cohort])
    telecom = make.company("Télécom Sahel", sector="telecom", city="Casablanca")
    atlas = make.company("Atlas Digital", sector="esn", city="Rabat",
                         description="Services numériques")
    kasbah = make.company("Kasbah Labs", sector="startup")
    gone = make.company("Gone Corp", sector="esn")
    position(telecom, "Ingénieur Cloud", "cdi", cloud)
    position(atlas, "Développeur Java", "cdi", java)
    position(atlas, "Testeur QA", "cdd")
    position(kasbah, "ML engineer", "internship", data)
    p_telecom = make.participation(fair, telecom)
    p_atlas = make.participation(fair, atlas)
    p_kasbah = make.participation(fair, kasbah)
    make.participation(fair, gone, status="withdrawn")
    make.participation(make.open_fair(cohorts=[cohort]), make.company("Elsewhere Inc"))
    make.booth(fair, "A1", 0, 0, participation=p_telecom)
    make.booth(fair, "B7", 0, 1, participation=p_atlas)
    t_telecom, t_atlas, t_kasbah = (make.table(p) for p in (p_telecom, p_atlas, p_kasbah))
    make.slot_at(t_telecom, 10)
    make.slot_at(t_telecom, 11)
    make.slot_at(t_atlas, 10)
    full = make.slot_at(t_kasbah, 10)
    full.booked_count = 1
    blocked = make.slot_at(t_kasbah, 11)
    blocked.is_blocked = True
    person = make.bookable_candidate(cohort, email="salma@example.ma")
    auth.login_as(person)
    return SimpleNamespace(
        fair=fair, cohort=cohort, person=person, telecom=telecom, atlas=atlas, kasbah=kasbah,
        t_telecom=t_telecom, t_atlas=t_atlas, cloud=cloud, java=java, data=data,
        url=f"/me/fairs/{fair.id}/companies")


def companies_in(html):
    return re.findall(r'<li class="card" id="company-(\d+)">\s*<h2><a [^>]*>([^<]+)</a>', html)


def card(html, company):
    """The directory card of ``company``."""
    start = html.index(f'id="company-{company.id}"')
    end = html.find('<li class="card"', start)
    return html[start:end if end != -1 else None]


def names(response):
    return [name for _, name in companies_in(response.text)]


def test_the_directory_lists_the_fairs_approved_companies(client, world):
    page = client.get(world.url)
    assert page.status_code == 200
    assert names(page) == ["Atlas Digital", "Kasbah Labs", "Télécom Sahel"]
    telecom = card(page.text, world.telecom)
    assert "Telecoms" in telecom and "Booth A1" in telecom and "Ingénieur Cloud" in telecom
    assert "Permanent contract (CDI)" in telecom and "Tracks sought: Cloud &amp; DevOps" in telecom
    assert 'data-free="2"' in telecom and "2 free slots" in telecom
    kasbah = card(page.text, world.kasbah)
    # Full and blocked slots are not free: the card points to the waitlist.
    assert 'data-free="0"' in kasbah and "join the waitlist" in kasbah


@pytest.mark.parametrize("query, expected", [
    ({"sector": "telecom"}, ["Télécom Sahel"]),
    ({"contract": "internship"}, ["Kasbah Labs"]),
    ({"contract": "cdi"}, ["Atlas Digital", "Télécom Sahel"]),
    ({"free": "y"}, ["Atlas Digital", "Télécom Sahel"]),
    ({"q": "telecom"}, ["Télécom Sahel"]),  # without the accent
    ({"q": "JAVA"}, ["Atlas Digital"]),  # a position's title, any case
    ({"q": "rabat services"}, ["Atlas Digital"]),  # every word, anywhere
    ({"q": "nothing like this"}, []),
    ({"sector": "esn", "free": "y", "q": "atlas"}, ["Atlas Digital"]),
    ({"sector": "no-such-sector"}, ["Atlas Digital", "Kasbah Labs", "Télécom Sahel"]),
])
def test_filters_and_search_as_a_plain_get_form(client, world, query, expected):
    page = client.get(world.url, query_string=query)
    assert page.status_code == 200
    assert names(page) == expected
    if not expected:
        assert "No company matches these filters." in page.text


def test_the_track_filter(client, world):
    page = client.get(world.url, query_string={"track": str(world.data.id)})
    assert names(page) == ["Kasbah Labs"]
    # The choices are the tracks the fair's companies look for.
    assert f'<option value="{world.cloud.id}">Cloud &amp; DevOps</option>' in page.text


def test_filters_keep_what_was_chosen(client, world):
    page = client.get(world.url, query_string={"q": "atlas", "sector": "esn", "free": "y"})
    assert re.search(r'<input[^>]*name="q"[^>]*value="atlas"', page.text)
    assert '<option selected value="esn">' in page.text
    assert re.search(r'<input[^>]*checked[^>]*name="free"|<input[^>]*name="free"[^>]*checked',
                     page.text)


def test_search_as_you_type_gets_only_the_results_block(client, world):
    page = client.get(world.url)
    search = re.search(r'<input[^>]*name="q"[^>]*>', page.text).group(0)
    assert 'hx-trigger="keyup changed delay:300ms, search"' in search
    assert f'hx-get="{world.url}"' in search and 'hx-target="#results"' in search
    fragment = client.get(world.url, query_string={"q": "kasbah"}, headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and fragment.text.lstrip().startswith('<div id="results"')
    assert names(fragment) == ["Kasbah Labs"]
    # A history restore asks for the whole page.
    restore = client.get(world.url, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_the_directory_needs_a_fixed_number_of_queries(client, make, world):
    def count_queries():
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(world.url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    before = count_queries()
    for n in range(6):
        company = make.company(f"Extra {n}", sector="software")
        position(company, f"Poste {n}", "cdi", make.track())
        participation = make.participation(world.fair, company)
        make.booth(world.fair, f"C{n}", 2, n, participation=participation)
        make.slot_at(make.table(participation), 10)
    assert count_queries() == before


def test_only_candidates_of_an_invited_cohort_see_a_public_fair(auth, client, make, world):
    world.fair.status = "draft"
    assert client.get(world.url).status_code == 404
    world.fair.status = "published"
    other = make.bookable_candidate(make.cohort(), email="other@example.ma")
    auth.logout()
    auth.login_as(other)
    assert client.get(world.url).status_code == 404
    assert client.get(f"{world.url}/{world.telecom.id}").status_code == 404


# --- A company's page -------------------------------------------------------------------


def test_the_company_page_shows_positions_and_free_slots_by_time(client, world):
    page = client.get(f"{world.url}/{world.telecom.id}")
    assert page.status_code == 200
    text = page.text
    assert "Ingénieur Cloud" in text and "Booth A1" in text
    assert text.index(shown(10)) < text.index(shown(11))
    assert text.count(">Book<") == 2
    assert 'id="waitlist"' not in text


def test_a_slot_reserved_for_another_track_has_no_book_button(client, make, world):
    world.t_atlas.slots[0].eligible_tracks = [make.track("Mobile")]
    page = client.get(f"{world.url}/{world.atlas.id}")
    assert "reserved for candidates of these tracks: Mobile" in page.text
    assert ">Book<" not in page.text
    # No slot this candidate may book: the waitlist is offered.
    assert "Join the waitlist" in page.text


def test_a_company_without_free_slot_offers_the_waitlist(client, world):
    page = client.get(f"{world.url}/{world.kasbah.id}")
    assert "No free slot with this company right now." in page.text
    assert "Join the waitlist" in page.text


def test_companies_not_approved_or_of_another_fair_are_not_found(client, make, world):
    gone = make.company("Absent")
    make.participation(world.fair, gone, status="requested")
    assert client.get(f"{world.url}/{gone.id}").status_code == 404
    assert client.get(f"{world.url}/999999").status_code == 404
