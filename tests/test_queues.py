"""Walk-in queues (issue 13, part 2): the rules without HTTP, the pages, and the races over
real concurrent HTTP requests (two "next" clicks, one candidate joining many lines at once)."""
import re
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import QueueEntry, utcnow
from jobfair.queues import services
from jobfair.timeutil import local_today

from . import test_booking_races as races
from .test_checkin_races import logged_in

server = races.server
_test_thread_takes_no_write_lock = races._test_thread_takes_no_write_lock


@pytest.fixture
def booth(make):
    cohort = make.cohort()
    fair = make.fair(status="live", cohorts=[cohort], day=local_today())
    atlas = make.participation(fair, make.company("Atlas Digital"))
    make.booth(fair, "B7").participation = atlas
    other = make.participation(fair, make.company("Maroc Data"))
    third = make.participation(fair, make.company("Sud Cloud"))
    gone = make.participation(fair, make.company("Partie SA"), status="withdrawn")
    rep = make.user(role="company_rep", email="rh@atlas.ma", company=atlas.company)
    people = [make.bookable_candidate(cohort, email=f"c{n}@example.ma") for n in range(4)]
    db.session.flush()
    return SimpleNamespace(fair=fair, atlas=atlas, other=other, third=third, gone=gone,
                           rep=rep, people=people, candidates=[p.candidate for p in people])


@pytest.fixture
def english(app):
    """Messages read as text (lazy strings need a request's locale)."""
    with app.test_request_context(), force_locale("en"):
        yield


def statuses(participation):
    db.session.commit()  # and a fresh snapshot (the served app may have written meanwhile)
    db.session.expire_all()
    return [e.status for e in db.session.scalars(
        select(QueueEntry).where(QueueEntry.participation_id == participation.id)
        .order_by(QueueEntry.id))]


# --- The rules --------------------------------------------------------------------------------


def test_joining_gives_a_place_and_an_estimated_wait(booth):
    entries = [services.join(booth.atlas, c) for c in booth.candidates[:3]]
    assert [services.place(e) for e in entries] == [(1, 5), (2, 10), (3, 15)]


def test_joining_twice_over_the_limit_or_a_company_not_at_the_fair_is_refused(booth, english):
    first = booth.candidates[0]
    services.join(booth.atlas, first)
    with pytest.raises(DomainError, match="already in this company"):
        services.join(booth.atlas, first)
    services.join(booth.other, first)
    with pytest.raises(DomainError, match="already in 2 queues"):
        services.join(booth.third, first)
    with pytest.raises(DomainError, match="not at the fair"):
        services.join(booth.gone, booth.candidates[1])
    services.set_queue_limit(booth.fair, 3)
    services.join(booth.third, first)
    with pytest.raises(DomainError):
        services.set_queue_limit(booth.fair, 0)


def test_queues_open_on_the_fair_day_only(booth, english):
    booth.fair.status = "published"
    with pytest.raises(DomainError, match="fair's day"):
        services.join(booth.atlas, booth.candidates[0])


def test_next_calls_in_order_then_seen_no_show_and_leaving(booth, english):
    for candidate in booth.candidates[:3]:
        services.join(booth.atlas, candidate)
    first = services.call_next(booth.atlas, booth.rep, "Table 3")
    assert first.candidate_id == booth.candidates[0].id and first.called_to == "Table 3"
    second = services.call_next(booth.atlas, booth.rep, "Table 1")
    assert second.candidate_id == booth.candidates[1].id
    services.finish(booth.atlas, first.id, "seen")
    services.finish(booth.atlas, second.id, "no_show")
    with pytest.raises(DomainError, match="no longer called"):
        services.finish(booth.atlas, first.id, "seen")
    services.leave(booth.atlas, booth.candidates[2])
    with pytest.raises(DomainError, match="not in this company"):
        services.leave(booth.atlas, booth.candidates[2])
    with pytest.raises(DomainError, match="Nobody is waiting"):
        services.call_next(booth.atlas, booth.rep, "Table 3")
    with pytest.raises(DomainError):
        services.call_next(booth.atlas, booth.rep, "  ")
    assert statuses(booth.atlas) == ["seen", "no_show", "left"]
    # Left: the candidate may join again.
    assert services.join(booth.atlas, booth.candidates[2]).status == "waiting"


