"""Candidate follow-ups: scheduling, signed links, the form, history, conflicts, authorization."""
import re
from datetime import date, datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from jobfair.extensions import db
from jobfair.followups import services
from jobfair.models import FollowUpAnswer, FollowUpRequest, OutboxMessage, Outcome
from jobfair.timeutil import local_today

# --- helpers ---------------------------------------------------------------------------------


def past_fair(make, days_ago, cohorts=(), status="closed", **fields):
    fair = make.fair(day=local_today() - timedelta(days=days_ago), status=status, **fields)
    fair.cohorts.extend(cohorts)
    db.session.flush()
    return fair


def requests_sent():
    return sorted(db.session.execute(
        select(FollowUpRequest.fair_id, FollowUpRequest.candidate_id, FollowUpRequest.day)).all())


def outbox():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def link_path(message):
    match = re.search(r"https?://[^/\s]+(/follow-up/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def answers(candidate_user):
    return db.session.scalars(
        select(FollowUpAnswer).where(FollowUpAnswer.candidate_id == candidate_user.candidate.id)
        .order_by(FollowUpAnswer.id)).all()


@pytest.fixture
def setting(make):
    """A fair held 30 days ago, a cohort of one candidate (English), two approved companies."""
    cohort = make.cohort()
    person = make.candidate(email="salma@example.ma", cohort_=cohort)
    person.locale = "en"
    fair = past_fair(make, 30, [cohort])
    atlas = make.company(name="Atlas Tech")
    other = make.company(name="Orion Data")
    p_atlas = make.participation(fair, atlas)
    p_other = make.participation(fair, other)
    db.session.commit()
    return {"cohort": cohort, "candidate": person, "fair": fair, "atlas": atlas, "other": other,
            "p_atlas": p_atlas, "p_other": p_other}


def sent_link(setting):
    services.send_follow_ups()
    db.session.commit()
    return link_path(outbox()[-1])


EMPLOYED = {"status": "employed", "contract_type": "cdi", "employer_company_id": "0",
            "employer_name": "Maroc Soft", "in_field": "yes", "full_time": "yes",
            "start_date": "2026-10-01"}


# --- scheduling ------------------------------------------------------------------------------


def test_each_bucket_is_sent_once_to_the_invited_cohorts(make):
    cohort = make.cohort()
    make.candidate(email="a@example.ma", cohort_=cohort)
    outsider = make.candidate(email="outsider@example.ma", cohort_=make.cohort())
    recent = past_fair(make, 10, [cohort])
    f30 = past_fair(make, 30, [cohort])
    f95 = past_fair(make, 95, [cohort])
    f200 = past_fair(make, 200, [cohort])
    past_fair(make, 400, [cohort])           # older than a year: no more follow-ups
    past_fair(make, 31, [cohort], status="draft")  # never held publicly
    db.session.commit()

    assert services.send_follow_ups() == {30: 1, 90: 1, 180: 1}
    db.session.commit()
    cand_id = db.session.scalar(select(FollowUpRequest.candidate_id).limit(1))
    assert requests_sent() == sorted([(f30.id, cand_id, 30), (f95.id, cand_id, 90),
                                      (f200.id, cand_id, 180)])
    assert recent.id not in {fair_id for fair_id, _, _ in requests_sent()}
    assert [m.recipient for m in outbox()] == ["a@example.ma"] * 3
    assert outsider.candidate.id != cand_id

    # A second run sends nothing more.
    assert services.send_follow_ups() == {30: 0, 90: 0, 180: 0}
    db.session.commit()
    assert len(outbox()) == 3


def test_a_fair_ten_days_ago_sends_nothing(make):
    cohort = make.cohort()
    make.candidate(cohort_=cohort)
    past_fair(make, 10, [cohort])
    db.session.commit()
    assert services.send_follow_ups() == {30: 0, 90: 0, 180: 0}
    assert outbox() == []


def test_30_90_180_over_time_each_once(make):
    cohort = make.cohort()
    make.candidate(email="b@example.ma", cohort_=cohort)
    fair = past_fair(make, 0, [cohort])
    db.session.commit()
    sent_by_day = {}
    for elapsed in range(0, 200, 5):
        today = fair.day + timedelta(days=elapsed)
        for day, count in services.send_follow_ups(today=today).items():
            sent_by_day[day] = sent_by_day.get(day, 0) + count
        db.session.commit()
    assert sent_by_day == {30: 1, 90: 1, 180: 1}
    assert [d for _, _, d in requests_sent()] == [30, 90, 180]
    assert len(outbox()) == 3


def test_a_run_racing_another_sends_nothing_more(make, monkeypatch):
    cohort = make.cohort()
    person = make.candidate(cohort_=cohort)
    fair = past_fair(make, 30, [cohort])
    db.session.add(FollowUpRequest(fair_id=fair.id, candidate_id=person.candidate.id, day=30))
    db.session.commit()
    # The other run inserted its request after this run chose whom to ask.
    monkeypatch.setattr(services, "_candidates_to_ask", lambda fair_, day: [person.candidate])
    assert services.send_follow_ups() == {30: 0, 90: 0, 180: 0}
    db.session.commit()
    assert outbox() == []
    assert len(requests_sent()) == 1


def test_cli_prints_sent_per_bucket(runner, setting):
    result = runner.invoke(args=["jobfair", "follow-ups"])
    assert result.exit_code == 0, result.output
    assert "30 days: 1 sent" in result.output
    again = runner.invoke(args=["jobfair", "follow-ups"])
    assert "30 days: 0 sent" in again.output
    assert len(outbox()) == 1


def test_email_in_the_candidate_language_with_a_link(setting):
    services.send_follow_ups()
    db.session.commit()
    message = outbox()[0]
    assert message.recipient == "salma@example.ma"
    assert setting["fair"].name in message.subject
    assert "30" in message.subject
    assert link_path(message).startswith("/follow-up/")


# --- the link --------------------------------------------------------------------------------


def test_link_opens_the_form_without_logging_in(client, setting):
    path = sent_link(setting)
    page = client.get(path)
    assert page.status_code == 200
    assert b'id="followup-form"' in page.data
    assert b"Atlas Tech" in page.data and b"Orion Data" in page.data
    # Nobody is logged in: the candidate's space still asks for a login.
    assert client.get("/me/").status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_link_answer_then_used_again_shows_and_updates(client, auth, setting):
    path = sent_link(setting)
    response = auth.post(path, {**EMPLOYED, "employer_company_id": str(setting["atlas"].id),
                                "employer_name": ""})
    assert response.status_code == 303
    first, = answers(setting["candidate"])
    assert (first.status, first.source, first.contract_type, first.employer_company_id,
            first.in_field, first.full_time, first.start_date) == (
        "employed", "candidate", "cdi", setting["atlas"].id, True, True, date(2026, 10, 1))
    assert first.request_id == db.session.scalar(select(FollowUpRequest.id))

    again = client.get(path)
    assert again.status_code == 200
    assert b'data-status="employed"' in again.data
    assert re.search(rb'value="employed"[^>]*checked|checked[^>]*value="employed"', again.data)
    assert re.search(rf'<option[^>]*selected[^>]*value="{setting["atlas"].id}"|<option[^>]*value="{setting["atlas"].id}"[^>]*selected'.encode(), again.data)

    assert auth.post(path, {"status": "seeking"}).status_code == 303
    kept = answers(setting["candidate"])
    assert [a.status for a in kept] == ["employed", "seeking"]
    assert kept[1].contract_type is None and kept[1].employer_company_id is None
    key = (setting["fair"].id, setting["candidate"].candidate.id)
    assert services.latest_answers()[key].status == "seeking"


def test_tampered_link_is_refused_with_410(client, auth, setting):
    path = sent_link(setting)
    auth.use_language("en")
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    page = client.get(tampered)
    assert page.status_code == 410
    assert b"This link is not valid" in page.data
    assert auth.post(tampered, {"status": "seeking"}, page="/login").status_code == 410
    assert answers(setting["candidate"]) == []


def test_a_token_of_another_purpose_or_candidate_is_refused(client, app, make, setting):
    path = sent_link(setting)
    request_id = db.session.scalar(select(FollowUpRequest.id))
    other = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset")
    assert client.get("/follow-up/" + other.dumps({"r": request_id, "c": setting["candidate"].candidate.id})).status_code == 410
    intruder = make.candidate(cohort_=setting["cohort"])
    mine = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="follow-up")
    assert client.get("/follow-up/" + mine.dumps({"r": request_id, "c": intruder.candidate.id})).status_code == 410
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_expired_link_is_refused_in_the_candidates_language(client, app, monkeypatch, setting,
                                                             locale):
    setting["candidate"].locale = locale
    path = sent_link(setting)
    monkeypatch.setitem(app.config, "FOLLOW_UP_LINK_MAX_AGE_DAYS", -1)
    page = client.get(path)
    assert page.status_code == 410
    assert f'<html lang="{locale}"'.encode() in page.data
    assert b'id="link-refused"' in page.data
    if locale == "en":
        assert b"This link has expired" in page.data


