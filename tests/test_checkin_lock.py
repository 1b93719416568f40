"""SQLite: a scan holds the write lock for its writes only (database.reads_first).

The entrance line's scans queue for SQLite's single writer. A scan reads first (the staff
member, the fair, the badge and its holder, the interviews) in a deferred transaction, then
takes the lock for the check-in and its audit row. Another door's write during those reads
neither waits for this scan nor makes it fail: its write transaction starts afresh with
BEGIN IMMEDIATE (no read snapshot to be overtaken, so no "busy snapshot" to retry).
"""
import secrets

import pytest
from sqlalchemy import event, select

from jobfair import database
from jobfair.extensions import db
from jobfair.models import AuditEvent, CheckIn, utcnow

from .test_checkin import live_checkins, scan, status_of, world  # noqa: F401 (fixture)


@pytest.fixture
def sqlite_only(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's write lock")


@pytest.fixture
def statements(app):
    """What the app sends to the database, COMMITs included, in order."""
    seen = []

    def statement(conn, cursor, sql, parameters, context, executemany):
        seen.append(" ".join(sql.split()))

    def commit(conn):
        seen.append("COMMIT")

    engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    yield seen
    event.remove(engine, "before_cursor_execute", statement)
    event.remove(engine, "commit", commit)


def test_a_scan_reads_without_the_write_lock_and_holds_it_for_its_two_inserts(
        sqlite_only, auth, world, statements):
    auth.login_as(world.staff)
    token = world.badge.token
    statements.clear()
    response = scan(auth, world, token)  # a GET for the CSRF token, then the scan's POST
    assert status_of(response) == "checked_in"
    assert b"Atlas Digital" in response.data  # the interviews were read, before the lock
    badge_read = next(i for i, s in enumerate(statements) if "FROM badges JOIN users" in s)
    began = max(i for i in range(badge_read) if statements[i].startswith("BEGIN"))
    assert statements[began] == "BEGIN"  # deferred: the staff member, the fair, the badge
    locked = statements.index("BEGIN IMMEDIATE", badge_read)
    assert any("FROM bookings" in s for s in statements[badge_read:locked])
    unlocked = statements.index("COMMIT", locked)
    writes = statements[locked + 1:unlocked]
    assert [w.split()[:3] for w in writes] == [["INSERT", "INTO", "checkins"],
                                               ["INSERT", "INTO", "audit_events"]]
    assert statements[unlocked + 1:] == []  # the answer is rendered without the database


def test_another_doors_write_during_a_scans_reads_neither_waits_nor_fails_it(
        sqlite_only, make, auth, world):
    other = make.bookable_candidate(world.cohort, email="yassine@example.ma")
    db.session.commit()
    other_id, fair_id, token = other.id, world.fair.id, world.badge.token
    auth.login_as(world.staff)
    written = []

    def another_door(conn, cursor, sql, parameters, context, executemany):
        # Once the scan has read the badge (its read transaction is open), another door
        # checks someone else in and commits: with the lock taken at the first statement
        # this write would wait for the scan (which waits for it: a 10 s timeout).
        if written or "FROM badges JOIN users" not in sql:
            return
        token = database.set_write_intent(True)
        try:
            with db.engine.begin() as door:
                door.execute(CheckIn.__table__.insert().values(
                    fair_id=fair_id, user_id=other_id, kind="entry", checked_in_at=utcnow(),
                    recorded_at=utcnow(), nonce=secrets.token_hex(8)))
        finally:
            database.reset_write_intent(token)
        written.append(True)

    event.listen(db.engine, "after_cursor_execute", another_door)
    try:
        response = scan(auth, world, token)
    finally:
        event.remove(db.engine, "after_cursor_execute", another_door)
    assert written and status_of(response) == "checked_in"
    assert {c.user_id for c in live_checkins(world)} == {world.person.id, other_id}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checkin.entry"))
