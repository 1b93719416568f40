"""Where the time goes, for the targets missed: written from profiles, shown in BENCHMARKS.md.

The figures in the tables come from the run; the profile figures here were measured with
pyinstrument and a statement counter (``before_cursor_execute``) on the same requests, in
process (Flask's test client), on the same fair shapes as the rush and the entrance.
"""

TEXT = """
### Issue 15: before → after

Before: the run of 2026-11-29 (the one the issue quotes). After: the run above (2026-12-03,
same kind of machine, same scenarios; the 15,000-candidate data set at 1×). **The machine was
slower this time**: the bare transactions, which did not change, ran at about half the
2026-11-29 rate (bare booking 2,264 vs ≈ 4,000 tx/s on SQLite), so absolute milliseconds do
not compare across the two columns; ratios to the bare transaction of the same run and
"app CPU ÷ bare CPU" do. Targets are the issue's.

| Figure | SQLite before | SQLite after | PostgreSQL before | PostgreSQL after | Target | Met |
|---|---:|---:|---:|---:|---|---|
| Booking: worker CPU per request | 9.18 ms | 6.00 ms | 14.5 ms | 4.52 ms | ≤ 2 / ≤ 3 ms | no |
| Booking: app CPU ÷ bare CPU (same run) | 55 × | 18 × | 42 × | 7.5 × | | |
| Booking: ratio to the bare transaction | 0.042 × | 0.090 × | 0.048 × | 0.141 × | ≥ 0.25 × | no |
| Booking rush: latency p95 | 85.2 ms | 84.4 ms | 108 ms | 46.3 ms | < 100 ms | yes |
| Booking rush: wait from the opening, p95 | 3.08 s | 2.75 s | 5.61 s | 2.00 s | | |
| Booking: SQL statements, booked / "just taken" | 36 / 21 | 11 / 5 | | | | |
| Opening of a 4,000-candidate fair: everyone answered, p95 | — | 83.4 s | — | 98.1 s | ≤ 10 s | no |
| … the same plan on the bare transaction | — | 7.0 s | — | 9.0 s | | |
| Scan: worker CPU per request | 4.87 ms | 8.72 ms | 7.33 ms | 6.08 ms | ≤ 1.5 ms | no |
| Scan: app CPU ÷ bare CPU (same run) | 18 × | 27 × | 19 × | 18 × | | |
| Scan: ratio to the bare transaction | 0.073 × | 0.051 × | 0.106 × | 0.112 × | ≥ 0.25 × | no |
| Entrance line: latency p95 | 81.6 ms | 125 ms | 56.3 ms | 45.1 ms | < 50 ms | PostgreSQL |
| Scan: SQL statements, first scan (pages, 1×) | 12 | 7 | 11 | 6 | | |
| Scan in process (pages, 1×): CPU p50 | 3.7 ms | 4.3 ms | 5.7 ms | 3.6 ms | | |
| Insertion dashboard p95 (1×) | 1,336 ms | 272 ms | 1,425 ms | 210 ms | < 50 ms | no |
| Insertion drill-down, one fair's known outcomes p95 (1×) | ≈ 4 s² | 5.6 ms | ≈ 4 s² | 20.4 ms | < 50 ms | yes |
| Insertion drill-down, every inserted candidate p95 (1×) | ≈ 4 s² | 1,562 ms | ≈ 4 s² | 1,736 ms | < 50 ms | no |
| Big fair's round publication (4,000 candidates) | 24.5 s¹ | 8.7 s | | 8.7 s | | |
| Rules broken afterwards (rush, line, opening) | 0 | 0 | 0 | 0 | 0 | yes |

¹ 2026-12-02, bench/round_fairs.py on a loaded machine (the emails and .ics were built in the
publication's transaction; the mail worker builds them now). ² 2026-12-02, in process, before
`insertion_outcomes` (the drill-downs were not in bench/pages.py on 2026-11-29).

**Everything else** (the Pages and Exports tables, 1×, before → after): the same number of
SQL statements or fewer, except one or two more on four pages, from features added since
2026-11-29 — directory 8 → 9 and my schedule 10 → 11 (the booking round's state), live
dashboard 7 → 8 (the walk-in queues' figures), company schedule 9 → 11. Times of code that did
not change moved with the machine: 1.1–1.5 × (candidate list 13.6 → 20.1 ms on SQLite, 36 →
56 ms on PostgreSQL, now over its 50 ms target; XLSX of every candidate 4.1 → 5.1 s, over its
5 s target). The live dashboard's refresh on SQLite grew more than that (10.9 → 24.6 ms, its
queue figures): still within its target. A run on a quiet machine of the old tree beside the
new one would settle how much is the machine.

What changed for it: the booking answer is its message alone and the list refreshes itself; one
loading statement built once per process; no statement after the commit; the confirmation
email and .ics written by the mail worker from the outbox row (`mail.queue_later`, 1.1–2.1 →
0.11–0.14 ms of the request); the scan inserts first (`ON CONFLICT DO NOTHING RETURNING`) and
looks up only when refused, the fair and the staff membership in one query; the insertion
dashboard counts `insertion_outcomes` in SQL; the fixes of the issue (outcome race, undo, name
search in SQL, slots' local time, booking nonces) are in the test suite.

### Booking: where the time goes

Profile of one booking request (cProfile over the test client, SQLite): a booking that
succeeds costs ≈ 6 ms of CPU with 10 statements, a "just taken" ≈ 3 ms with 3. SQLAlchemy is
about 45 % of it (building the ORM statement's entities from one row, cache keys, unit of
work), the rest spread over Flask and the session cookie (≈ 1.3 ms), the user load (≈ 1.4 ms),
CSRF (≈ 0.8 ms), the rate limiter (≈ 0.65 ms), the seat UPDATE + SAVEPOINT / INSERT / RELEASE,
the waitlist, the commit and the answer. Flask with one query and no session already costs
≈ 0.6 ms per request. 2 ms (SQLite) and 3 ms (PostgreSQL) are 6 × and 5 × this run's bare
transaction: out of reach for a Flask + SQLAlchemy ORM + WTForms request; what would come
closest is a booking POST in Core SQL (user, candidate, eligibility and the seat in two
statements), the fair's rules and the slot → company map cached per worker under a version,
and no rate limiter on that path (the seat UPDATE already serialises).

On SQLite the rush and the line are also bounded by the write lock: a POST's transaction is
`BEGIN IMMEDIATE` from its first statement (the session's user) to its commit, so the 4
workers queue for SQLite's single writer and a waiting writer polls with the busy handler's
sleeps (1, 2, 5, 10 … 100 ms) instead of being woken: the long p99 and, for the line, the
p95 above target. PostgreSQL meets both p95 targets in this run. What would help SQLite: reads
(user, fair, badge) in a deferred transaction and the write lock taken only around the INSERT
(jobfair/database.py's per-request rule, with a retry for `SQLITE_BUSY_SNAPSHOT`), or fewer
workers. A national fair day is PostgreSQL's job.

### The opening of a 4,000-candidate fair

16,444 requests arrive in the first second (4,000 candidates, 5 wishes each, stopping at 2
interviews; 8,100 places). Even the bare UPDATE + INSERT + COMMIT answers the last candidate
after 7.0 s (SQLite) / 9.0 s (PostgreSQL) on these 2 cores, against 83 / 98 s for the app: the
10 s target is the machine's ceiling, and at 5.5–6.8 ms of worker CPU a request the app needs
90–110 s of CPU for the crowd. At the CPU targets it would still need 33–49 s of worker CPU,
16–25 s on two cores: 10 s needs the targets and more cores. Two thirds of the requests are clicks on a slot already full, and
the fair does not fill (≈ 5,676 of 8,100 places, ≈ 560 candidates with nothing): the answer to
an opening of that size is the booking round of issue 12 — wishes during a window, one
assignment (the big fair: 91 % of candidates with an interview against 77 % for first-come on
the same wishes, 1.1 s to solve, 8.7 s to publish), then first-come for what is left.

### Scans: where the time goes

A first scan is now 6–7 statements (the user, the fair with the staff membership, the badge
with its holder, profile, cohort and whether the cohort is invited, the INSERT … RETURNING, the
audit row, the interviews shown to the staff member); a repeat adds the look-up of the first
check-in. In process the request costs ≈ 3.6–4.3 ms of CPU against ≈ 0.3 ms for the bare
INSERT + COMMIT: the ORM-enabled `INSERT … RETURNING` entity (≈ 25 % of the view), the
interviews (≈ 30 %, `live_bookings` with their slots, tables and companies), the answer's block
with its times formatted by Babel (≈ 20 %) and the fixed cost of a Flask-Login request. 1.5 ms
and 0.25 × are out of reach for the same reasons as the booking; the interviews could be
dropped from the entrance answer (the staff member rarely needs them) for ≈ 30 %.

### Insertion dashboard: where the time goes

The figures come from `insertion_outcomes` (one resolved row per fair and candidate with an
outcome or an answer, written in the same transaction as the facts, checked against the full
recompute by tests/test_insertion_table.py on both databases) counted with GROUP BY. What
costs is **who counts**: every (fair, candidate) pair that was
invited, booked, met, has an outcome or answered — a UNION over ≈ 110,000 rows of five tables,
computed per request (≈ 100–250 ms), and the per-company table (≈ 80 ms). What would meet
< 50 ms: keep the membership in the table too (a row per pair that counts, status unknown by
default), written by every writer of invitations (a fair's cohorts, a cohort's candidates,
imports), bookings, leads, outcomes and answers, with the property test extended to those
writers — a change to the booking hot path as well (one more statement per booking), which is
why it was not done in a hurry. A drill-down of one fair meets the target (5.6 / 20 ms); the
"inserted" drill-down of every fair lists several thousand candidates at 1× in one page: it
needs paging more than speed.

### Walk-in queue

300 phones polling every 5 s ask for 55 polls a second; a poll costs 6–9 ms of worker CPU
(10 statements: the user, the candidate, the fair and its cohorts, the booth's participation,
the candidate's live entries, the place, the minutes per person, the interviews soon), so the
line uses about half a core and the position answer's p95 is 23 ms (SQLite) / 36 ms
(PostgreSQL): the target is met. The closed loop shows the capacity (282 / 155 polls/s).

### Entrance line offline

All 8 devices uploading 2,300 scans at once (with repeats across doors and a batch sent
twice): 0 lost, 0 doubled, every conflict answered "already checked in" with the first door,
the queues empty in 5–6 s. A batch is decided in the order of its codes, so two doors' batches
holding the same badges take the unique index in one order (before, PostgreSQL could detect a
deadlock and the batch was answered 503 and sent again).

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
