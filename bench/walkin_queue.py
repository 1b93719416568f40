"""The walk-in queue (issue 13): 300 candidates at 20 booths poll their place while the booths
call people in.

A live fair of its own per run: the 20 companies approved, one company representative each
(logged in through the real form), 300 of the logged-in candidates each in as many lines as
the fair allows (``DEFAULT_QUEUES_PER_CANDIDATE``, spread at random over the 20 booths; the
rows written directly, before anything is timed: joining is not what is measured). Each
candidate's phone shows the place page of its first line and polls it as htmx does
(``hx-trigger="every Ns"`` in templates/queues/place.html, read from there; ``HX-Request``:
the answer is the page's ``place`` block) — two phases:

1. **Paced**, the real interval: every phone polls every N seconds (a random phase each) for
   ``PACED_SECONDS``, while each booth's representative presses "call next" every
   ``CALL_EVERY`` seconds and "seen" half-way to the next call (POST forms, CSRF, 303), so
   positions move. The position answer's p50/p95 here is the issue's figure.
2. **Closed loop**: the same phones poll as fast as the server answers (8 in flight, as the
   other served scenarios), nobody calling: the capacity, beside the bare endpoint of
   bench/ceiling.py measured in the same run.

Afterwards: at each booth exactly the first ones of its line were seen, as many as were
called (a call never skips nor repeats anyone), and every answer was a place, a turn, the
join form (seen: no longer in the line) or a representative's 303.
"""
import random
import re
import statistics
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from jobfair.extensions import db
from jobfair.models import Participation, QueueEntry, User, utcnow
from jobfair.models.queues import DEFAULT_QUEUES_PER_CANDIDATE
from jobfair.text import fold

from . import load, traffic
from . import people as bench_people
from .report import Figure

SECTION = "Walk-in queue"
CANDIDATES = 300
PACED_SECONDS, QUICK_PACED_SECONDS = 30.0, 10.0
CALL_EVERY = 6.0
CLOSED_POLLS, QUICK_CLOSED_POLLS = 3000, 600
P95_MS = 50.0
CLEAN = ("waiting", "called", "not_in_queue", "redirected")
_TEMPLATE = Path(__file__).resolve().parent.parent / "jobfair/templates/queues/place.html"


def poll_seconds():
    """The place page's own polling interval (its hx-trigger)."""
    found = re.search(r'id="queue-place"[^>]*hx-trigger="every (\d+)s"',
                      _TEMPLATE.read_text(), re.S)
    return float(found.group(1)) if found else 5.0


def lines_plan(candidates, booths, per_candidate, seed):
    """[(candidate index, booth)] in the order they joined; each candidate's first is polled."""
    rng = random.Random(seed)
    joined = [(c, b) for c in range(candidates)
              for b in rng.sample(range(booths), min(per_candidate, booths))]
    order = list(range(len(joined)))
    rng.shuffle(order)
    firsts = {}
    for c, b in joined:
        firsts.setdefault(c, b)
    return [joined[i] for i in order], firsts


# --- Setup (not timed) ---------------------------------------------------------------------


def _reps(ctx, app_url, participation_ids):
    """One representative per company, logged in once per (database, scale)."""
    state = ctx.state
    if "queue_reps" not in state:
        people = state["people"]
        with state["app"].app_context():
            password = db.session.scalar(select(User.password_hash)
                                         .where(User.id == people.staff_ids[0]))
            emails = [f"bench-{people.tag}-r{i}@bench.example"
                      for i in range(len(people.company_ids))]
            bench_people._insert(User.__table__, [{
                "email": email, "password_hash": password, "first_name": f"Rep{i}",
                "last_name": f"Bench {people.tag}", "folded_name": fold(f"Rep{i} Bench"),
                "role": "company_rep", "company_id": company, "locale": "en"}
                for i, (email, company) in enumerate(zip(emails, people.company_ids))])
            db.session.commit()
            db.session.remove()
        state["queue_reps"] = [load.login_all(app_url, [email], bench_people.PASSWORD,
                                              f"/company/fairs/{pid}/queue")[0]
                               for email, pid in zip(emails, participation_ids)]
    return state["queue_reps"]


