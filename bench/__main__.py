"""``python -m bench`` (``make bench``): every benchmark, on SQLite and PostgreSQL, at 0.1× and 1×.

For each database and scale: a database of its own (SQLite in a temporary directory,
PostgreSQL ``jobfair_bench_<scale>_<pid>`` on the local server, dropped afterwards: two runs
at once do not share it), filled by bench/datagen.py; then the app and the ceiling app are served by gunicorn with one
configuration, and each run measures, with the same client, the bare endpoint, the bare
booking transaction and the booking rush, the bare check-in transaction and the entrance
line, the offline entrance line and the walk-in queue (at the largest scale only: they
make fairs of their own); then pages, badges, exports and the booking round's assignment
(bench/round.py, once: it reads no database) and fair by fair on the data set
(bench/round_fairs.py, once, a database of its own). The results go to docs/BENCHMARKS.md.

    python -m bench                       # everything (~15 min on 2 cores)
    python -m bench --quick               # a smoke run, well under 2 minutes
    python -m bench --db sqlite --scales 0.1 --runs 3 --only rush,entrance
"""
import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import report
from .report import Context, Figure

PROJECT_ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SERVED = ("ceilings", "rush", "entrance", "offline", "queue")
IN_PROCESS = ("pages", "badges", "exports", "round", "round_fairs")
SCENARIOS = SERVED + IN_PROCESS
# The opening of a 4,000-candidate fair (bench/opening.py) is served too, at the largest scale,
# with servers, people and sessions of its own (it needs none of the rush's).
OPENING = "opening"
SCENARIOS += (OPENING,)
# Where an in-process scenario runs: on every (database, scale), or once (it does not
# depend on the database: the last database at the largest scale). A module may say
# otherwise with a module-level WHEN = "every" | "once".
WHEN = {"pages": "every", "badges": "once", "exports": "every", "round": "once",
        "round_fairs": "once"}


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None,
                        help="databases, comma-separated: sqlite,postgresql "
                             "(default: both; SQLite alone with --quick)")
    parser.add_argument("--scales", default="0.1,1",
                        help="data sizes, comma-separated: 1 = national (default: 0.1,1)")
    parser.add_argument("--runs", type=int, default=None,
                        help="repetitions of each measurement (default 5; 1 with --quick)")
    parser.add_argument("--served-runs", type=int, default=3,
                        help="repetitions of the served scenarios (ceilings, rush, entrance, "
                             "offline, queue), "
                             "at most --runs (default 3: each run plays 500 candidates and "
                             "2,250 scans through the whole app)")
    parser.add_argument("--only", default=",".join(SCENARIOS),
                        help=f"scenarios, comma-separated, among {','.join(SCENARIOS)}")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: SQLite, 0.1x data, 1 run, a smaller crowd, every "
                             "scenario (about a minute on a quiet machine)")
    parser.add_argument("--output", default=None,
                        help="where to write the report (default docs/BENCHMARKS.md; "
                             "a --quick run writes to a temporary file unless told)")
    args = parser.parse_args(argv)
    args.db = args.db or ("sqlite" if args.quick else "sqlite,postgresql")
    args.dbs = [d.strip() for d in args.db.split(",") if d.strip()]
    for db_kind in args.dbs:
        if db_kind not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {db_kind!r}")
    args.scale_list = sorted(float(s) for s in args.scales.split(",") if s.strip())
    if args.quick and args.scales == "0.1,1":
        args.scale_list = [0.1]
    args.runs = args.runs or (1 if args.quick else 5)
    args.served_runs = max(1, min(args.served_runs, args.runs))
    args.scenarios = [s.strip() for s in args.only.split(",") if s.strip()]
    for name in args.scenarios:
        if name not in SCENARIOS:
            parser.error(f"unknown scenario {name!r} (choose among {', '.join(SCENARIOS)})")
    return args


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- Databases --------------------------------------------------------------------------------


def _scale_tag(scale):
    return f"{scale:g}".replace(".", "_")


def _pg_admin(statement):
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                         autocommit=True) as conn:
        conn.execute(statement)


def create_database(db_kind, scale, workdir):
    if db_kind == "sqlite":
        return "sqlite:///" + str(workdir / "bench.db")
    name = f"jobfair_bench_{_scale_tag(scale)}_{os.getpid()}"
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name}")
    return f"{POSTGRES_SERVER}/{name}"