# --- the form --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["own_business", "education", "seeking", "not_seeking"])
def test_each_status_is_recorded(auth, setting, status):
    path = sent_link(setting)
    assert auth.post(path, {"status": status}).status_code == 303
    answer, = answers(setting["candidate"])
    assert answer.status == status and answer.in_field is None


def test_employed_with_a_typed_employer(auth, setting):
    path = sent_link(setting)
    assert auth.post(path, {**EMPLOYED, "in_field": "no", "full_time": "no"}).status_code == 303
    answer, = answers(setting["candidate"])
    assert (answer.employer_company_id, answer.employer_name, answer.in_field,
            answer.full_time) == (None, "Maroc Soft", False, False)


def test_employed_without_details_shows_every_error_and_keeps_values(client, auth, setting):
    path = sent_link(setting)
    auth.use_language("en")
    page = auth.post(path, {"status": "employed", "start_date": "2026-11-02",
                            "employer_company_id": "0"})
    assert page.status_code == 200
    for field in ("contract_type", "in_field", "full_time", "employer_name"):
        assert f'id="{field}-error"'.encode() in page.data, field
    assert b"Choose the contract type." in page.data
    assert b'value="2026-11-02"' in page.data
    assert answers(setting["candidate"]) == []


def test_missing_status_and_foreign_company_are_refused(auth, make, setting):
    path = sent_link(setting)
    page = auth.post(path, {})
    assert page.status_code == 200 and b'id="status-error"' in page.data
    stranger = make.company(name="Not At The Fair")
    page = auth.post(path, {**EMPLOYED, "employer_company_id": str(stranger.id),
                            "employer_name": "Typed Name"})
    assert page.status_code == 200
    assert b'id="employer_company_id-error"' in page.data
    assert b'value="Typed Name"' in page.data
    assert answers(setting["candidate"]) == []


