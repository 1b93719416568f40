"""What a booking's email costs, in the request and in the mail worker (issue 15).

On a SQLite file of its own (migrated), built with the tests' factories:
1. the booking POST through the test client (120 candidates booking one slot, the first 20 left
   out as warm-up): CPU per request, and the CPU spent inside it in
   ``notify.booking_confirmed`` (the email and its .ics, or since issue 15 the row saying what
   to send);
2. ``round.publication.book_all`` of a fair of ``--candidates`` candidates (each given one of
   the two interviews asked for: a confirmation and a "round_result" email each), in one
   transaction: wall and CPU, and the CPU spent queueing the emails;
3. then the mail worker (``send_pending``, memory backend) rendering and sending them all (and
   the 120 of step 1).

    python -m bench.mail_outbox [--candidates 1000]
    # the code before issue 15, measured by the same script:
    git archive <commit> | tar -x -C /tmp/before   # + the compiled .mo files
    cd /tmp/before && PYTHONPATH=/tmp/before python /work/main/bench/mail_outbox.py

Not a scenario of ``python -m bench`` (no served database): numbers go to the report by hand.
"""
import argparse
import re
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path


class Timed:
    """Wraps a function; adds the CPU (ms) of each call to ``calls``."""

    def __init__(self, function):
        self.function, self.calls = function, []

    def __call__(self, *args, **kwargs):
        started = time.process_time()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.calls.append((time.process_time() - started) * 1000)


def booking_posts(app, make, db):
    from tests.conftest import AuthActions

    from jobfair.booking import operations

    email = operations.notify.booking_confirmed = Timed(operations.notify.booking_confirmed)
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], max_bookings_per_candidate=3)
    part = make.participation(fair, make.company("Atlas Digital"))
    slot = make.slot_at(make.table(part, name="Salma"), 10, capacity=200)
    people = [make.bookable_candidate(cohort, locale=("fr", "en", "ar")[i % 3]) for i in range(120)]
    db.session.commit()
    page = f"/me/fairs/{fair.id}/companies/{part.company_id}"
    requests = []
    for person in people:
        client = app.test_client()
        AuthActions(client).login_as(person)
        html = client.get(page).text
        data = dict(re.findall(r'name="(csrf_token|nonce)" value="([^"]+)"', html))
        started = time.process_time()
        response = client.post(f"/me/fairs/{fair.id}/slots/{slot.id}/book", data=data)
        requests.append((time.process_time() - started) * 1000)
        assert response.status_code == 303, response.status_code
    operations.notify.booking_confirmed = email.function
    print(f"booking POST: median {statistics.median(requests[20:]):.2f} ms CPU per request, "
          f"of which its email: median {statistics.median(email.calls[20:]):.3f} ms")
    return cohort


def publication(make, db, cohort, candidates):
    from types import SimpleNamespace

    from jobfair import mail
    from jobfair.booking import notify
    from jobfair.models import Wish, utcnow
    from jobfair.round import publication as module
    from jobfair.round import services

    now = utcnow()
    fair = make.fair(booking_opens_at=now + timedelta(days=2),
                     booking_closes_at=now + timedelta(days=8),
                     cancellation_deadline=now + timedelta(days=7),
                     max_bookings_per_candidate=2, min_gap_minutes=10)
    fair.cohorts.append(cohort)
    booking_round = services.set_round(fair, now - timedelta(hours=1), now + timedelta(days=1),
                                       now + timedelta(days=1, hours=1), 2)
    slot_ids, parts = [], []
    for number in range(max(candidates // 20, 2)):
        part = make.participation(fair, make.company(f"Société {number}"))
        parts.append(part)
        table = make.table(part)
        slot_ids += [make.slot_at(table, 9 + i // 3, (i % 3) * 20).id for i in range(20)]
    people = [make.bookable_candidate(cohort, locale=("fr", "en", "ar")[i % 3])
              for i in range(candidates)]
    for i, person in enumerate(people):
        for rank in (1, 2):
            db.session.add(Wish(round_id=booking_round.id, candidate_id=person.candidate.id,
                                participation_id=parts[(i + rank) % len(parts)].id, rank=rank))
    db.session.commit()
    run = SimpleNamespace(result=[(p.candidate.id, s) for p, s in zip(people, slot_ids)])
    round_id = booking_round.id
    del people, parts, booking_round
    db.session.remove()

    confirmed = Timed(notify.booking_confirmed)
    queue_names = [name for name in ("queue", "queue_later") if hasattr(mail, name)]
    queues = {name: Timed(getattr(mail, name)) for name in queue_names}
    module.notify = SimpleNamespace(booking_confirmed=confirmed)
    module.mail = SimpleNamespace(**{name: queues.get(name, getattr(mail, name))
                                     for name in dir(mail) if not name.startswith("__")})
    from jobfair.models import BookingRound, OutboxMessage

    booking_round = db.session.get(BookingRound, round_id)
    before = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))
    started, cpu = time.monotonic(), time.process_time()
    made = module.book_all(booking_round, run, utcnow())
    db.session.commit()
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    emails = sum(confirmed.calls) + sum(sum(q.calls) for q in queues.values())
    count = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) - before
    print(f"publication: {len(made)} interviews, {count} emails queued in {wall:.2f} s wall, "
          f"{cpu:.2f} s CPU, of which {emails / 1000:.2f} s CPU queueing the emails")
    del made
    db.session.remove()
    started, cpu = time.monotonic(), time.process_time()
    sent, failed = mail.send_pending(limit=10 * (count + before))
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    print(f"mail worker: {sent} sent, {failed} failed in {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({cpu / max(sent, 1) * 1000:.2f} ms CPU per email: claim, render, send, record)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1000)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from jobfair import create_app
    from jobfair.config import TestConfig
    from jobfair.extensions import db
    from tests import factories as make
    from tests.conftest import IsolatedClient

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(tempfile.mkdtemp()) / 'mail.db'}"
        RATELIMIT_ENABLED = False

    app = create_app(Config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
        cohort = booking_posts(app, make, db)
        publication(make, db, cohort, args.candidates)


if __name__ == "__main__":
    main()
