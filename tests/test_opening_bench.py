"""The opening bench (``python -m bench --only opening``) at a tiny size, in process: its wish
lists, its sessions made by the app's login code, its plan played through the real booking
route, its figures, and the database check it relies on (which must also catch a broken rule).
No timing here: the speed is the bench's."""
import time

from sqlalchemy import select, update

from bench import __main__ as orchestrator
from bench import load, opening, rush
from bench.load import LoadResult
from jobfair.extensions import db
from jobfair.models import Slot

CANDIDATES, COMPANIES = 30, opening.WISHES  # everyone wishes every company: slots run out


def test_opening_is_a_scenario_of_the_bench():
    args = orchestrator.parse(["--only", "opening", "--db", "sqlite"])
    assert args.scenarios == ["opening"]
    assert "opening" in orchestrator.SCENARIOS


def test_wish_lists_are_distinct_companies_at_distinct_times_earliest_first():
    plans = opening.plans(200, 40, seed=3)
    assert len(plans) == 200
    for plan in plans:
        companies, times = zip(*plan)
        assert len(plan) == opening.WISHES
        assert len(set(companies)) == len(set(times)) == opening.WISHES
        assert list(times) == sorted(times) and max(times) < opening.SLOTS
    # Zipf: the first company is wished for far more often than the last.
    wished = [c for plan in plans for c, _ in plan]
    assert wished.count(0) > 3 * wished.count(39)


def _play(client, fair, plans, sessions):
    """The crowd, one step each in turn (as arrivals interleave): load.run's records."""
    users = rush.app_users(fair, plans, sessions)
    records, held, t0 = [], [0] * len(users), time.perf_counter()
    for step in range(opening.WISHES):
        for index, user in enumerate(users):
            if held[index] >= rush.WANT or step >= len(user["steps"]):
                continue
            request = user["steps"][step]
            sent = time.perf_counter()
            response = client.post(request["path"], data=request["data"], headers=user["headers"])
            kind = load.classify("booking", response.status_code, response.get_data(as_text=True))
            held[index] += kind == "booked"
            records.append((index, kind, time.perf_counter() - sent, 0.0, sent - t0))
    return LoadResult([{"records": records, "elapsed": time.perf_counter() - t0, "cpu": 0.0}])


def test_the_opening_plan_books_through_the_app_and_breaks_no_rule(app):
    crowd, [(fair, twin)] = opening.create_fairs(app, CANDIDATES, COMPANIES, runs=1)
    # One place per slot here (the bench has 3), so that the crowd meets "just taken".
    with app.app_context():
        db.session.execute(update(Slot).values(capacity=1))
        db.session.commit()
    sessions = opening.sign_in(app, crowd.emails)
    assert len({s["csrf"] for s in sessions}) == CANDIDATES  # a token of each one's own
    opening.open_booking(app, fair.fair_id)
    plans = opening.plans(CANDIDATES, COMPANIES, seed=0)

    result = _play(app.test_client(use_cookies=False), fair, plans, sessions)

    kinds = result.kinds()
    assert set(kinds) == {"booked", "slot_taken"}, kinds
    held = opening.holdings(result, CANDIDATES)
    assert held[2] > 0 and sum(held.values()) == CANDIDATES
    assert rush.check_database(app, fair.fair_id, result.count("booked")) == []
    last = opening.answer_times(result, CANDIDATES)
    assert all(t > 0 for t in last)

    # The figures of one run (the "bare" side played by the same records): nothing broken.
    side = {"result": result, "cpu": 0.5, "load": ((1.0, 1.0, 1.0), (1.0, 1.0, 1.0)),
            "problems": []}
    figures = {f.name: f for f in opening.figures(
        "sqlite", [{"candidates": CANDIDATES, "app": side, "bare": side}], COMPANIES)}
    assert figures["Places taken"].values == [result.count("booked")]
    assert figures["Errors other than a clean \"slot taken\""].met is True
    assert figures["Rules broken in the database afterwards (app + bare)"].met is True
    assert {f.section for f in figures.values()} == {opening.section(CANDIDATES)}

    # The check the bench relies on does see a broken rule.
    with app.app_context():
        slot_id = db.session.scalar(select(Slot.id).where(
            Slot.id.in_([s for company in fair.slot_ids for s in company]),
            Slot.booked_count == 1).limit(1))
        db.session.execute(update(Slot).where(Slot.id == slot_id).values(booked_count=0))
        db.session.commit()
    problems = rush.check_database(app, fair.fair_id, result.count("booked"))
    assert any(f"slot {slot_id}" in p for p in problems), problems
    # The twin (the bare transaction's fair) is untouched by the app's crowd.
    assert rush.check_database(app, twin.fair_id, 0) == []