# --- the candidate's space ----------------------------------------------------------------------


def test_logged_in_candidate_updates_their_situation(client, auth, setting):
    auth.login_as(setting["candidate"])
    fair_id = setting["fair"].id
    home = client.get("/me/")
    assert f'id="situation-{fair_id}"'.encode() in home.data
    url = f"/me/fairs/{fair_id}/situation"
    assert client.get(url).status_code == 200
    assert auth.post(url, {"status": "education"}).status_code == 303
    assert auth.post(url, {**EMPLOYED, "employer_company_id": str(setting["other"].id)}).status_code == 303
    kept = answers(setting["candidate"])
    assert [(a.status, a.source, a.request_id) for a in kept] == [
        ("education", "candidate", None), ("employed", "candidate", None)]
    assert b'data-status="employed"' in client.get(url).data


def test_situation_only_for_invited_fairs_that_took_place(client, auth, make, setting):
    auth.login_as(setting["candidate"])
    not_invited = past_fair(make, 40, [make.cohort()])
    upcoming = make.fair(day=local_today() + timedelta(days=5))
    upcoming.cohorts.append(setting["cohort"])
    draft = past_fair(make, 40, [setting["cohort"]], status="draft")
    for fair in (not_invited, draft):
        assert client.get(f"/me/fairs/{fair.id}/situation").status_code == 404
    # Invited to a fair still to come: told to come back, nothing recorded.
    page = client.get(f"/me/fairs/{upcoming.id}/situation")
    assert page.status_code == 200 and b'id="not-yet"' in page.data
    assert b'id="followup-form"' not in page.data
    response = auth.post(f"/me/fairs/{upcoming.id}/situation", {"status": "seeking"}, page="/login")
    assert response.status_code == 200 and answers(setting["candidate"]) == []
    assert client.get("/me/fairs/999999/situation").status_code == 404


