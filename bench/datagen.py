"""Fill a database quickly with a national-scale programme (or a smaller one).

    fill("sqlite:////tmp/bench.db", scale=1.0)         # 15,000 candidates, 300 companies,
                                                       # 30 fairs, 50,000 slots
    python -m bench.datagen --url postgresql+psycopg://... --scale 0.1 --reset

The schema comes from the app's migrations; the rows are built in memory with explicit ids
(bench/datagen_rows.py: relations need no round trip) and written with one executemany per
table (SQLite) or COPY (PostgreSQL). Every account shares one password, hashed once (argon2 is slow on
purpose). The data respect every constraint of jobfair/models/ and the booking rules the
database cannot hold (one booking per company, at most ``max_bookings_per_candidate``, the
minimum gap): ``booked_count`` equals the slot's live bookings.

Fairs: 0 is live today (8 staff, badges for every invited candidate, some already checked
in), 1 is published with booking open now (half of its invited candidates have not booked:
``summary["rush_candidate_emails"]``), 2… a few more published, the rest closed in the past
with attendance, check-ins, leads, company outcomes and follow-up answers.
"""
import argparse
import json
import sys
import time as clock

from sqlalchemy import func, select, text

# PASSWORD is imported from here by the benchmarks.
from bench.datagen_rows import PASSWORD, Builder  # noqa: F401


def _complete(table, rows):
    """Every column of every row, defaults applied (COPY and executemany need the same keys)."""
    names = [c.name for c in table.columns]
    defaults = {}
    for column in table.columns:
        default = column.default
        if default is not None and default.is_scalar:
            defaults[column.name] = default.arg
        elif default is not None and default.is_callable:
            defaults[column.name] = default.arg(None)  # e.g. utcnow(): one instant is enough
    return names, [tuple(row.get(n, defaults.get(n)) for n in names) for row in rows]


def _write(connection, rows_by_table):
    from jobfair.extensions import db

    dialect = connection.dialect.name
    for table in db.metadata.sorted_tables:
        rows = rows_by_table.get(table.name)
        if not rows:
            continue
        names, values = _complete(table, rows)
        if dialect == "postgresql":
            cursor = connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            for start in range(0, len(values), 20000):
                connection.execute(table.insert(), [dict(zip(names, row))
                                                    for row in values[start:start + 20000]])
    if dialect == "postgresql":
        for table in db.metadata.sorted_tables:
            if "id" in table.columns and rows_by_table.get(table.name):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"))


def _reset_schema(db):
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def bench_app(database_url):
    """An app on ``database_url`` for benchmarks (no rate limit, mail kept in memory)."""
    from jobfair import create_app
    from jobfair.config import normalise_database_url

    return create_app({
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SECRET_KEY": "bench-secret-key", "ENV_NAME": "bench", "MAIL_BACKEND": "memory",
        "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": True,
    })


def fill(database_url: str, scale: float = 1.0, reset: bool = False, seed: int = 2026) -> dict:
    """Migrate ``database_url`` and fill it; returns counts per table and handy ids/emails.

    The database must be empty unless ``reset`` (which drops every table first).
    """
    from flask_migrate import upgrade

    from jobfair.extensions import db
    from jobfair.models import User

    app = bench_app(database_url)
    started = clock.perf_counter()
    with app.app_context():
        if reset:
            _reset_schema(db)
        upgrade()
        if db.session.scalar(select(func.count()).select_from(User)):
            raise RuntimeError(f"{database_url} already holds data: pass reset=True (--reset)")
        db.session.remove()
        builder = Builder(scale, seed)
        rows = builder.build()
        built = clock.perf_counter()
        with db.engine.begin() as connection:
            _write(connection, rows)
        from jobfair.insertion import table  # the dashboard's resolved outcomes, as the app keeps them

        table.rebuild()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("ANALYZE"))
        summary = builder.summary
        summary["counts"] = {t.name: db.session.scalar(select(func.count()).select_from(t))
                             for t in db.metadata.sorted_tables}
        summary["seconds"] = {"build": round(built - started, 2),
                              "write": round(clock.perf_counter() - built, 2)}
        db.session.remove()
        db.engine.dispose()
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy database URL")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = national, 0.1 = 10x smaller")
    parser.add_argument("--reset", action="store_true", help="drop every table first")
    args = parser.parse_args(argv)
    summary = fill(args.url, args.scale, reset=args.reset)
    long_lists = ("rush_candidate_emails", "free_slot_ids")
    shown = {k: v for k, v in summary.items() if k not in long_lists}
    shown["rush_candidates"] = len(summary["rush_candidate_emails"])
    shown["free_slots"] = len(summary["free_slot_ids"])
    json.dump(shown, sys.stdout, indent=2, default=str, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
