"""The walk-in queue bench (``python -m bench --only queue``): its plan puts every candidate in
as many distinct lines as the fair allows, and its check after the run tells a booth that saw
exactly the first ones of its line from one that skipped or left someone called."""
from bench import walkin_queue
from jobfair.extensions import db
from jobfair.models.queues import DEFAULT_QUEUES_PER_CANDIDATE
from jobfair.queues import services


def test_the_plan_puts_each_candidate_in_distinct_lines_and_polls_one_of_them():
    joined, polled = walkin_queue.lines_plan(300, 20, DEFAULT_QUEUES_PER_CANDIDATE, seed=1)
    lines = {}
    for candidate, booth in joined:
        lines.setdefault(candidate, []).append(booth)
    assert len(lines) == 300
    assert all(len(set(b)) == len(b) == DEFAULT_QUEUES_PER_CANDIDATE for b in lines.values())
    assert all(polled[c] in lines[c] for c in lines)
    assert len({booth for _, booth in joined}) == 20


def test_the_check_tells_calls_in_order_from_a_skipped_or_still_called_one(app, make):
    cohort = make.cohort()
    fair = make.fair(status="live", cohorts=[cohort])
    booth = make.participation(fair, make.company("Atlas Digital"))
    rep = make.user(role="company_rep", email="rh@atlas.ma", company=booth.company)
    people = [make.bookable_candidate(cohort, email=f"c{n}@example.ma") for n in range(4)]
    line = [services.join(booth, person.candidate).id for person in people]
    for _ in range(2):
        services.finish(booth, services.call_next(booth, rep, "Table 1").id, "seen")
    planned = {"participation_ids": [booth.id], "lines": [line]}
    db.session.commit()  # the test holds no transaction (nor SQLite lock) while the bench reads
    assert walkin_queue.check_database(app, planned, [2]) == []
    assert walkin_queue.check_database(app, planned, [3]) != []  # one call not made
    services.call_next(booth, rep, "Table 1")  # called, never marked seen
    db.session.commit()
    assert walkin_queue.check_database(app, planned, [2]) != []