# --- history and the latest answer ------------------------------------------------------------


def test_history_is_kept_and_the_latest_counts(make, setting):
    fair, person = setting["fair"], setting["candidate"].candidate
    other_fair = past_fair(make, 100, [setting["cohort"]])
    db.session.add_all([
        FollowUpAnswer(fair_id=fair.id, candidate_id=person.id, source="candidate",
                       status="seeking", answered_at=datetime(2026, 1, 1)),
        FollowUpAnswer(fair_id=fair.id, candidate_id=person.id, source="import",
                       status="employed", answered_at=datetime(2026, 3, 1)),
        FollowUpAnswer(fair_id=fair.id, candidate_id=person.id, source="candidate",
                       status="education", answered_at=datetime(2026, 2, 1)),
        FollowUpAnswer(fair_id=other_fair.id, candidate_id=person.id, source="candidate",
                       status="not_seeking", answered_at=datetime(2026, 3, 1)),
        FollowUpAnswer(fair_id=other_fair.id, candidate_id=person.id, source="organizer",
                       status="own_business", answered_at=datetime(2026, 3, 1)),  # same time: later id
    ])
    db.session.commit()
    latest = services.latest_answers()
    assert {key: a.status for key, a in latest.items()} == {
        (fair.id, person.id): "employed", (other_fair.id, person.id): "own_business"}
    assert list(services.latest_answers([fair.id])) == [(fair.id, person.id)]
    assert services.latest_answers([]) == {}
    assert [a.status for a in services.history(fair.id, person.id)] == [
        "employed", "education", "seeking"]


# --- conflicts -----------------------------------------------------------------------------


def conflict_setting(make, setting):
    fair = setting["fair"]
    hired = setting["candidate"]
    refused = make.candidate(email="karim@example.ma", cohort_=setting["cohort"])
    agreed = make.candidate(email="nadia@example.ma", cohort_=setting["cohort"])
    silent = make.candidate(email="omar@example.ma", cohort_=setting["cohort"])
    db.session.add_all([
        Outcome(participation=setting["p_atlas"], candidate=hired.candidate, status="hired",
                contract_type="cdd", start_date=date(2026, 11, 15)),
        Outcome(participation=setting["p_other"], candidate=refused.candidate,
                status="not_retained"),
        Outcome(participation=setting["p_atlas"], candidate=agreed.candidate, status="hired"),
        Outcome(participation=setting["p_atlas"], candidate=silent.candidate, status="hired"),
    ])
    db.session.flush()
    services.record_answer(fair, hired.candidate, "candidate", "seeking")
    services.record_answer(fair, refused.candidate, "candidate", "employed", contract_type="cdi",
                           employer_company_id=setting["other"].id, in_field=True, full_time=True)
    services.record_answer(fair, agreed.candidate, "candidate", "employed", contract_type="cdi",
                           employer_company_id=setting["atlas"].id, in_field=True, full_time=True)
    db.session.commit()
    return hired, refused


def test_conflicts_listed(make, setting):
    hired, refused = conflict_setting(make, setting)
    found = services.conflicts(setting["fair"].id)
    assert sorted((c.candidate.id, c.kind) for c in found) == sorted([
        (hired.candidate.id, "hired_not_employed"),
        (refused.candidate.id, "employed_not_retained")])
    assert services.conflicts(past_fair(make, 30).id) == []


