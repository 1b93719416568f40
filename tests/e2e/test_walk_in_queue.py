"""Issue 13, part 2 in a real browser: a walk-in queue at a booth, on ``day_server`` (the demo
fair live). Two candidates open the queue's page on their phones (the URL of the booth's QR
poster) and join; the representative of Atlas Digital Services sees the line and calls the next
one to "Table 3": the first candidate's page says so and the second one's position moves from 2
to 1 — both without a reload (htmx polling). The representative marks the first seen; the
second leaves. The figures reach the company's leads and the organizer's queue page."""
import re

import pytest
from playwright.sync_api import expect

from .journeys import log_in
from .test_fair_day import ATLAS, ATLAS_REP, ORGANIZER

pytestmark = pytest.mark.e2e
POLL = 12_000  # the pages poll every 5 s


def two_candidates(database, fair_id):
    """Two candidates of the fair's cohorts that the other fair-day journeys leave alone."""
    rows = database.rows(
        "SELECT u.email, u.first_name, u.last_name FROM users u "
        "JOIN candidates c ON c.user_id = u.id "
        "WHERE c.cohort_id IN (SELECT cohort_id FROM fair_cohorts WHERE fair_id = :fair) "
        "ORDER BY u.id DESC LIMIT 2 OFFSET 8", fair=fair_id)
    assert len(rows) == 2
    return rows


def test_join_see_the_position_move_get_called_and_leave(open_day_page, day_server):
    database, fair_id = day_server.database, day_server.fair_id
    (atlas,) = database.rows(
        "SELECT p.id, p.company_id FROM participations p JOIN companies c ON c.id = p.company_id "
        "WHERE c.name = :name AND p.fair_id = :fair", name=ATLAS, fair=fair_id)
    queue_path = f"/me/fairs/{fair_id}/companies/{atlas['company_id']}/queue"
    first, second = two_candidates(database, fair_id)

    phones = []
    for person in (first, second):
        tab = open_day_page(device="phone", suffix=person["email"].split("@")[0])
        log_in(tab, person["email"])
        tab.goto(queue_path)  # what the booth's QR poster opens
        tab.page.locator("#queue-join").click()
        expect(tab.page.locator("#queue-position")).to_be_visible()
        phones.append(tab)
    expect(phones[0].page.locator("#queue-position")).to_have_attribute("data-position", "1")
    expect(phones[1].page.locator("#queue-position")).to_have_attribute("data-position", "2")
    expect(phones[1].page.locator("#queue-wait")).to_contain_text("minutes")
    phones[0].check("joined")

    rep = open_day_page(suffix="rep")
    log_in(rep, ATLAS_REP)
    rep.goto(f"/company/fairs/{atlas['id']}/queue")
    line = rep.page.locator("#queue-line tbody tr")
    expect(line).to_have_count(2)
    expect(line.first).to_contain_text(first["first_name"])
    rep.check("line")
    rep.page.get_by_label("Où venir").fill("Table 3")
    rep.page.locator("#queue-call-next").click()
    expect(rep.page.locator("#queue-line tr[data-status=called]")).to_contain_text(
        first["first_name"])

    # Without a reload: the first is called, the second moves up.
    expect(phones[0].page.locator("#queue-called")).to_contain_text("Table 3", timeout=POLL)
    expect(phones[1].page.locator("#queue-position")).to_have_attribute(
        "data-position", "1", timeout=POLL)
    phones[0].check("called")

    rep.page.locator("#queue-line tr[data-status=called]").get_by_role(
        "button", name=re.compile("^Reçu")).click()
    expect(rep.page.locator("#queue-line tr[data-status=called]")).to_have_count(0)
    phones[1].page.locator("#queue-leave").click()
    expect(phones[1].page.locator("#queue-join")).to_be_visible()
    expect(rep.page.locator("#queue-empty")).to_be_visible(timeout=POLL)
    expect(rep.page.locator("#queue-seen")).to_have_text("1")
    expect(rep.page.locator("#queue-left")).to_have_text("1")

    expect(rep.page.locator("#queue-poster-link")).to_be_visible()
    rep.goto(f"/company/fairs/{atlas['id']}/queue/poster")  # a print page: opened, not boosted
    expect(rep.page.locator("#queue-poster-url")).to_contain_text(queue_path)
    expect(rep.page.locator("svg.queue-poster-qr path")).to_have_count(1)
    rep.check("poster")
    rep.goto(f"/company/fairs/{atlas['id']}/leads")
    expect(rep.page.locator("#queue-joined")).to_have_text("2")

    organizer = open_day_page(suffix="organizer")
    log_in(organizer, ORGANIZER)
    organizer.goto(f"/organizer/fairs/{fair_id}/live")
    expect(organizer.page.locator("#n-queue-waiting")).to_have_text("0")
    organizer.check("dashboard")
    link = organizer.page.get_by_role("link", name=re.compile("files sans rendez-vous"))
    expect(link).to_have_attribute("href", f"/organizer/fairs/{fair_id}/queues")
    organizer.goto(f"/organizer/fairs/{fair_id}/queues")
    expect(organizer.page.locator("#queues-total-joined")).to_have_text("2")
    organizer.check("queues")
    limit = organizer.page.get_by_label(re.compile("Files où un candidat"))
    limit.fill("3")
    organizer.page.get_by_role("button", name="Enregistrer").click()
    expect(organizer.page.locator(".flashes")).to_contain_text("Enregistré")
    organizer.goto(f"/organizer/fairs/{fair_id}/queues")
    expect(limit).to_have_value("3")
