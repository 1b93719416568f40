"""The opening of a 4,000-candidate fair (issue 15): ``python -m bench --only opening``.

One fair, 150 approved companies, each with one table of 18 slots of 20 minutes (every 30
minutes, 9:00–17:50) and capacity 3: 8,100 places for 8,000 wanted interviews (4,000
candidates of the invited cohort, 2 interviews each). Capacity 3 on one table rather than
three one-to-one tables: a wish is "company X at 10:30", so "taken" means that company has
nobody left at that time, a thing the wish list can express; with three tables the
candidate would first try the other two tables at the same time, which no wish list here
models. Places ≈ demand, so the crowd fills the fair and most answers of the popular
companies are "just taken".

Each candidate has ``WISHES`` wishes drawn like the rush's (bench/rush.py: Zipf popularity
over the 150 companies, distinct companies, distinct times, earliest first). Booking opens
at one instant (the fair's ``booking_opens_at`` is set to "now" just before the crowd is
let go, ``load.START_DELAY`` seconds before the first click); everyone clicks their first
wish at that instant, goes on to the next on "slot taken", and stops on holding 2 or on
running out. The same plan is played against the bare booking transaction
(bench/ceiling.py) on an identical fair in the same run, alternating which goes first.

Measured per candidate: the time from the opening instant to their LAST answer (their
second booking, or the "taken" of their last wish) — "everyone has their answer"; per
request: latency, throughput, worker CPU. Afterwards bench.rush.check_database checks
every rule on both fairs.

Logins: 4,000 real logins at the production argon2 setting (19 MiB, t=2, plus the rehash a
cheaper stored hash would trigger) would cost minutes of CPU before anything is timed. The
bench people get a bench-only cheap hash (argon2id t=1, 64 KiB, the test suite's setting),
and each session is made by the app's own login code — ``auth.services.authenticate``
(password verified), the login view's session reset and ``login_user`` — in a request
context of an app holding the served app's SECRET_KEY, with the client's User-Agent; the
signed cookie and a CSRF token (``generate_csrf``) are what the browser would hold. The
served app keeps its production settings; a few sessions are checked against it over
HTTP before the crowd starts.
"""
import asyncio
import os
import statistics
import time

import aiohttp
from flask import session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import update

from jobfair import create_app
from jobfair.auth import services as auth_services
from jobfair.config import normalise_database_url
from jobfair.extensions import db
from jobfair.models import Fair, utcnow

from . import load, people, rush, servers
from .report import Figure
from .traffic import percentile

CANDIDATES, COMPANIES = 4000, 150
QUICK_CANDIDATES, QUICK_COMPANIES = 400, 15  # the same places per candidate
SLOTS, CAPACITY = 18, 3
WISHES = 5  # places ≈ demand and Zipf popularity: 3 wishes would leave most with one or none
CONCURRENCY = 2 * servers.WORKERS  # like the rush: a front proxy's pool of 2 per worker
CHECKED_SESSIONS = 3
ANSWER_P95_S, LATENCY_P95_MS, RATIO, STRETCH_RATIO = 10.0, 100.0, 0.25, 0.5
CPU_MS = {"sqlite": 2.0, "postgresql": 3.0}


def sizes(quick):
    return (QUICK_CANDIDATES, QUICK_COMPANIES) if quick else (CANDIDATES, COMPANIES)


def section(candidates):
    return f"Opening of a {candidates:,}-candidate fair"


def bench_app(database_url, secret_key=None):
    """The setup's app: the served app's SECRET_KEY (its sessions are valid there) and the
    bench-only cheap argon2 of the bench people."""
    return create_app({
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SECRET_KEY": secret_key or servers.SECRET_KEY, "MAIL_BACKEND": "memory",
        "SESSION_COOKIE_SECURE": False,
        "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 64,
    })


def create_fairs(app, candidates, companies, runs):
    """The people, then per run a pair of identical fairs: (the app's, the bare one's)."""
    crowd = people.create_people(app, candidates=candidates, with_password=candidates,
                                 staff=1, companies=companies)
    fairs = [tuple(people.create_booking_fair(app, crowd, f"{label}-{i}",
                                              slots_per_company=SLOTS, capacity=CAPACITY)
                   for label in ("opening", "bare-opening")) for i in range(runs)]
    return crowd, fairs


def plans(candidates, companies, seed):
    return rush.wishes(candidates, companies, seed, each=WISHES, times=SLOTS)


