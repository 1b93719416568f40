"""The round's pages over HTTP: organizer sets, runs and publishes; candidates wish; companies mark."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jobfair.extensions import db
from jobfair.models import Booking, BookingRound, RoundInvitation, ShortlistMark, Wish, utcnow
from jobfair.round import services
from jobfair.timeutil import local_today, utc_to_local


@pytest.fixture
def world(make):
    now = utcnow()
    cohort = make.cohort()
    fair = make.fair(day=local_today() + timedelta(days=10),
                     booking_opens_at=now + timedelta(days=2),
                     booking_closes_at=now + timedelta(days=8),
                     cancellation_deadline=now + timedelta(days=7))
    fair.cohorts.append(cohort)
    parts = []
    for letter in "AB":
        part = make.participation(fair, make.company(name=f"Société {letter}"))
        make.slot_at(make.table(part), 10)
        parts.append(part)
    person = make.bookable_candidate(cohort, email="amina@example.ma")
    other = make.bookable_candidate(cohort, email="badr@example.ma")
    other.last_name = "Kettani"
    for consenting in (person, other):  # companies see their names and CVs (jobfair/privacy)
        make.consent(fair, consenting)
    rep = make.user(role="company_rep", email="rh@a.example.ma", company=parts[0].company)
    organizer = make.user(role="organizer", email="orga@example.ma")
    db.session.commit()
    return dict(fair=fair, parts=parts, person=person, other=other, rep=rep,
                organizer=organizer, cohort=cohort)


def local(instant):
    return utc_to_local(instant).strftime("%Y-%m-%dT%H:%M")


def set_round(auth, world):
    fair, now = world["fair"], utcnow()
    url = f"/organizer/fairs/{fair.id}/round"
    return auth.post(url, {"wishes_open_at": local(now - timedelta(hours=1)),
                           "wishes_close_at": local(now + timedelta(days=1)),
                           "publish_at": local(now + timedelta(days=1, hours=1)),
                           "max_wishes": "2"})


def test_the_organizer_sets_the_round_and_gets_clear_errors(auth, client, world):
    auth.login_as(world["organizer"])
    url = f"/organizer/fairs/{world['fair'].id}/round"
    assert client.get(url).status_code == 200
    response = auth.post(url, {"wishes_open_at": "2026-01-02T10:00",
                               "wishes_close_at": "2026-01-01T10:00",
                               "publish_at": "2026-01-03T10:00", "max_wishes": "5"})
    assert response.status_code == 200  # French by default: the message next to its field
    assert "La période des vœux doit se terminer après son ouverture." in response.text
    assert db.session.scalar(select(func.count()).select_from(BookingRound)) == 0
    response = set_round(auth, world)
    assert response.status_code == 303
    assert db.session.scalar(select(BookingRound.max_wishes)) == 2


def test_a_candidate_ranks_wishes_and_answers_an_invitation(app, auth, client, world):
    auth.login_as(world["organizer"])
    set_round(auth, world)
    auth.logout()
    booking_round = db.session.scalar(select(BookingRound))
    services.invite(booking_round, world["parts"][1], world["person"].candidate, world["rep"])
    db.session.commit()

    auth.login_as(world["person"])
    url = f"/me/fairs/{world['fair'].id}/wishes"
    page = client.get(url)
    assert page.status_code == 200 and 'id="demand"' in page.text
    a, b = (p.id for p in world["parts"])
    response = auth.post(url, {"wishes-0": str(b), "wishes-1": str(a)})
    assert response.status_code == 303
    ranks = db.session.execute(select(Wish.participation_id, Wish.rank).order_by(Wish.rank)).all()
    assert [tuple(r) for r in ranks] == [(b, 1), (a, 2)]
    response = auth.post(f"{url}/invitations/{b}", {"answer": "accept"}, page=url)
    assert response.status_code == 303
    assert db.session.scalar(select(RoundInvitation.status)) == "accepted"


def test_a_company_marks_who_wished_and_cannot_reach_another_companys_page(auth, client, world,
                                                                           make):
    auth.login_as(world["organizer"])
    set_round(auth, world)
    auth.logout()
    booking_round = db.session.scalar(select(BookingRound))
    services.save_wishes(booking_round, world["person"].candidate, [world["parts"][0].id])
    db.session.commit()
    auth.login_as(world["rep"])
    own = f"/company/fairs/{world['parts'][0].id}/round"
    page = client.get(own)
    assert page.status_code == 200 and world["person"].last_name in page.text
    candidate_id = world["person"].candidate.id
    response = auth.post(f"{own}/marks/{candidate_id}", {"decision": "meet"}, page=own)
    assert response.status_code == 303
    assert db.session.scalar(select(ShortlistMark.decision)) == "meet"
    # Company B's participation: 404 for company A's representative.
    other = f"/company/fairs/{world['parts'][1].id}/round"
    assert client.get(other).status_code == 404
    assert auth.post(f"{other}/marks/{candidate_id}", {"decision": "no"},
                     page=own).status_code == 404
    found = client.get(own + "?q=Kettani")
    assert "Kettani" in found.text
    response = auth.post(f"{own}/invitations/{world['other'].candidate.id}", {}, page=own)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(RoundInvitation)) == 1


def test_the_organizer_runs_previews_and_publishes(auth, client, world):
    auth.login_as(world["organizer"])
    set_round(auth, world)
    booking_round = db.session.scalar(select(BookingRound))
    for person in (world["person"], world["other"]):
        services.save_wishes(booking_round, person.candidate, [world["parts"][0].id])
    db.session.commit()
    url = f"/organizer/fairs/{world['fair'].id}/round"
    response = auth.post(f"{url}/run", {"seed": "42"}, page=url)
    assert response.status_code == 303
    page = client.get(url)
    assert 'id="run-figures"' in page.text and 'id="figure-definitions"' in page.text
    again = auth.post(f"{url}/run", {"seed": "42"}, page=url)
    assert again.status_code == 303
    page = client.get(url)
    run_id = db.session.scalar(select(func.max(Booking.id)))  # none yet
    assert run_id is None
    from jobfair.models import AssignmentRun

    latest = db.session.scalar(select(func.max(AssignmentRun.id)))
    response = auth.post(f"{url}/publish", {"run_id": str(latest)}, page=url)
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
    # The candidate sees the interview in "My interviews".
    winner = db.session.scalar(select(Booking.candidate_id))
    person = world["person"] if winner == world["person"].candidate.id else world["other"]
    auth.logout()
    auth.login_as(person)
    schedule = client.get(f"/me/fairs/{world['fair'].id}/schedule")
    assert schedule.status_code == 200 and "Société A" in schedule.text