def create_queue_fair(app, people, label, sessions, seed):
    """A live fair, the companies approved, the candidates of ``sessions`` in their lines."""
    with app.app_context():
        fair_id = bench_people._fair(people, label, "live")
        participation_ids = bench_people._insert(Participation.__table__, [{
            "fair_id": fair_id, "company_id": company, "status": "approved",
            "decided_at": utcnow()} for company in people.company_ids])
        joined, firsts = lines_plan(len(sessions), len(participation_ids),
                                    DEFAULT_QUEUES_PER_CANDIDATE, seed)
        start = utcnow() - timedelta(minutes=30)
        ids = bench_people._insert(QueueEntry.__table__, [{
            "participation_id": participation_ids[b], "candidate_id": people.candidate_ids[c],
            "status": "waiting", "joined_at": start + timedelta(seconds=k)}
            for k, (c, b) in enumerate(joined)])
        db.session.commit()
        db.session.remove()
    lines = [[] for _ in participation_ids]
    for entry_id, (_, b) in zip(ids, joined):
        lines[b].append(entry_id)
    return {"fair_id": fair_id, "participation_ids": participation_ids, "lines": lines,
            "polled": firsts}


def _poll_users(fair, people, sessions, steps_for):
    return [{"headers": {"Cookie": s["cookie"], "HX-Request": "true"},
             "steps": [dict(path=f"/me/fairs/{fair['fair_id']}/companies/"
                                 f"{people.company_ids[fair['polled'][c]]}/queue", **extra)
                       for extra in steps_for(c)]}
            for c, s in enumerate(sessions)]


