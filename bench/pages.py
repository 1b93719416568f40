"""Pages: server time (p50/p95) and number of SQL queries of the main page of every role.

In-process, with Flask's test client on the filled database: the time is the server's
(routing, loaders, queries, template), not the network's. Each page is asked ``REQUESTS``
times per run after a warm-up; a run gives one p50 and one p95. The query count is that of
one request (it is the same for every request of a page: tests/test_query_counts.py makes
sure it does not grow with the data).

Standalone: ``python -m bench.pages --url sqlite:////tmp/bench.db --scale 1 [--fill]``.
"""
import argparse
import re
import statistics
import sys
import time
from contextlib import contextmanager

from sqlalchemy import event, select

from bench.report import Figure

REQUESTS = 40
QUICK_REQUESTS = 8
TARGET_MS = 50.0
MIN_REQUESTS = 5
RUN_BUDGET_S = 10.0


@contextmanager
def counting(engine):
    """Counts the statements sent to the database inside the block."""
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _csrf(body):
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', body)
    return match.group(1).decode() if match else ""


def _client(app, email, password):
    client = app.test_client()
    token = _csrf(client.get("/login").data)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"cannot log in as {email}: {response.status_code}")
    return client


def _targets(app, data):
    """The pages, as (name, email, method, url or callable giving (url, form), headers)."""
    from jobfair.extensions import db
    from jobfair.models import Badge, CheckIn, Participation, User

    live, bookable = data["live_fair_id"], data["bookable_fair_id"]
    emails = data["emails"]
    with app.app_context():
        rep = db.session.scalar(select(User).where(User.email == emails["company_rep_bookable"][0]))
        participation = db.session.scalar(select(Participation.id).where(
            Participation.fair_id == bookable, Participation.company_id == rep.company_id))
        checked = select(CheckIn.user_id).where(CheckIn.fair_id == live,
                                                CheckIn.undone_at.is_(None))
        # Badges not checked in (the staff's badge link, a first scan) and already checked in
        # (a repeat scan). The entrance-line benchmark makes fairs of its own.
        fresh = db.session.scalars(select(Badge.token).where(
            Badge.fair_id == live, Badge.revoked_at.is_(None), Badge.user_id.not_in(checked))
            .order_by(Badge.id.desc()).limit(400)).all()
        repeat = db.session.scalars(select(Badge.token).where(
            Badge.fair_id == live, Badge.revoked_at.is_(None), Badge.user_id.in_(checked))
            .order_by(Badge.id).limit(200)).all()
    htmx = {"HX-Request": "true"}
    opened, scanned = fresh[:len(fresh) // 2], fresh[len(fresh) // 2:]
    candidate, organizer, staff = emails["candidate"][0], emails["organizer"][0], emails["staff"][0]
    return [
        ("Directory (candidate)", candidate, "GET", f"/me/fairs/{bookable}/companies", None),
        ("My schedule (candidate)", candidate, "GET", f"/me/fairs/{bookable}/schedule", None),
        ("Company schedule (representative)", rep.email, "GET",
         f"/company/fairs/{participation}/schedule", None),
        ("Badge link (staff)", staff, "GET", lambda i: (f"/b/{opened[i % len(opened)]}", None),
         None),
        # A first scan checks the person in (one badge per request, never the same twice).
        ("Scanner answer, first scan (staff)", staff, "POST",
         lambda i: (f"/staff/fairs/{live}/scan", {"code": scanned[i % len(scanned)],
                                                  "device_name": "bench"}), htmx),
        ("Scanner answer, repeat scan (staff)", staff, "POST",
         lambda i: (f"/staff/fairs/{live}/scan", {"code": repeat[i % len(repeat)],
                                                  "device_name": "bench"}), htmx),
        ("Live dashboard (organizer)", organizer, "GET", f"/organizer/fairs/{live}/live", None),
        ("Live dashboard refresh (organizer)", organizer, "GET",
         f"/organizer/fairs/{live}/live", htmx),
        ("Insertion dashboard (organizer)", organizer, "GET", "/organizer/insertion", None),
        # Drill-downs: the candidates behind one number (issue 15: < 50 ms like the dashboard).
        ("Insertion drill-down, inserted (organizer)", organizer, "GET",
         "/organizer/insertion/candidates?metric=inserted", None),
        ("Insertion drill-down, one fair's known outcomes (organizer)", organizer, "GET",
         f"/organizer/insertion/candidates?metric=known&group=fair&value={live}", None),
        ("Fair page (organizer)", organizer, "GET", f"/organizer/fairs/{bookable}", None),
        ("Candidate list (organizer)", organizer, "GET", "/organizer/candidates", None),
    ]


def measure(app, data, requests, runs, log=print):
    """{page name: {"p50": [...], "p95": [...], "queries": n, "status": code}}."""
    from jobfair.extensions import db

    password = data["password"]
    clients = {}
    results = {}
    with app.app_context():
        engine = db.engine
    for name, email, method, target, headers in _targets(app, data):
        client = clients.get(email) or clients.setdefault(email, _client(app, email, password))
        token = None
        if method == "POST":
            token = _csrf(client.get(f"/staff/fairs/{data['live_fair_id']}/scan").data)

        def ask(i):
            url, form = target(i) if callable(target) else (target, None)
            if method == "POST":
                return client.post(url, data={**form, "csrf_token": token}, headers=headers)
            return client.get(url, headers=headers)

        for i in range(2):  # warm-up: templates compiled, caches filled
            ask(i)
        started = time.perf_counter()
        with counting(engine) as statements:
            response = ask(2)
        first = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{name}: HTTP {response.status_code}")
        entry = results[name] = {"p50": [], "p95": [], "cpu": [], "queries": len(statements)}
        # A page far over its target gets fewer requests (a run stays within RUN_BUDGET_S).
        count = max(MIN_REQUESTS, min(requests, int(RUN_BUDGET_S / max(first, 1e-6))))
        entry["requests"] = count
        counter = 3
        for _run in range(runs):
            times, cpu = [], []
            for _ in range(count):
                started, used = time.perf_counter(), time.process_time()
                ask(counter)
                times.append((time.perf_counter() - started) * 1000)
                # In-process CPU time: this process's share, steadier than wall time on a
                # shared machine (PostgreSQL's own work is not in it).
                cpu.append((time.process_time() - used) * 1000)
                counter += 1
            times.sort()
            entry["p50"].append(statistics.median(times))
            entry["p95"].append(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))])
            entry["cpu"].append(statistics.median(cpu))
        log(f"{name}: p50 {statistics.median(entry['p50']):.1f} ms, "
            f"p95 {statistics.median(entry['p95']):.1f} ms, "
            f"CPU p50 {statistics.median(entry['cpu']):.1f} ms, {entry['queries']} queries, "
            f"{count} requests/run")
    return results