def sign_in(app, emails, password=people.PASSWORD, user_agent=None):
    """One session per email, made by the app's login code: [{"cookie", "csrf"}].

    What POST /login does after the form is valid (authenticate, a fresh session with the
    account's language, login_user), then the CSRF token a page would carry.
    """
    user_agent = user_agent or aiohttp.http.SERVER_SOFTWARE  # what the load client sends
    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    sessions = []
    for email in emails:
        # An app context (g, the database session) and a request context per login, as served.
        with app.app_context(), app.test_request_context("/login", method="POST",
                                                         headers={"User-Agent": user_agent}):
            user = auth_services.authenticate(email, password)
            if user is None:
                raise RuntimeError(f"the bench password of {email} was refused")
            session.clear()
            if user.locale:
                session["locale"] = user.locale
            db.session.commit()  # last_login_at, as the login view commits it
            login_user(user)
            csrf = generate_csrf()
            sessions.append({"cookie": f"{cookie_name}={serializer.dumps(dict(session))}",
                             "csrf": csrf})
    return sessions


def check_sessions(base, sessions, path):
    """The served app accepts the sessions: ``path`` answers 200 (not a redirect to log in)."""
    async def one(client, signed):
        async with client.get(base + path, headers={"Cookie": signed["cookie"]},
                              allow_redirects=False) as resp:
            return resp.status

    async def go():
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client:
            return await asyncio.gather(*(one(client, s) for s in sessions))

    statuses = asyncio.run(go())
    if any(status != 200 for status in statuses):
        raise RuntimeError(f"{path} answered {statuses} to the bench sessions")


def open_booking(app, fair_id):
    """Booking opens now: the instant the crowd is waiting for."""
    with app.app_context():
        db.session.execute(update(Fair).where(Fair.id == fair_id)
                           .values(booking_opens_at=utcnow()))
        db.session.commit()
        db.session.remove()


def answer_times(result, users):
    """Per candidate, seconds from the common start to their last answer."""
    last = [0.0] * users
    for index, _kind, latency, _wait, sent_at, *_ in result.records:
        last[index] = max(last[index], sent_at + latency)
    return last


def holdings(result, users):
    """How many candidates hold 0, 1 and 2 interviews (from the "booked" answers)."""
    held = [0] * users
    for index, kind, *_ in result.records:
        held[index] += kind == "booked"
    return {n: held.count(n) for n in range(rush.WANT + 1)}


def measure(ctx, state, run_index):
    """One run: the bare transaction and the app, in alternating order, on twin fairs."""
    crowd, (app_fair, bare_fair) = state["people"], state["fairs"][run_index]
    wish_lists = plans(len(crowd.candidate_ids), len(crowd.company_ids), seed=run_index)
    out = {"candidates": len(wish_lists)}

    def play(side, server, users, classify_as, fair):
        open_booking(state["app"], fair.fair_id)
        server.mark()
        load_before = os.getloadavg()
        result = load.run(server.url, users, classify_as, CONCURRENCY, stop_kind="booked")
        out[side] = {"result": result, "cpu": server.cpu_since_mark(),
                     "load": (load_before, os.getloadavg()),
                     "problems": rush.check_database(state["app"], fair.fair_id,
                                                     result.count("booked"))}
        ctx.log(f"opening run {run_index + 1}, {side}: {len(result.records)} requests in "
                f"{result.elapsed:.1f} s, last answer p95 "
                f"{percentile(answer_times(result, len(users)), 95):.1f} s")

    def bare():
        play("bare", ctx.servers["ceiling"],
             rush.bare_users(bare_fair, wish_lists, crowd.candidate_ids), "bare_booking",
             bare_fair)

    def app():
        play("app", ctx.servers["app"],
             rush.app_users(app_fair, wish_lists, state["sessions"]), "booking", app_fair)

    for step in ((bare, app) if run_index % 2 == 0 else (app, bare)):
        step()
    return out


def run(ctx):
    """Serve the app and the ceiling app, make the fairs and sessions, play every run."""
    candidates, companies = sizes(ctx.quick)
    env = servers.server_env(ctx.database_url, ctx.workdir)
    ctx.servers["app"] = servers.start("app", "app:app", env, ctx.workdir)
    ctx.servers["ceiling"] = servers.start("ceiling", "bench.ceiling:app", env, ctx.workdir)
    app = bench_app(ctx.database_url)
    try:
        started = time.monotonic()
        crowd, fairs = create_fairs(app, candidates, companies, ctx.runs)
        sessions = sign_in(app, crowd.emails)
        check_sessions(ctx.servers["app"].url, sessions[:CHECKED_SESSIONS],
                       f"/me/fairs/{fairs[0][0].fair_id}/companies/{crowd.company_ids[0]}")
        ctx.log(f"opening: {candidates} candidates, {companies} companies and sessions ready "
                f"in {time.monotonic() - started:.1f} s")
        state = {"app": app, "people": crowd, "fairs": fairs, "sessions": sessions}
        runs = [measure(ctx, state, i) for i in range(ctx.runs)]
    finally:
        for server in ctx.servers.values():
            server.stop()
        ctx.servers.clear()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return figures(ctx.db_kind, runs, companies)


def _per_request_cpu_ms(side):
    return 1000 * side["cpu"] / len(side["result"].records)


