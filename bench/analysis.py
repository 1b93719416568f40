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

### Insertion dashboard: where the time goes

At national scale the page reads about 32,500 (fair, candidate) rows and about 80,000 facts
(bookings, leads, company outcomes, follow-up answers) in 7–8 queries — the count is constant
(tests/test_query_counts.py) — and resolves every row in Python with `insertion/rates.py`, the
single definition of the rates shared with the exports, the drill-down lists and the PDF
report. Profile (pyinstrument, one request, ≈ 1.0–1.3 s of CPU): ≈ 0.2 s fetching the rows,
0.1 s building them, 0.6 s for the four fact queries and resolving each row, 0.3 s for the
breakdowns and rendering. Fixed on the way: the per-company table asked every company about
every row (300 × 32,500 predicate calls, 93 % of the time: 13 s → 1.85 s of CPU), and the rows
are now built with the garbage collector paused (1.85 → 1.3 s).
What would meet < 50 ms: not resolving 32,500 rows per request. Either keep each row's
resolved outcome in a table, written by the services that change bookings, leads, outcomes
and answers (still computed by `rates.resolve()`), so the page counts about 100 groups in SQL;
or cache the page's figures per filter, keyed by a data version those same writes bump. Both
touch every writer of these facts, and a stale figure would break the promise that every
number equals the list behind it, so neither was done in a hurry.

### Company schedule

Its time grows with the slots one company shows, not with the national data: the page renders
every slot of the company with its actions (block, move, delete, attendance), each a small
form. The 0.1× data set has ≈ 83 slots per company, the national one ≈ 42, which is why the
smaller set is the slower one; on PostgreSQL with neighbours busy its p95 swings well above its
p50 (CPU p50 ≈ 30 ms). What would meet it everywhere: render each slot's move form on demand
(htmx, when its disclosure opens) instead of one WTForms form per slot.

### Exports: the full CSV

The target is "15,000-row CSV < 1 s": the export of the latest fairs (15,000 rows) meets it.
The unfiltered national export has one row per candidate *per fair held* — 32,500 rows — and
takes 1.1–1.4 s of CPU. Where its time goes (profile): reading the facts 20 %, looping over
them 20 %, `rates.resolve` 20 %, the base query and building rows 20 %, formatting lines 15 %,
the injection check 15 %, the csv writer 8 %. Fixed on the way: batch ids sent as one
parameter (an array on PostgreSQL, JSON on SQLite) instead of 130,000 bound parameters, fact
queries limited to the batch's fairs, answers read as plain columns, the garbage collector
frozen during the export (3.0 → 1.4 s). What would meet it for 32,500 rows: the per-row counts
and the latest answer computed in SQL, or the export split across both cores. XLSX is written by
XlsxWriter in constant-memory mode (openpyxl took 9 µs a cell: 8 s).
"""