def run(ctx):
    from bench.datagen import bench_app

    app = bench_app(ctx.database_url)
    requests = QUICK_REQUESTS if ctx.quick else REQUESTS
    results = measure(app, ctx.data, requests, max(1, ctx.runs), log=ctx.log)
    figures = []
    national = ctx.scale >= 1
    for name, entry in results.items():
        p95 = statistics.median(entry["p95"])
        figures.append(Figure(
            section="Pages", name=f"{name} p50", unit="ms", values=entry["p50"],
            note=f"{entry['queries']} SQL queries per request"))
        figures.append(Figure(
            section="Pages", name=f"{name} p95", unit="ms", values=entry["p95"],
            target=f"< {TARGET_MS:g} ms" if national else None,
            met=(p95 < TARGET_MS) if national else None,
            note=f"{entry['queries']} SQL queries; {entry['requests']} requests per run; "
                 f"CPU p50 {statistics.median(entry['cpu']):.1f} ms"))
        figures.append(Figure(
            section="Pages", name=f"{name} SQL queries", unit="queries",
            values=[float(entry["queries"])], target="constant from 1x to 10x",
            note="tests/test_query_counts.py checks it does not grow with the data"))
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description="Server time and SQL queries of the main pages")
    parser.add_argument("--url", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--fill", action="store_true", help="(re)fill the database first")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--profile", help="profile this page (name prefix) with pyinstrument")
    args = parser.parse_args(argv)
    from bench.datagen import bench_app, fill

    if args.fill:
        data = fill(args.url, args.scale, reset=True)
    else:  # the ids are deterministic for a given scale; rebuild the summary without writing
        data = summary_of(args.url)
    app = bench_app(args.url)
    if args.profile:
        profile(app, data, args.profile)
        return
    measure(app, data, args.requests, args.runs, log=lambda m: print(m, file=sys.stderr))


def summary_of(url):
    """The parts of fill()'s summary the pages need, read back from a filled database."""
    from bench.datagen import PASSWORD, bench_app
    from jobfair.extensions import db
    from jobfair.models import Booking, Candidate, Company, Fair, Participation, User

    app = bench_app(url)
    with app.app_context():
        live = db.session.scalar(select(Fair.id).where(Fair.status == "live"))
        bookable = db.session.scalar(select(Fair.id).where(Fair.slug == "bench-fair-2"))
        candidate = db.session.scalar(
            select(User.email).join(Candidate, Candidate.user_id == User.id)
            .join(Booking, Booking.candidate_id == Candidate.id)
            .join(Participation, Booking.participation_id == Participation.id)
            .where(Participation.fair_id == bookable, Booking.status == "active").limit(1))
        rep = db.session.scalar(
            select(User.email).join(Company, User.company_id == Company.id)
            .join(Participation, Participation.company_id == Company.id)
            .where(Participation.fair_id == bookable, Participation.status == "approved").limit(1))
        return {"password": PASSWORD, "live_fair_id": live, "bookable_fair_id": bookable,
                "emails": {"candidate": [candidate], "organizer": ["organizer1@bench.jobfair"],
                           "staff": ["staff1@bench.jobfair"], "company_rep_bookable": [rep]}}


def profile(app, data, prefix):
    from pyinstrument import Profiler

    for name, email, method, target, headers in _targets(app, data):
        if not name.lower().startswith(prefix.lower()) or method != "GET" or callable(target):
            continue
        client = _client(app, email, data["password"])
        client.get(target, headers=headers)
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(5):
                client.get(target, headers=headers)
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