def figures(db_kind, runs, companies):
    users = runs[0]["candidates"]
    name = section(users)
    apps = [r["app"]["result"] for r in runs]
    bares = [r["bare"]["result"] for r in runs]
    answers = [answer_times(a, users) for a in apps]
    bare_answers = [answer_times(b, users) for b in bares]
    ratio = [a.throughput / b.throughput for a, b in zip(apps, bares)]
    p95 = [percentile(a.latencies(), 95) * 1000 for a in apps]
    answer_p95 = [percentile(times, 95) for times in answers]
    cpu = [_per_request_cpu_ms(r["app"]) for r in runs]
    cpu_target = CPU_MS.get(db_kind, CPU_MS["postgresql"])
    errors = [sum(n for k, n in a.kinds().items() if k not in rush.CLEAN) for a in apps]
    broken = [len(r["app"]["problems"]) + len(r["bare"]["problems"]) for r in runs]
    first_problem = next((p for r in runs for side in ("app", "bare")
                          for p in r[side]["problems"]), "")
    held = [holdings(a, users) for a in apps]
    places = companies * SLOTS * CAPACITY
    kinds = {}
    for a in apps:
        for kind, n in a.kinds().items():
            kinds[kind] = kinds.get(kind, 0) + n
    loads = "; ".join(f"run {i + 1}: " + " → ".join(f"{x[0]:.1f}" for x in r["app"]["load"])
                      for i, r in enumerate(runs))
    return [
        Figure(name, "Everyone has their answer, p95 (from the opening instant)", "s",
               answer_p95, target=f"<= {ANSWER_P95_S:g} s",
               met=statistics.median(answer_p95) <= ANSWER_P95_S,
               note=f"per candidate: the time of their last answer; {users:,} candidates × up "
                    f"to {WISHES} wishes, stop at {rush.WANT}; {CONCURRENCY} in flight; "
                    f"1-min load average during the app's run: {loads}"),
        Figure(name, "Everyone has their answer, p50", "s",
               [percentile(times, 50) for times in answers]),
        Figure(name, "Everyone has their answer, max", "s", [max(times) for times in answers]),
        Figure(name, "Everyone has their answer, p95, bare booking transaction", "s",
               [percentile(times, 95) for times in bare_answers],
               note="the same plan against the bare UPDATE + INSERT + COMMIT"),
        Figure(name, "Booking requests answered", "req/s", [a.throughput for a in apps],
               note=f"{statistics.median(len(a.records) for a in apps):,.0f} requests per run"),
        Figure(name, "Bare booking transaction, same plan", "tx/s",
               [b.throughput for b in bares],
               note=f"{statistics.median(len(b.records) for b in bares):,.0f} requests per run"),
        Figure(name, "Ratio to the bare booking transaction", "×", ratio,
               target=f">= {RATIO:g} × (stretch {STRETCH_RATIO:g} ×)",
               met=statistics.median(ratio) >= RATIO),
        Figure(name, "Latency p50", "ms", [percentile(a.latencies(), 50) * 1000 for a in apps]),
        Figure(name, "Latency p95", "ms", p95, target=f"< {LATENCY_P95_MS:g} ms",
               met=statistics.median(p95) < LATENCY_P95_MS),
        Figure(name, "Latency p99", "ms", [percentile(a.latencies(), 99) * 1000 for a in apps]),
        Figure(name, "Worker CPU per request (app)", "ms", cpu, target=f"<= {cpu_target:g} ms",
               met=statistics.median(cpu) <= cpu_target,
               note="gunicorn workers only (the database's own CPU is not counted)"),
        Figure(name, "Worker CPU per request (bare booking transaction)", "ms",
               [_per_request_cpu_ms(r["bare"]) for r in runs]),
        Figure(name, "Places taken", "count", [a.count("booked") for a in apps],
               note=f"of {places:,} ({companies} companies × {SLOTS} slots × capacity "
                    f"{CAPACITY}); candidates holding 2 / 1 / 0: "
                    + ", ".join(f"{h[2]:,} / {h[1]:,} / {h[0]:,}" for h in held)),
        Figure(name, "Errors other than a clean \"slot taken\"", "count", errors, target="0",
               met=sum(errors) == 0, note="over all runs: " + ", ".join(
                   f"{k}: {n:,}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))),
        Figure(name, "Rules broken in the database afterwards (app + bare)", "count", broken,
               target="0", met=sum(broken) == 0,
               note=first_problem or "bench.rush.check_database on both fairs"),
        Figure(name, "Client CPU", "% of a core",
               [100 * a.client_cpu / a.elapsed for a in apps]),
        Figure(name, "Server CPU (all workers)", "% of a core",
               [100 * r["app"]["cpu"] / r["app"]["result"].elapsed for r in runs],
               note="200 % = both cores"),
    ]
