"""Two saves of one candidate's first outcome at once: one wins, the other is shown the saved
value, nobody gets an error page.

The races run against a served app with real concurrent HTTP requests, as in
test_booking_races.py (on SQLite the write lock takes them in turn; on PostgreSQL they really
overlap). The last tests make the overlap certain on both databases: the save reads "no outcome
yet" while another request's outcome is already there.
"""
import json
import re
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from jobfair.extensions import db
from jobfair.models import AuditEvent, Candidate, Lead, Outcome
from jobfair.outcomes import services

from . import test_booking_races as races

server = races.server
_test_thread_takes_no_write_lock = races._test_thread_takes_no_write_lock

MEANWHILE = "A colleague saved this outcome at the same moment"


@pytest.fixture
def met(make):
    """A closed fair; two representatives of one company that met six candidates."""
    cohort = make.cohort()
    fair = make.fair(day=date(2026, 11, 20), status="closed", cohorts=[cohort])
    company = make.company("Atlas Digital")
    participation = make.participation(fair, company)
    reps = [make.user(role="company_rep", email=f"rh{n}@atlas.ma", company=company,
                      locale="en") for n in range(2)]
    people = [make.candidate(email=f"met{n}@example.ma", cohort_=cohort) for n in range(6)]
    for person in people:
        db.session.add(Lead(participation_id=participation.id,
                            candidate_id=person.candidate.id))
    db.session.commit()
    return participation, reps, [p.candidate.id for p in people]


def htmx_post(browser, path, data):
    body = urllib.parse.urlencode(data).encode()
    return browser._open(urllib.request.Request(browser.base + path, data=body, method="POST",
                                                headers={"HX-Request": "true"}))


def shown_status(body):
    return re.search(r'<option selected value="([a-z_]+)">', body).group(1)


def outcomes_and_events(participation):
    db.session.rollback()
    db.session.expire_all()
    outcomes = db.session.scalars(select(Outcome).where(
        Outcome.participation_id == participation.id)).all()
    events = Counter(json.loads(e.details)["candidate_id"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "outcome.change")))
    return {o.candidate_id: o for o in outcomes}, events


def test_two_colleagues_saving_different_first_outcomes_at_once(server, met):
    participation, reps, candidate_ids = met
    page = f"/company/fairs/{participation.id}/outcomes"
    browsers = races.browsers(server, reps, page)
    statuses = ("shortlisted", "second_interview")
    calls = [lambda b=b, cid=cid, status=status: htmx_post(
                 b, f"{page}/{cid}", {"csrf_token": b.csrf, "status": status})
             for cid in candidate_ids for b, status in zip(browsers, statuses)]
    results, _ = races.all_at_once(calls)
    assert [status for status, _ in results] == [200] * len(calls), results
    outcomes, events = outcomes_and_events(participation)
    assert set(outcomes) == set(candidate_ids)  # one outcome each
    for index, (_, body) in enumerate(results):
        cid, sent = candidate_ids[index // 2], statuses[index % 2]
        if MEANWHILE in body:
            # Lost the race: shown what the colleague saved, nothing of its own written.
            assert shown_status(body) == outcomes[cid].status != sent
        else:  # its own value, or the colleague's saved just after it
            assert "Saved." in body and shown_status(body) in (sent, outcomes[cid].status)
    for n, cid in enumerate(candidate_ids):
        saved = sum(MEANWHILE not in body for _, body in results[2 * n:2 * n + 2])
        assert events[cid] == saved  # every "Saved." is in the audit log, and nothing else


def test_a_double_click_on_save_records_one_outcome_and_one_event(server, met):
    participation, reps, candidate_ids = met
    page = f"/company/fairs/{participation.id}/outcomes"
    [browser] = races.browsers(server, reps[:1], page)
    calls = [lambda cid=cid: htmx_post(browser, f"{page}/{cid}",
                                       {"csrf_token": browser.csrf, "status": "offer_made"})
             for cid in candidate_ids for _ in range(2)]
    results, _ = races.all_at_once(calls)
    assert [status for status, _ in results] == [200] * len(calls), results
    assert all("Saved." in body and MEANWHILE not in body and
               shown_status(body) == "offer_made" for _, body in results)
    outcomes, events = outcomes_and_events(participation)
    assert {cid: o.status for cid, o in outcomes.items()} == dict.fromkeys(
        candidate_ids, "offer_made")
    assert events == dict.fromkeys(candidate_ids, 1)


# --- The overlap made certain -------------------------------------------------------------


def _colleague_saved_first(participation, candidate_id, rep, status):
    db.session.add(Outcome(participation_id=participation.id, candidate_id=candidate_id,
                           status=status, updated_by_id=rep.id))
    db.session.commit()


def test_a_save_that_read_no_outcome_gets_the_colleagues_instead_of_an_error(met):
    participation, reps, [cid, *_] = met
    _colleague_saved_first(participation, cid, reps[1], "not_retained")
    candidate = db.session.get(Candidate, cid)
    with pytest.raises(services.SavedMeanwhile) as lost:
        # existing=None: this save read "no outcome yet" before the colleague's commit.
        services.save_outcome(participation, candidate, reps[0], "shortlisted", existing=None)
    assert lost.value.outcome.status == "not_retained"
    db.session.rollback()
    same = services.save_outcome(participation, candidate, reps[0], "not_retained",
                                 existing=None)
    assert same.status == "not_retained"  # the same values: this save, answered as saved
    db.session.commit()
    assert len(db.session.scalars(select(Outcome)).all()) == 1


def test_the_row_that_lost_the_race_shows_the_saved_value(auth, met, monkeypatch):
    participation, reps, [cid, *_] = met
    _colleague_saved_first(participation, cid, reps[1], "not_retained")
    real = services._saved
    reads = []

    def read_before_the_colleagues_commit(participation_, candidate):
        reads.append(candidate.id)
        return None if len(reads) == 1 else real(participation_, candidate)

    monkeypatch.setattr(services, "_saved", read_before_the_colleagues_commit)
    auth.login_as(reps[0])
    page = f"/company/fairs/{participation.id}/outcomes"
    response = auth.post(f"{page}/{cid}", {"status": "shortlisted"}, page=page,
                         headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert MEANWHILE in html and shown_status(html) == "not_retained"
    assert html.lstrip().startswith(f'<tr id="row-{cid}"')

    reads.clear()
    response = auth.post(f"{page}/{cid}", {"status": "shortlisted"}, page=page)
    assert response.status_code == 303  # without JavaScript: the page, with why
    html = auth.client.get(page).get_data(as_text=True)
    assert MEANWHILE in html
    db.session.expire_all()
    assert db.session.scalars(select(Outcome)).one().status == "not_retained"
