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
time, PostgreSQL: one per slot row).

p95 < 100 ms at 8 requests in flight: on PostgreSQL it sits at the target on a quiet machine
(94 ms in a run with the machine to itself: 8 in flight × ≈ 12 ms of worker CPU per request,
on 2 cores) and misses it as soon as neighbours take CPU. On SQLite the median
request is faster but the tail is long (p99 ≈ 2.5 × p95): a POST's write transaction is
`BEGIN IMMEDIATE` from its first query (the login's user) to its commit, so the 4 workers
queue for SQLite's single write lock, and a waiting writer polls with SQLite's busy-handler
sleeps (1, 2, 5, 10 … 100 ms) instead of being woken when the lock frees. What would meet it:
a shorter write transaction (reads in a deferred transaction, `BEGIN IMMEDIATE` only around
the seat UPDATE and the INSERTs — a change to jobfair/database.py's per-request rule), or
fewer workers on SQLite, or PostgreSQL for a national rush.

### Entrance line: what was fixed, where the time goes

Fixed (jobfair/checkin/services.py, views.py): the scan's answer was read twice — the commit
expired every object of the session, so rendering the answer reloaded the staff member, the
fair, the person and the check-in, and the badge holder's profile, cohort and track came as
one lazy SELECT each. The badge is now loaded with its holder, profile, cohort and track in
one query, and the scan commits without expiring what the answer shows (it is what this very
transaction read and wrote); the nonce is looked up once, not twice; the fair's booths are
read only when the person has interviews to show: **23 → 13 SQL statements per first scan**
(≈ 15 % less CPU per scan in the profile after the first two changes, the line's throughput
went from ≈ 24 to ≈ 60 scans/s in the runs of the same loaded hour). Checked with tests/test_checkin.py and tests/test_checkin_races.py on SQLite and
PostgreSQL (every scan outcome, nonces, races between devices).

The 13 statements left: the user, the fair, its staff (may this person scan here), the
nonce, the badge with its holder, the fair's cohorts, the live check-in, SAVEPOINT / INSERT /
RELEASE, the audit row, the candidate's interviews (shown to the staff member); then the
result block. The workers spend ≈ 5–7 ms of CPU per scan against ≈ 0.3 ms for the bare
INSERT + COMMIT (see "Server CPU per request"). What would come closest to ≥ 0.5 × the bare
transaction: the INSERT first and the unique index deciding (a look-up only for repeats);
the fair's staff and cohorts cached per worker for the fair day; the audit row in the same
round trip; the result block rendered from plain values. That is 6–7 statements, still
several times the bare transaction's CPU: 0.5 × is out of reach for a Flask + ORM request.

The p95 < 50 ms: 8 devices in a closed loop on 2 cores wait for each other, so the latency is about 8 × the machine's CPU per scan
(workers + database + client) / 2 cores: ≈ 40 ms at p50 on PostgreSQL with the machine to
itself, p95 a little over 50 (54 ms in that run).
Each statement removed from the scan lowers it; on SQLite the busy-handler tail described
above adds the rest (p99 several times p95).
"""