def test_figures_count_joined_seen_left_and_the_median_wait(booth):
    now = utcnow()
    entries = [services.join(booth.atlas, c, now=now - timedelta(minutes=30))
               for c in booth.candidates]
    services.call_next(booth.atlas, booth.rep, "T1", now=now - timedelta(minutes=20))
    services.call_next(booth.atlas, booth.rep, "T1", now=now - timedelta(minutes=10))
    services.finish(booth.atlas, entries[0].id, "seen")
    services.leave(booth.atlas, booth.candidates[3])
    figures = services.figures([booth.atlas.id, booth.other.id])
    assert figures[booth.atlas.id] == {"joined": 4, "seen": 1, "no_show": 0, "left": 1,
                                       "waiting": 1, "median_wait": 15}
    assert figures[booth.other.id]["joined"] == 0
    assert services.fair_figures(booth.fair)["joined"] == 4
    # Calls 10 minutes apart: the next one waits about 10 minutes.
    assert services.place(entries[2]) == (1, 10)


def test_an_interview_starting_soon_is_shown_beside_the_place(booth, make):
    table = make.table(booth.other)
    slot = make.slot(table, starts_at=utcnow().replace(microsecond=0) + timedelta(minutes=20))
    make.booking(slot, booth.people[0])
    assert services.interview_soon(booth.candidates[0], booth.fair).slot_id == slot.id
    assert services.interview_soon(booth.candidates[1], booth.fair) is None


# --- Pages ------------------------------------------------------------------------------------


def test_the_candidate_joins_sees_the_place_and_leaves_without_javascript(auth, booth):
    auth.login_as(booth.people[0])
    auth.use_language("en")
    url = f"/me/fairs/{booth.fair.id}/companies/{booth.atlas.company_id}/queue"
    page = auth.client.get(url)
    assert page.status_code == 200 and b'id="queue-join"' in page.data
    response = auth.post(url + "/join", page=url)
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    page = auth.client.get(url).get_data(as_text=True)
    assert 'data-position="1"' in page and "about 5 minutes" in page
    fragment = auth.client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="queue-place"')
    again = auth.post(url + "/join", page=url, follow_redirects=True)
    assert b"already in this company" in again.data
    assert auth.post(url + "/leave", page=url).status_code == 303
    assert statuses(booth.atlas) == ["left"]
    gone = f"/me/fairs/{booth.fair.id}/companies/{booth.gone.company_id}/queue"
    assert b'id="queue-not-at-fair"' in auth.client.get(gone).data
    refused = auth.post(gone + "/join", page=gone, follow_redirects=True)
    assert b"not at the fair" in refused.data


def test_the_representative_calls_marks_and_prints_the_poster(auth, booth):
    services.join(booth.atlas, booth.candidates[0])
    auth.login_as(booth.rep)
    auth.use_language("en")
    url = f"/company/fairs/{booth.atlas.id}/queue"
    page = auth.client.get(url).get_data(as_text=True)  # the name as companies see it
    assert booth.people[0].first_name in page and booth.people[0].last_name not in page
    missing = auth.post(url + "/next", {"called_to": ""}, page=url)
    assert missing.status_code == 200 and b'id="called_to-error"' in missing.data
    response = auth.post(url + "/next", {"called_to": "Table 3"}, page=url)
    assert response.status_code == 303
    [entry] = db.session.scalars(select(QueueEntry)).all()
    assert auth.post(url + "/done", {"entry_id": str(entry.id), "outcome": "seen"},
                     page=url).status_code == 303
    assert statuses(booth.atlas) == ["seen"]
    forged = auth.post(url + "/done", {"entry_id": "x", "outcome": "seen"}, page=url,
                       follow_redirects=True)
    assert b"no longer called" in forged.data
    poster = auth.client.get(url + "/poster").get_data(as_text=True)
    assert re.search(r'<path d="M\d', poster)
    assert f"/me/fairs/{booth.fair.id}/companies/{booth.atlas.company_id}/queue" in poster


