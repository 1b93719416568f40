"""The round's rules and operations on the database, without HTTP."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from jobfair.booking import services as booking
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Booking, OutboxMessage, Slot, Wish, utcnow
from jobfair.round import problems, services
from jobfair.timeutil import local_today

from .mailbox import delivered


class World:
    pass


@pytest.fixture(autouse=True)
def english(app):
    """Messages are read in English (a request context gives Babel its locale)."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def world(make):
    """A published fair whose wish window is open now; first-come opens in two days."""
    now = utcnow()
    w = World()
    w.cohort = make.cohort()
    w.fair = make.fair(day=local_today() + timedelta(days=10),
                       booking_opens_at=now + timedelta(days=2),
                       booking_closes_at=now + timedelta(days=8),
                       cancellation_deadline=now + timedelta(days=7),
                       max_bookings_per_candidate=2, min_gap_minutes=10)
    w.fair.cohorts.append(w.cohort)
    w.parts, w.slots = [], []
    for letter in "AB":
        part = make.participation(w.fair, make.company(name=f"Société {letter}"))
        table = make.table(part)
        w.parts.append(part)
        w.slots.append(make.slot_at(table, 10))
    w.people = [make.bookable_candidate(w.cohort) for _ in range(3)]
    w.round = services.set_round(w.fair, now - timedelta(hours=1), now + timedelta(days=1),
                                 now + timedelta(days=1, hours=1), 2)
    db.session.commit()
    return w


def ids(parts):
    return [p.id for p in parts]


def test_the_rounds_settings_are_checked(world):
    now = utcnow()
    with pytest.raises(DomainError) as error:
        services.set_round(world.fair, now, now - timedelta(hours=1), now, 5)
    assert error.value.field == "wishes_close_at"
    with pytest.raises(DomainError) as error:
        services.set_round(world.fair, now, now + timedelta(hours=1), now + timedelta(days=3), 5)
    assert error.value.field == "publish_at" and "First-come booking opens" in str(
        error.value.message)
    with pytest.raises(DomainError) as error:
        services.set_round(world.fair, now, now + timedelta(hours=1), now + timedelta(hours=2), 0)
    assert error.value.field == "max_wishes"


def test_wishes_are_ranked_and_can_be_reordered_until_the_close(world):
    candidate = world.people[0].candidate
    services.save_wishes(world.round, candidate, ids(world.parts))
    services.save_wishes(world.round, candidate, ids(reversed(world.parts)))
    wishes = services.candidate_wishes(world.round, candidate.id)
    assert [(w.participation_id, w.rank) for w in wishes] == [(world.parts[1].id, 1),
                                                              (world.parts[0].id, 2)]
    services.save_wishes(world.round, candidate, [])  # leaving the round
    assert services.candidate_wishes(world.round, candidate.id) == []


def test_wishes_after_the_close_are_refused_with_a_clear_message(world):
    candidate = world.people[0].candidate
    later = world.round.wishes_close_at + timedelta(minutes=1)
    with pytest.raises(DomainError) as error:
        services.save_wishes(world.round, candidate, ids(world.parts), now=later)
    with force_locale("fr"):
        assert "Les vœux sont fermés depuis le" in str(error.value.message)
    with force_locale("en"):
        assert "The wish window closed on" in str(error.value.message)
    assert db.session.scalar(select(func.count()).select_from(Wish)) == 0


@pytest.mark.parametrize("choice, message", [
    (lambda w: [w.parts[0].id, w.parts[0].id], "Choose each company once."),
    (lambda w: ids(w.parts) + [w.parts[0].id + 100], "Choose at most 2 companies."),
    (lambda w: [w.parts[0].id + 100], "One of these companies no longer takes part"),
])
def test_bad_wishes_are_refused(world, choice, message):
    with pytest.raises(DomainError) as error:
        services.save_wishes(world.round, world.people[0].candidate, choice(world))
    assert message in str(error.value.message)


def test_a_company_shortlists_only_those_who_wished_for_it_and_only_for_its_fair(world, make):
    candidate = world.people[0].candidate
    services.save_wishes(world.round, candidate, [world.parts[0].id])
    rep = make.user(role="company_rep", company=world.parts[0].company)
    services.mark(world.round, world.parts[0], candidate.id, "meet", rep)
    with pytest.raises(DomainError, match="did not wish"):
        services.mark(world.round, world.parts[1], candidate.id, "meet", rep)
    elsewhere = make.participation(make.fair(), world.parts[0].company)
    with pytest.raises(DomainError, match="does not take part"):
        services.mark(world.round, elsewhere, candidate.id, "meet", rep)
    problem = problems.build(world.round)
    assert problem.shortlist == {(candidate.id, world.parts[0].id)}


