"""Where the time goes, for the targets missed: written from profiles, shown in BENCHMARKS.md.

The figures in the tables come from the run; the profile figures here were measured with
pyinstrument and a statement counter (``before_cursor_execute``) on the same requests, in
process (Flask's test client), on the same fair shapes as the rush and the entrance.
"""

TEXT = """
### Booking rush: where the time goes

The rush is CPU-bound in the app's workers: compare "Server CPU per request (app)" with
"Server CPU per request (bare booking transaction)" in the table — the throughput ratio is
about the inverse of that CPU ratio, since the workers, the client and the database share
the same 2 cores. The htmx booking request (`POST /me/fairs/<f>/slots/<s>/book`, what the
company page's "Book" button sends) runs about **26 SQL statements** against the bare
transaction's 3:

- before any rule (≈ 40 % of the view's time in the profile): the user (Flask-Login), the candidate with
  cohort and track, the fair with its cohorts, the slot with its table, participation and
  company, then its prerequisite tracks and cohorts (two more SELECTs);
- the booking itself (≈ 15 %): the candidate's row lock, their live bookings, the conditional
  UPDATE, SAVEPOINT / INSERT / RELEASE, the waitlist UPDATE, and the confirmation email with
  its .ics built and written to the outbox inside the request;
- the answer (≈ 45 %): the company's slot list read again (participation and positions, the
  candidate's bookings, the free slots and their prerequisites, the waitlist entry) and
  rendered. Most answers of a rush are "This slot was just taken" (see the kinds in the
  errors row), and each costs as much as a booking, because the candidate is shown what is
  still free;
- around the view: Flask, the session cookie, the CSRF check. Flask with one query and no
  session already costs ≈ 0.6 ms of CPU per request (`/healthz`, in process)
  — about the whole budget of the bare transaction.

What would meet ≥ 0.5 × the bare transaction: the request would have to cost at most about
twice the bare transaction's CPU (see the table: a millisecond or two), which a Flask + ORM +
Jinja request cannot do. What would come closest, in order of gain: (1) a fast path for the
booking POST written in Core SQL — one statement for user + candidate + eligibility, the
fair's window, cohorts and slot → company map cached per worker (they do not change during a
rush; invalidated by a version column), the UPDATE + INSERT + outbox INSERT, and an answer that
is only the clicked row ("booked" / "taken"), the slot list refreshed by its own cached GET;
(2) the confirmation email and .ics rendered by the send-mail worker, not in the request;
(3) more cores: workers scale until the database serialises writers (SQLite: one writer at a
time, PostgreSQL: one per slot row). The p95 < 100 ms target at 8 requests in flight needs
each request under ≈ 25 ms of wall time; on this shared machine the workers got only a
fraction of the cores (see "Server CPU (all workers)") and queued behind each other.

### Entrance line: what was fixed, where the time goes

Fixed (jobfair/checkin/services.py, views.py): the scan's answer was read twice — the commit
expired every object of the session, so rendering the answer reloaded the staff member, the
fair, the person and the check-in, and the badge holder's profile, cohort and track came as
one lazy SELECT each. The badge is now loaded with its holder, profile, cohort and track in
one query, and the scan commits without expiring what the answer shows (it is what this very
transaction read and wrote): **23 → 15 SQL statements per scan**, ≈ 15 % less CPU per scan in
the profile. Checked with tests/test_checkin.py and tests/test_checkin_races.py on SQLite and
PostgreSQL (every scan outcome, nonces, races between devices).

The 15 statements left: the user, the fair, its staff (may this person scan here), the
nonce looked up twice, the badge with its holder, the fair's cohorts, the live check-in,
SAVEPOINT / INSERT / RELEASE, the audit row, the fair's booths and the candidate's interviews
(shown to the staff member). What would come closest to ≥ 0.5 × the bare INSERT + COMMIT:
one nonce look-up instead of two; the INSERT first and the unique index deciding (a look-up
only for repeats); the fair's staff, cohorts and booths cached per worker for the fair day;
the result block rendered from plain values. That is 6–7 statements, still several times the
bare transaction's CPU: 0.5 × is out of reach for a Flask + ORM request. The p95 < 50 ms is
a matter of CPU per scan and of the cores the workers get: with 8 devices on 4 workers a scan
waits for about one other, so p95 ≈ 2–3 × the CPU of a scan on a machine of its own.
"""