def test_organizer_resolves_conflicts(client, auth, make, organizer, setting):
    hired, refused = conflict_setting(make, setting)
    fair_id = setting["fair"].id
    auth.login_as(organizer)
    page = client.get(f"/organizer/fairs/{fair_id}/conflicts")
    assert page.status_code == 200
    outcome_hired = db.session.scalar(select(Outcome.id).where(
        Outcome.candidate_id == hired.candidate.id))
    outcome_refused = db.session.scalar(select(Outcome.id).where(
        Outcome.candidate_id == refused.candidate.id))
    assert f'id="conflict-{outcome_hired}"'.encode() in page.data
    assert f'id="conflict-{outcome_refused}"'.encode() in page.data

    url = f"/organizer/fairs/{fair_id}/conflicts"
    assert auth.post(f"{url}/{outcome_hired}", {"decision": "company"}, page=url).status_code == 303
    latest = services.latest_answers([fair_id])[(fair_id, hired.candidate.id)]
    assert (latest.source, latest.status, latest.contract_type, latest.employer_company_id,
            latest.start_date) == ("organizer", "employed", "cdd", setting["atlas"].id,
                                   date(2026, 11, 15))
    assert auth.post(f"{url}/{outcome_refused}", {"decision": "candidate"}, page=url).status_code == 303
    latest = services.latest_answers([fair_id])[(fair_id, refused.candidate.id)]
    assert (latest.source, latest.status, latest.employer_company_id) == (
        "organizer", "employed", setting["other"].id)

    page = client.get(url)
    assert b'id="no-conflicts"' in page.data
    assert services.conflicts(fair_id) == []
    # The candidates' own answers are still there.
    assert [a.source for a in answers(hired)] == ["candidate", "organizer"]
    # Deciding again changes nothing.
    auth.post(f"{url}/{outcome_hired}", {"decision": "candidate"}, page=url)
    assert len(answers(hired)) == 2


def test_company_side_decision_on_a_refusal_confirms_seeking(make, setting):
    _, refused = conflict_setting(make, setting)
    outcome = db.session.scalar(select(Outcome).where(Outcome.candidate_id == refused.candidate.id))
    services.resolve_conflict(setting["fair"], refused.candidate.id, outcome.id, "company")
    db.session.commit()
    key = (setting["fair"].id, refused.candidate.id)
    assert services.latest_answers()[key].status == "seeking"
    assert services.latest_answers()[key].source == "organizer"


# --- authorization ----------------------------------------------------------------------------


def test_situation_and_conflicts_answer_for_their_fair_only(client, auth, make, organizer,
                                                            candidate, setting):
    """Which role may reach them is the authorization matrix's; here, what the fair decides."""
    fair_id = setting["fair"].id
    outcome = Outcome(participation=setting["p_atlas"], candidate=setting["candidate"].candidate,
                      status="hired")
    db.session.add(outcome)
    db.session.commit()
    situation = f"/me/fairs/{fair_id}/situation"
    resolve_url = f"/organizer/fairs/{fair_id}/conflicts/{outcome.id}"

    auth.login_as(candidate)  # not invited to the fair
    assert client.get(situation).status_code == 404
    auth.logout()
    auth.login_as(setting["candidate"])
    assert client.get(situation).status_code == 200
    auth.logout()
    assert answers(setting["candidate"]) == []

    auth.login_as(organizer)
    assert client.get("/organizer/fairs/999999/conflicts").status_code == 404
    other_fair = past_fair(make, 30)
    url = f"/organizer/fairs/{other_fair.id}/conflicts/{outcome.id}"
    assert auth.post(url, {"decision": "company"}, page="/login").status_code == 404
    assert client.get(resolve_url).status_code == 405


def test_two_runs_at_once_send_each_email_once(app, make):
    import threading

    cohort = make.cohort()
    for n in range(12):
        make.candidate(email=f"c{n}@example.ma", cohort_=cohort)
    past_fair(make, 90, [cohort])
    db.session.commit()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                results.append(services.send_follow_ups(after_each=db.session.commit))
                db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 — reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sum(r[90] for r in results) == 12
    assert len(outbox()) == 12
    assert len({m.recipient for m in outbox()}) == 12