def test_an_invitation_accepted_counts_as_a_shortlisted_wish(world, make):
    candidate = world.people[1].candidate
    rep = make.user(role="company_rep", company=world.parts[1].company)
    invitation = services.invite(world.round, world.parts[1], candidate, rep)
    with pytest.raises(DomainError, match="already invited"):
        services.invite(world.round, world.parts[1], candidate, rep)
    services.answer_invitation(world.round, candidate, invitation, accept=True)
    with pytest.raises(DomainError, match="already answered"):
        services.answer_invitation(world.round, candidate, invitation, accept=False)
    problem = problems.build(world.round)
    assert problem.wishes[candidate.id] == {world.parts[1].id: None}
    assert (candidate.id, world.parts[1].id) in problem.shortlist


def test_a_withdrawn_candidate_or_company_drops_out(world, make):
    first, second, third = (p.candidate for p in world.people)
    for candidate in (first, second, third):
        services.save_wishes(world.round, candidate, ids(world.parts))
    world.people[0].is_enabled = False  # account disabled
    second.cohort = make.cohort()  # cohort no longer invited
    world.parts[1].status = "withdrawn"
    db.session.flush()
    problem = problems.build(world.round)
    assert [c.id for c in problem.candidates] == [third.id]
    assert problem.wishes == {third.id: {world.parts[0].id: 1}}
    assert {s.company for s in problem.slots} == {world.parts[0].id}


def test_running_twice_at_once_runs_once(world, organizer):
    services.claim_run(world.round)
    db.session.commit()
    with pytest.raises(DomainError, match="already running"):
        services.claim_run(world.round)
    db.session.rollback()
    services.release_run(world.round)
    db.session.commit()
    run = services.run_assignment(world.round, organizer, seed=7, time_limit=5)
    assert run.status == "done" and world.round.running_since is None


def test_run_closes_the_window_and_publish_books_in_one_transaction(world, organizer):
    for person in world.people:
        services.save_wishes(world.round, person.candidate, ids(world.parts))
    run = services.run_assignment(world.round, organizer, seed=11, time_limit=5)
    assert services.state(world.round) == "closed"
    assert run.figures["round"]["with_interview"] == 2
    assert run.figures["first_come"]["places"] == 2
    with pytest.raises(DomainError, match="booking round"):
        booking.check_booking_window(world.fair)
    made = services.publish(world.round, run, organizer)
    db.session.commit()
    assert len(made) == 2 and run.status == "published"
    assert [s.booked_count for s in db.session.scalars(select(Slot).order_by(Slot.id))] == [1, 1]
    # Published without building an email: the mail worker renders them afterwards.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.body_text.isnot(None))) == 0
    messages = delivered()
    assert sum(1 for m in messages if m.attachment_name and m.attachment_name.endswith(".ics")) == 2
    # Everyone asked for two interviews; the 2 places went to 2 candidates: all three are told.
    assert sum(1 for m in messages if "Your interviews at" in m.subject
               or "Vos entretiens" in m.subject) == 3
    with pytest.raises(DomainError, match="Booking opens on"):  # first-come: at its own time
        booking.check_booking_window(world.fair)
    with pytest.raises(DomainError, match="already published"):
        services.publish(world.round, run, organizer)


def test_publish_refuses_everything_when_the_fair_changed_since_the_run(world, organizer):
    for person in world.people:
        services.save_wishes(world.round, person.candidate, ids(world.parts))
    run = services.run_assignment(world.round, organizer, seed=3, time_limit=5)
    world.slots[0].is_blocked = True
    db.session.commit()
    with pytest.raises(DomainError, match="The fair changed since this run"):
        services.publish(world.round, run, organizer)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert world.round.published_at is None
    newer = services.run_assignment(world.round, organizer, seed=3, time_limit=5)
    with pytest.raises(DomainError, match="newer run"):
        services.publish(world.round, run, organizer)
    assert len(services.publish(world.round, newer, organizer)) == 1


def test_two_organizers_running_at_the_same_instant_run_once(app, world):
    """Real concurrency: two sessions claim the round at once; the database lets one through."""
    import threading

    from jobfair.models import BookingRound

    round_id, barrier, answers = world.round.id, threading.Barrier(2), []

    def claim():
        with app.app_context(), app.test_request_context(), force_locale("en"):
            booking_round = db.session.get(BookingRound, round_id)
            db.session.commit()  # hold no transaction (nor SQLite lock) while waiting
            barrier.wait(timeout=10)
            try:
                services.claim_run(booking_round)
                db.session.commit()
                answers.append("claimed")
            except DomainError as error:
                db.session.rollback()
                answers.append(str(error.message))
            finally:
                db.session.remove()

    db.session.commit()
    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == ["The assignment is already running: reload this page in a moment.",
                               "claimed"]