def _rep_users(fair, reps, seconds, rng):
    users, calls = [], []
    for b, (rep, pid) in enumerate(zip(reps, fair["participation_ids"])):
        offset = rng.uniform(0, CALL_EVERY)
        count = min(len(fair["lines"][b]), int((seconds - offset) // CALL_EVERY) + 1)
        steps = []
        for k in range(count):
            at = offset + k * CALL_EVERY
            steps += [{"method": "POST", "path": f"/company/fairs/{pid}/queue/next", "at": at,
                       "data": {"called_to": "Table 1", "csrf_token": rep["csrf"]}},
                      {"method": "POST", "path": f"/company/fairs/{pid}/queue/done",
                       "at": at + CALL_EVERY / 2,
                       "data": {"entry_id": str(fair["lines"][b][k]), "outcome": "seen",
                                "csrf_token": rep["csrf"]}}]
        users.append({"headers": {"Cookie": rep["cookie"]}, "steps": steps})
        calls.append(count)
    return users, calls


def check_database(app, fair, calls):
    """Each booth saw exactly the first ``calls[b]`` of its line, and nobody is left called."""
    with app.app_context():
        rows = db.session.execute(
            select(QueueEntry.id, QueueEntry.status)
            .where(QueueEntry.participation_id.in_(fair["participation_ids"]))).all()
        db.session.remove()
    status = dict(rows)
    problems = []
    for b, (line, count) in enumerate(zip(fair["lines"], calls)):
        wrong = [i for k, i in enumerate(line)
                 if (status.get(i) == "seen") != (k < count) or status.get(i) == "called"]
        if wrong:
            problems.append(f"booth {b + 1}: {len(wrong)} entries not as called")
    return problems


# --- One run ----------------------------------------------------------------------------------


def measure(ctx, run_index, concurrency, processes=1):
    state = ctx.state
    server = ctx.servers["app"]
    people = state["people"]
    sessions = state["candidate_sessions"][:CANDIDATES]
    fair = create_queue_fair(state["app"], people, f"queue-{run_index}", sessions,
                             seed=3000 + run_index)
    reps = _reps(ctx, server.url, fair["participation_ids"])
    rng = random.Random(4000 + run_index)
    interval = poll_seconds()
    seconds = QUICK_PACED_SECONDS if ctx.quick else PACED_SECONDS

    def paced_steps(_c):
        phase = rng.uniform(0, interval)
        return [{"at": phase + j * interval} for j in range(int((seconds - phase) // interval) + 1)]

    polls = _poll_users(fair, people, sessions, paced_steps)
    rep_users, calls = _rep_users(fair, reps, seconds, rng)
    server.mark()
    paced = load.run(server.url, polls + rep_users, "queue", concurrency, processes)
    paced_cpu = server.cpu_since_mark()
    problems = check_database(state["app"], fair, calls)

    per_phone = max(1, (QUICK_CLOSED_POLLS if ctx.quick else CLOSED_POLLS) // len(sessions))
    server.mark()
    closed = load.run(server.url, _poll_users(fair, people, sessions, lambda _c: [{}] * per_phone),
                      "queue", concurrency, processes)
    closed_cpu = server.cpu_since_mark()
    return {"candidates": len(sessions), "booths": len(fair["lines"]), "interval": interval,
            "seconds": seconds, "line_lengths": [len(line) for line in fair["lines"]],
            "paced": paced, "paced_cpu": paced_cpu, "polls": len(sessions),
            "calls": sum(calls), "problems": problems,
            "closed": closed, "closed_cpu": closed_cpu}


def _polls(result, candidates):
    """The records of the phones (the representatives come after them)."""
    return [r for r in result.records if r[0] < candidates]


def summary(one):
    polls = [r[2] for r in _polls(one["paced"], one["candidates"])]
    return (f"queue: paced p95 {1000 * traffic.percentile(polls, 95):.0f} ms, closed loop "
            f"{one['closed'].throughput:.0f} polls/s")


def figures(runs):
    queues = [r["queue"] for r in runs]
    ends = [r["endpoint"]["result"] for r in runs]
    first = queues[0]
    paced = [[r[2] * 1000 for r in _polls(q["paced"], q["candidates"])] for q in queues]
    p95 = [traffic.percentile(p, 95) for p in paced]
    closed = [q["closed"] for q in queues]
    closed_p95 = [traffic.percentile(c.latencies(), 95) * 1000 for c in closed]
    kinds = {}
    for q in queues:
        for result in (q["paced"], q["closed"]):
            for kind, n in result.kinds().items():
                kinds[kind] = kinds.get(kind, 0) + n
    errors = [sum(n for k, n in q["paced"].kinds().items() if k not in CLEAN)
              + sum(n for k, n in q["closed"].kinds().items() if k not in CLEAN) for q in queues]
    broken = [len(q["problems"]) for q in queues]
    lengths = first["line_lengths"]
    sizes = (f"{first['candidates']} candidates in {DEFAULT_QUEUES_PER_CANDIDATE} lines each "
             f"at {first['booths']} booths (lines of {min(lengths)}–{max(lengths)}), each phone "
             f"polling one place every {first['interval']:g} s for {first['seconds']:g} s; "
             f"{first['calls']} calls + as many \"seen\" by the booths")
    return [
        Figure(SECTION, "Position answers (paced: the page's interval)", "req/s",
               [len(p) / q["paced"].elapsed for p, q in zip(paced, queues)], note=sizes),
        Figure(SECTION, "Position answer p50 (paced)", "ms",
               [traffic.percentile(p, 50) for p in paced]),
        Figure(SECTION, "Position answer p95 (paced)", "ms", p95, target=f"< {P95_MS:g} ms",
               met=statistics.median(p95) < P95_MS),
        Figure(SECTION, "Position answer p99 (paced)", "ms",
               [traffic.percentile(p, 99) for p in paced]),
        Figure(SECTION, "Server CPU per request (paced: polls, calls and \"seen\")", "ms",
               [1000 * q["paced_cpu"] / len(q["paced"].records) for q in queues],
               note="gunicorn workers only (the database's own CPU is not counted)"),
        Figure(SECTION, "Server CPU (all workers, paced)", "% of a core",
               [100 * q["paced_cpu"] / q["paced"].elapsed for q in queues],
               note="200 % = both cores"),
        Figure(SECTION, "Position answers (closed loop)", "req/s", [c.throughput for c in closed],
               note=f"{len(closed[0].records)} polls per run, {traffic.CONCURRENCY} in flight, "
                    "nobody calling"),
        Figure(SECTION, "Closed loop: ratio to the bare endpoint", "×",
               [c.throughput / e.throughput for c, e in zip(closed, ends)]),
        Figure(SECTION, "Position answer p95 (closed loop)", "ms", closed_p95),
        Figure(SECTION, "Server CPU per poll (closed loop)", "ms",
               [1000 * q["closed_cpu"] / len(q["closed"].records) for q in queues],
               note="gunicorn workers only"),
        Figure(SECTION, "Client CPU (closed loop)", "% of a core",
               [100 * c.client_cpu / c.elapsed if c.elapsed else 0.0 for c in closed]),
        Figure(SECTION, "Errors (answers other than a place, a turn, the join form, a 303)",
               "count", errors, target="0", met=sum(errors) == 0,
               note="over all runs: " + ", ".join(
                   f"{k}: {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))),
        Figure(SECTION, "Calls that skipped or repeated someone", "count", broken, target="0",
               met=sum(broken) == 0,
               note=next((p for q in queues for p in q["problems"]),
                         "each booth saw exactly the first ones of its line")),
    ]
