"""The public fair page: open to anyone once the fair is published, never for a draft."""
from datetime import date, time

import pytest

from jobfair.extensions import db
from jobfair.models import Position

from .test_fairs import count_queries


def _position(company, title, track=None, contract_type="cdi", openings=1, is_open=True):
    position = Position(company=company, title=title, track=track, contract_type=contract_type,
                        openings=openings, is_open=is_open)
    db.session.add(position)
    return position


def _exhibitor(make, fair, name, status="approved"):
    company = make.company(name, city="Casablanca")
    make.participation(fair, company, status=status)
    return company


@pytest.mark.parametrize("status", ["published", "live", "closed"])
def test_anyone_opens_the_page_of_a_public_fair(client, make, status):
    make.fair(status=status, slug="forum-casa", name="Forum Casa")
    response = client.get("/fairs/forum-casa")
    assert response.status_code == 200
    assert "Forum Casa" in response.text


def test_a_draft_or_unknown_fair_has_no_page(client, make):
    make.fair(status="draft", slug="forum-secret")
    assert client.get("/fairs/forum-secret").status_code == 404
    assert client.get("/fairs/no-such-fair").status_code == 404


@pytest.mark.parametrize("role", ["organizer", "company_rep", "staff", "candidate"])
def test_every_role_sees_the_public_page_too(auth, client, make, role, request):
    make.fair(status="published", slug="forum-casa")
    auth.login_as(request.getfixturevalue(role))
    assert client.get("/fairs/forum-casa").status_code == 200


def test_the_page_gives_date_place_and_hours_in_french_by_default(client, make):
    make.fair(status="published", slug="forum-casa", day=date(2026, 12, 20), venue="Technopark",
              city="Casablanca", region="casablanca_settat", opens_at=time(9), closes_at=time(17, 30))
    page = client.get("/fairs/forum-casa").text
    assert '<html lang="fr"' in page
    assert "dimanche 20 décembre 2026" in page
    assert "09:00" in page and "17:30" in page
    assert "Technopark, Casablanca" in page and "Casablanca-Settat" in page


def test_the_page_lists_approved_companies_with_sector_positions_and_tracks(auth, client, make):
    fair = make.fair(status="published", slug="forum-casa")
    java, data = make.track("Java/JEE"), make.track("Data & IA")
    atlas = _exhibitor(make, fair, "Atlas Digital", status="approved")
    atlas.sector = "banking"
    _position(atlas, "Développeur Java/Spring", java, "cdi", openings=6)
    _position(atlas, "Data analyst", data, "pre_hire_internship", openings=1)
    _position(atlas, "Poste pourvu", java, "cdd", is_open=False)
    _exhibitor(make, fair, "Pending Corp", status="requested")
    _exhibitor(make, fair, "Declined Corp", status="declined")
    _exhibitor(make, make.fair(), "Other Fair Corp")
    auth.use_language("en")

    page = client.get("/fairs/forum-casa").text
    assert "Atlas Digital" in page
    card = page[page.index('id="company-atlas-digital"'):]
    card = card[:card.index("</li>\n      \n")] if "</li>\n      \n" in card else card
    assert "Banking &amp; insurance" in card or "Banking & insurance" in card
    assert "Développeur Java/Spring" in card and "Permanent contract (CDI)" in card
    assert "6 openings" in card and "1 opening" in card
    assert "Data analyst" in card and "Pre-hire internship" in card
    assert "Java/JEE" in card and "Data &amp; IA" in card
    assert "Poste pourvu" not in page
    for absent in ("Pending Corp", "Declined Corp", "Other Fair Corp"):
        assert absent not in page


def test_the_page_shows_each_company_booth(auth, client, make):
    fair = make.fair(status="published", slug="forum-casa", hall_rows=1, hall_cols=2)
    company = _exhibitor(make, fair, "Atlas Digital")
    make.booth(fair, number="A7", row=0, col=1, participation=company.participations[0])
    auth.use_language("en")
    page = client.get("/fairs/forum-casa").text
    assert "Booth A7" in page


def test_the_page_query_count_does_not_grow_with_companies(client, make):
    small = make.fair(status="published", slug="small")
    large = make.fair(status="published", slug="large")
    track = make.track()
    for fair, companies in ((small, 1), (large, 6)):
        for n in range(companies):
            company = _exhibitor(make, fair, f"{fair.slug} company {n}")
            _position(company, "Dev", track)
            _position(company, "Ops", None, "cdd")
    db.session.commit()  # the set-up's own INSERTs are not the page's queries
    counts = []
    for slug in ("small", "large"):
        with count_queries() as queries:
            assert client.get(f"/fairs/{slug}").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_the_floor_plan_is_shown_read_only_when_the_fair_has_one(client, make):
    fair = make.fair(status="published", slug="forum-casa", hall_rows=2, hall_cols=2)
    make.booth(fair, number="A1", row=0, col=0)
    placed = make.booth(fair, number="A2", row=0, col=1,
                        participation=make.participation(fair, make.company("Kasbah Labs")))
    page = client.get("/fairs/forum-casa").text
    plan = page[page.index('id="floor-plan"'):page.index('id="exhibitors-title"')]
    assert "A1" in plan and "A2" in plan and "Kasbah Labs" in plan
    assert "<form" not in plan and "/organizer/" not in plan
    # A company no longer approved is not shown on the public plan.
    placed.participation.status = "withdrawn"
    page = client.get("/fairs/forum-casa").text
    assert "Kasbah Labs" not in page


def test_a_fair_without_a_floor_plan_shows_none(client, make):
    make.fair(status="published", slug="forum-casa")
    assert 'id="floor-plan"' not in client.get("/fairs/forum-casa").text


def test_the_overview_links_to_the_public_page(auth, client, organizer, make):
    fair = make.fair(status="published", slug="forum-casa")
    auth.login_as(organizer)
    page = client.get(f"/organizer/fairs/{fair.id}").text
    assert 'href="/fairs/forum-casa"' in page