def drop_database(db_kind, database_url):
    if db_kind == "postgresql":
        name = database_url.rsplit("/", 1)[1]
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fill(database_url, scale):
    """bench.datagen.fill when it exists; else an empty migrated database."""
    try:
        datagen = importlib.import_module("bench.datagen")
    except ImportError:
        datagen = None
    if datagen is not None and hasattr(datagen, "fill"):
        return datagen.fill(database_url, scale)
    from flask_migrate import upgrade

    from .people import bench_app

    app = bench_app(database_url)
    with app.app_context():
        upgrade()
    return {"note": "bench/datagen.py missing: empty database"}


# --- The served scenarios -----------------------------------------------------------------------


def served(ctx, scenarios):
    from . import people, servers, traffic

    env = servers.server_env(ctx.database_url, ctx.workdir)
    ctx.servers["app"] = servers.start("app", "app:app", env, ctx.workdir)
    ctx.servers["ceiling"] = servers.start("ceiling", "bench.ceiling:app", env, ctx.workdir)
    try:
        started = time.monotonic()
        people.prepare(ctx, ctx.servers["app"].url,
                       candidates_with_password=traffic.crowd(ctx.quick),
                       badges=traffic.badges(ctx.quick))
        ctx.log(f"people, fairs and logins ready in {time.monotonic() - started:.1f} s")
        return traffic.measure_all(ctx, scenarios)
    finally:
        for server in ctx.servers.values():
            server.stop()
        ctx.servers.clear()
        people.release(ctx)


def in_process(ctx, name):
    try:
        module = importlib.import_module(f"bench.{name}")
    except ImportError as error:
        ctx.log(f"{name}: not available ({error})")
        return []
    return list(module.run(ctx))


def main(argv=None):
    args = parse(argv)
    started = time.monotonic()
    machine = report.machine()
    results, data = [], {}
    combos = [(d, s) for d in args.dbs for s in args.scale_list]
    for index, (db_kind, scale) in enumerate(combos):
        workdir = Path(tempfile.mkdtemp(prefix=f"jobfair-bench-{db_kind}-"))
        database_url = create_database(db_kind, scale, workdir)
        try:
            t = time.monotonic()
            summary = fill(database_url, scale)
            log(f"{db_kind} {scale:g}x filled in {time.monotonic() - t:.1f} s")
            data[(db_kind, scale)] = summary
            ctx = Context(db_kind=db_kind, database_url=database_url, scale=scale,
                          data=summary, runs=args.runs, workdir=workdir, quick=args.quick)
            # The rush and the entrance make fairs of their own: the data size only deepens
            # the indexes around them, so they run at the largest scale (the national one).
            wanted = [s for s in args.scenarios if s in SERVED]
            if wanted and scale == args.scale_list[-1]:
                ctx.runs = args.served_runs
                results += [(db_kind, scale, f) for f in served(ctx, wanted)]
                ctx.runs = args.runs
            if OPENING in args.scenarios and scale == args.scale_list[-1]:
                ctx.runs = args.served_runs
                results += [(db_kind, scale, f) for f in in_process(ctx, OPENING)]
                ctx.runs = args.runs
            last = index == len(combos) - 1
            for name in (s for s in args.scenarios if s in IN_PROCESS):
                module_when = WHEN.get(name, "every")
                try:
                    module_when = getattr(importlib.import_module(f"bench.{name}"), "WHEN",
                                          module_when)
                except ImportError:
                    pass
                if module_when == "once" and not last:
                    continue
                t = time.monotonic()
                results += [(db_kind, scale, f) for f in in_process(ctx, name)]
                ctx.log(f"{name} done in {time.monotonic() - t:.1f} s")
        finally:
            drop_database(db_kind, database_url)
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.monotonic() - started
    load = report.machine()["Load average when the run started (1/5/15 min)"]
    machine["Load average when the run ended (1/5/15 min)"] = load
    output = Path(args.output) if args.output else (
        Path(tempfile.gettempdir()) / "BENCHMARKS-quick.md" if args.quick
        else PROJECT_ROOT / "docs" / "BENCHMARKS.md")
    command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report.render(machine, data, results, args, elapsed, command.strip()))
    # The raw figures too, to re-render the document without measuring again.
    raw = Path(tempfile.gettempdir()) / f"{output.stem}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    raw.write_text(report.dump(machine, data, results, args, elapsed, command.strip()))
    log(f"raw figures in {raw} (python -m bench.report {raw} {output} renders them again)")
    log(f"done in {elapsed / 60:.1f} min; report written to {output}")
    missed = [f for _, _, f in results if f.met is False]
    if missed:
        log(f"{len(missed)} figure(s) miss their target (see the report)")


if __name__ == "__main__":
    main()
