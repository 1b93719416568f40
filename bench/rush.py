"""The booking rush: 500 logged-in candidates book at once against 100 slots of one fair.

Each candidate has a short list of wishes (distinct companies, distinct times, so that
no rule but capacity can refuse them), drawn with a Zipf popularity: the first slots
of the popular companies are the first wish of dozens. Every candidate starts at the
same instant, posts its first wish, and on "slot taken" goes on to the next, until
they hold two interviews or run out of wishes — the same plan is played against the
bare booking transaction (bench/ceiling.py) on an identical fair, with the same client
and concurrency, in the same run.

Afterwards the database is checked: each slot's ``booked_count`` equals its live
bookings and never passes its capacity, no candidate has more than the fair's maximum,
two with one company, or two overlapping; the bookings made equal the "booked" answers.
"""
import random

from sqlalchemy import func, select

from jobfair.extensions import db
from jobfair.models import Booking, Fair, Participation, Slot

from . import load
from .people import SLOTS_PER_COMPANY

WISHES = 3
WANT = 2
CLEAN = ("booked", "slot_taken")


def wishes(candidates, companies, seed, each=WISHES, times=SLOTS_PER_COMPANY):
    """Per candidate: ``each`` [(company index, time index)] among ``times`` times a company,
    distinct companies and times."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(companies)]  # Zipf: company 0 is the star
    plans = []
    for _ in range(candidates):
        chosen = []
        pool = list(range(companies))
        pool_weights = list(weights)
        for _ in range(each):
            pick = rng.choices(range(len(pool)), pool_weights)[0]
            chosen.append(pool.pop(pick))
            pool_weights.pop(pick)
        picked_times = rng.sample(range(times), each)
        # Most people want the morning: the earliest times of a wish list come first.
        plans.append(list(zip(chosen, sorted(picked_times))))
    return plans


def app_users(fair, plans, sessions):
    return [{
        # The company page books with htmx (hx-post): the answer is its "slots" block.
        "headers": {"Cookie": session["cookie"], "HX-Request": "true"}, "stop_after": WANT,
        "steps": [{"method": "POST",
                   "path": f"/me/fairs/{fair.fair_id}/slots/{fair.slot_ids[c][t]}/book",
                   "data": {"csrf_token": session["csrf"]}} for c, t in plan],
    } for plan, session in zip(plans, sessions)]


def bare_users(fair, plans, candidate_ids):
    return [{
        "stop_after": WANT,
        "steps": [{"method": "POST",
                   "path": f"/book?slot={fair.slot_ids[c][t]}&candidate={candidate}"
                           f"&participation={fair.participation_ids[c]}"} for c, t in plan],
    } for plan, candidate in zip(plans, candidate_ids)]


def check_database(app, fair_id, booked_answers):
    """Every broken rule found in the fair's rows (an empty list when all hold)."""
    problems = []
    with app.app_context():
        fair = db.session.get(Fair, fair_id)
        slots = db.session.execute(
            select(Slot.id, Slot.capacity, Slot.booked_count, Slot.starts_at, Slot.ends_at)
            .join(Slot.table).join(Participation).where(Participation.fair_id == fair_id)).all()
        live = db.session.execute(
            select(Booking.slot_id, Booking.candidate_id, Booking.participation_id)
            .join(Participation, Booking.participation_id == Participation.id)
            .where(Participation.fair_id == fair_id, Booking.status != "cancelled")).all()
        by_slot, by_candidate = {}, {}
        for slot_id, candidate_id, participation_id in live:
            by_slot[slot_id] = by_slot.get(slot_id, 0) + 1
            by_candidate.setdefault(candidate_id, []).append((slot_id, participation_id))
        times = {s.id: (s.starts_at, s.ends_at) for s in slots}
        for s in slots:
            if s.booked_count > s.capacity:
                problems.append(f"slot {s.id} over capacity ({s.booked_count}/{s.capacity})")
            if s.booked_count != by_slot.get(s.id, 0):
                problems.append(f"slot {s.id}: booked_count {s.booked_count} but "
                                f"{by_slot.get(s.id, 0)} live bookings")
        for candidate_id, held in by_candidate.items():
            if len(held) > fair.max_bookings_per_candidate:
                problems.append(f"candidate {candidate_id} holds {len(held)} bookings")
            if len({p for _, p in held}) != len(held):
                problems.append(f"candidate {candidate_id}: two bookings with one company")
            spans = sorted(times[slot_id] for slot_id, _ in held)
            if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
                problems.append(f"candidate {candidate_id}: overlapping bookings")
        if len(live) != booked_answers:
            problems.append(f"{len(live)} live bookings but {booked_answers} 'booked' answers")
        db.session.remove()
    return problems


def count_bookings(app, fair_id):
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Booking)
            .join(Participation, Booking.participation_id == Participation.id)
            .where(Participation.fair_id == fair_id))
        db.session.remove()
        return count


def measure(ctx, run_index, concurrency, processes=1):
    """One run: the bare booking transaction and the app's rush, in alternating order."""
    state = ctx.state
    people = state["people"]
    plans = wishes(len(state["candidate_sessions"]), len(people.company_ids), seed=run_index)
    app_fair, bare_fair = state["booking_fairs"][run_index]
    out = {"candidates": len(plans)}

    def bare():
        server = ctx.servers["ceiling"]
        server.mark()
        result = load.run(server.url, bare_users(bare_fair, plans, people.candidate_ids),
                          "bare_booking", concurrency, processes, stop_kind="booked")
        out["bare"] = result
        out["bare_server_cpu"] = server.cpu_since_mark()
        out["bare_problems"] = check_database(state["app"], bare_fair.fair_id,
                                              result.count("booked"))

    def rush():
        server = ctx.servers["app"]
        server.mark()
        result = load.run(server.url, app_users(app_fair, plans, state["candidate_sessions"]),
                          "booking", concurrency, processes, stop_kind="booked")
        out["rush"] = result
        out["rush_server_cpu"] = server.cpu_since_mark()
        out["rush_problems"] = check_database(state["app"], app_fair.fair_id,
                                              result.count("booked"))

    for step in ((bare, rush) if run_index % 2 == 0 else (rush, bare)):
        step()
    return out