def test_the_organizer_sets_the_limit_and_sees_the_figures(auth, booth, organizer):
    services.join(booth.atlas, booth.candidates[0])
    auth.login_as(organizer)
    url = f"/organizer/fairs/{booth.fair.id}/queues"
    assert b'id="queues-per-company"' in auth.client.get(url).data
    assert auth.post(url, {"limit": "4"}).status_code == 303
    assert services.queue_limit(booth.fair) == 4
    assert auth.post(url, {"limit": "0"}).status_code == 200  # the form says why


# --- Races ------------------------------------------------------------------------------------


def _post_all(server, browsers, path, data):
    return races.all_at_once([
        lambda b=b: b.post(path, {"csrf_token": b.csrf, **data}) for b in browsers])


def test_two_next_clicks_at_once_call_two_different_people(server, booth, make):
    second_rep = make.user(role="company_rep", email="rh2@atlas.ma", company=booth.atlas.company)
    for candidate in booth.candidates[:2]:
        services.join(booth.atlas, candidate)
    db.session.commit()
    page = f"/company/fairs/{booth.atlas.id}/queue"
    browsers = logged_in(server, [booth.rep, second_rep], page)
    results, _ = _post_all(server, browsers, page + "/next", {"called_to": "Table 1"})
    assert [status for status, _ in results] == [303, 303], results
    db.session.rollback()
    called = db.session.scalars(select(QueueEntry).where(QueueEntry.status == "called")).all()
    assert sorted(e.candidate_id for e in called) == sorted(c.id for c in booth.candidates[:2])


def test_four_next_clicks_with_one_waiting_call_them_once(server, booth):
    services.join(booth.atlas, booth.candidates[0])
    db.session.commit()
    page = f"/company/fairs/{booth.atlas.id}/queue"
    [browser] = logged_in(server, [booth.rep], page)
    results, _ = _post_all(server, [browser] * 4, page + "/next", {"called_to": "Table 1"})
    assert all(status == 303 for status, _ in results), results
    assert statuses(booth.atlas) == ["called"]


def test_one_candidate_joining_many_lines_at_once_stays_within_the_limit(server, booth):
    db.session.commit()
    browsers = logged_in(server, [booth.people[0]] * 3, f"/me/fairs/{booth.fair.id}/companies")
    companies = [booth.atlas.company_id, booth.other.company_id, booth.third.company_id]
    results, _ = races.all_at_once([
        lambda b=b, c=c: b.post(f"/me/fairs/{booth.fair.id}/companies/{c}/queue/join",
                                {"csrf_token": b.csrf})
        for b, c in zip(browsers, companies)])
    assert all(status == 303 for status, _ in results), results
    db.session.rollback()
    assert len(db.session.scalars(select(QueueEntry)).all()) == 2  # the fair's limit
    doubled, _ = races.all_at_once([
        lambda b=b: b.post(f"/me/fairs/{booth.fair.id}/companies/{companies[0]}/queue/join",
                           {"csrf_token": b.csrf}) for b in browsers])
    db.session.rollback()
    assert Counter(e.participation_id for e in db.session.scalars(select(QueueEntry))).get(
        booth.atlas.id, 0) <= 1


# --- Query counts ------------------------------------------------------------------------------


def test_the_line_and_the_place_ask_the_database_a_fixed_number_of_times(auth, booth, make):
    from .test_query_counts import assert_constant

    def grow(n):
        for _ in range(n):
            services.join(booth.atlas, make.bookable_candidate(booth.fair.cohorts[0]).candidate)

    auth.login_as(booth.rep)
    line = f"/company/fairs/{booth.atlas.id}/queue"
    assert_constant(lambda: auth.client.get(line, headers={"HX-Request": "true"}), grow)
    auth.logout()
    services.join(booth.atlas, booth.candidates[0])
    auth.login_as(booth.people[0])
    place = f"/me/fairs/{booth.fair.id}/companies/{booth.atlas.company_id}/queue"
    assert_constant(lambda: auth.client.get(place, headers={"HX-Request": "true"}), grow)
