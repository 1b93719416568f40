"""Where the time goes, for the targets missed: written from profiles, shown in BENCHMARKS.md.

The figures in the tables come from the run; the profile figures here were measured with
pyinstrument and a statement counter (``before_cursor_execute``) on the same requests, in
process (Flask's test client), on the same fair shapes as the rush and the entrance.
"""

TEXT = """
### Issue 15: before → after

Before: the run of 2026-11-29 (the one the issue quotes). After: the run above (2026-12-04,
20:12 UTC; the 15,000-candidate data set at 1×). The machine's speed moves between runs (the
bare endpoint answered 3,283 req/s on the morning of 2026-12-03, 2,273 that evening, 3,023 in
this run), and between two runs of the same evening: a run an hour earlier on nearly the same
tree (the only code difference: an index, see below) gave booking 2.50 / 4.48 ms and scan
3.09 / 5.43 ms of worker CPU (SQLite / PostgreSQL) against 2.74 / 3.77 and 4.08 / 4.83 ms
here. So absolute milliseconds compare only roughly; the ratios to the bare transaction of the
same run and "app CPU ÷ bare CPU" do. Targets are the issue's.

| Figure | SQLite before | SQLite after | PostgreSQL before | PostgreSQL after | Target | Met |
|---|---:|---:|---:|---:|---|---|
| Booking: worker CPU per request | 9.18 ms | 2.74 ms | 14.5 ms | 3.77 ms | ≤ 2 / ≤ 3 ms | no |
| Booking: app CPU ÷ bare CPU (same run) | 55 × | 8.0 × | 42 × | 5.3 × | | |
| Booking: ratio to the bare transaction | 0.042 × | 0.223 × | 0.048 × | 0.134 × | ≥ 0.25 × | no |
| Booking rush: latency p95 | 85.2 ms | 26.8 ms | 108 ms | 63.9 ms | < 100 ms | yes |
| Booking rush: wait from the opening, p95 | 3.08 s | 1.03 s | 5.61 s | 3.19 s | | |
| Opening of a 4,000-candidate fair: everyone answered, p95 | — | 43.6 s | — | 103 s | ≤ 10 s | no |
| … the same plan on the bare transaction | — | 7.28 s | — | 11.7 s | | |
| Scan: worker CPU per request | 4.87 ms | 4.08 ms | 7.33 ms | 4.83 ms | ≤ 1.5 ms | no |
| Scan: app CPU ÷ bare CPU (same run) | 18 × | 13.9 × | 19 × | 9.4 × | | |
| Scan: ratio to the bare transaction | 0.073 × | 0.150 × | 0.106 × | 0.167 × | ≥ 0.25 × | no |
| Entrance line: latency p95 | 81.6 ms | 30.4 ms | 56.3 ms | 41.9 ms | < 50 ms | yes |
| Scan: SQL statements, first scan (pages, 1×) | 12 | 8¹ | 11 | 6 | | |
| Insertion dashboard p95 (1×) | 1,336 ms | 39.5 ms | 1,425 ms | 33.9 ms | < 50 ms | yes |
| Insertion drill-down, one fair's known outcomes p95 (1×) | ≈ 4 s² | 8.39 ms | ≈ 4 s² | 9.18 ms | < 50 ms | yes |
| Insertion drill-down, every inserted candidate p95 (1×) | ≈ 4 s² | 47.4 ms³ | ≈ 4 s² | 53.1 ms³ | < 50 ms | no⁴ |
| Rules broken afterwards (rush, line, opening) | 0 | 0 | 0 | 0 | 0 | yes |

¹ Two transactions on SQLite: the reads deferred, then `BEGIN IMMEDIATE` for the two INSERTs
and the commit (`database.reads_first`), so the write lock is no longer held during the
reads. ² 2026-12-02, in process, before `insertion_outcomes` (the drill-downs were not in
bench/pages.py on 2026-11-29). ³ A page of 50 rows (the list is paged now); it was every
matching candidate in one page. ⁴ CPU p50 22.0 ms on PostgreSQL: the p95 is the wait beside
the run's other requests (the earlier run of the evening: 50.6 ms; SQLite 28.7 ms there).

Against the previous run (2026-12-03, evening, before this session's changes): the insertion
dashboard 152 / 149 → 39.5 / 33.9 ms p95 (CPU p50 25.4 / 19.9 ms; the earlier run of this
evening: 23.5 / 34.8 ms), the every-inserted drill-down 91.4 / 80.2 → 47.4 / 53.1 ms, with the
same number of SQL statements (7 / 6 and 9 / 8). The booking's and the scan's code did not
change this session: their figures moved with the machine (booking ratio 0.214 / 0.103 →
0.223 / 0.134 ×). **PostgreSQL's booking ratio** stays under SQLite's: its rush workers run
below a core in all, so they wait on the database, not on their CPU; the next thing to read is
the PostgreSQL plan of the booking POST's single read (`booking/lean.py`) at 1× with EXPLAIN
ANALYZE.

**The round's publication** (Round, big fair: 5,291 bookings, 8,976 emails) took 10.6 s in this
run, 20.4 s in the previous one (it then added each booking's pair to `insertion_outcomes` with
its own statement; now one `refresh_membership` for the whole publication) and 8.7 s on the
morning of 2026-12-03 (before `insertion_outcomes` held who counts).

**Everything else** (the Pages and Exports tables, 1×): the same number of SQL statements.
The earlier run of this evening had an index on bookings (status, participation_id) for the
per-company counts: SQLite then read every active booking of every fair for the live
dashboard's "interviews now" (3.4 ms against 1.0 ms for that statement) and the live dashboard
took 53.4 ms p95; without it (this run, the code submitted) 34.4 / 41.8 ms. Over their targets
in this run, their code unchanged: the company schedule (75.1 / 80.4 ms, see below), the
candidate list on PostgreSQL (83.7 ms, CPU p50 17.9 ms) and the walk-in queue's position
answer on PostgreSQL (51.2 ms p95). The run started with the load average at 4.7 (a test run
stopped just before): the first minutes (SQLite, 0.1×) had company on the cores.

What changed for issue 15, in all: the booking POST reads candidate, slot, company, fair,
invitation and its nonce's earlier booking in one Core statement, writes in Core (`INSERT … ON
CONFLICT DO NOTHING RETURNING`, no SAVEPOINT) and gets the signed-in account as a
`SessionUser` built from a Core row (`booking/lean.py`, `auth/access.py`); the scan reads
badge, fair and interviews as plain columns, writes the check-in and its audit row in Core
with a statement compiled once, builds its labels once per language and formats times once per
minute, and on SQLite holds the write lock only for its writes (`checkin/statements.py`,
`database.reads_first`); `insertion_outcomes` holds who counts (one row per fair and candidate
that counts) and its totals per fair (`insertion_totals`, `insertion_follow_up_totals`,
`insertion_company_totals`), kept by every writer, so the dashboard sums a few thousand rows;
the drill-downs are paged in SQL, fair by fair (`insertion/drilldown.py`).

### Booking: where the time goes

Profile of the booking POST (cProfile over the test client, 20 companies × 5 slots, 300
candidates, 1,776 requests, 196 booked): in process 4.70 → 2.55 ms of CPU a request on SQLite
(a booking 8.1 → 6.4 ms, a "just taken" 4.3 → 2.1 ms) and 7.40 → 4.90 ms on PostgreSQL; a "just
taken" answer is two statements (the user, the request's one read). What is left is the fixed
cost of a Flask request (request context, the session cookie, CSRF ≈ 0.8 ms, the limiter's
check ≈ 0.1 ms, connection checkout and rollback), psycopg's per-statement CPU on PostgreSQL,
and for a booking the outbox row and the waitlist (still ORM); gunicorn adds ≈ 1.5 ms a request
on top of the in-process figure. 2 ms (SQLite) would need the booked path in Core too and a
cheaper request shell; nothing is cached (no per-worker copy of the fair's rules: one Core
row already reads them).

On SQLite the booking POST still takes the write lock from its first statement (`BEGIN
IMMEDIATE`); the scan's `reads_first` shows how to narrow it, not yet applied to the booking.

### The opening of a 4,000-candidate fair

16,444 requests arrive in the first second (4,000 candidates, 5 wishes each, stopping at 2
interviews; 8,100 places). Even the bare UPDATE + INSERT + COMMIT answers the last candidate
after 11.1 s (SQLite) / 18.5 s (PostgreSQL) on these 2 cores in this run (7.0 / 9.0 s in the
morning), against 66.7 / 143 s for the app: the 10 s target is beyond the machine's ceiling
itself, and at 5.0–7.0 ms of worker CPU a request the app needs 80–115 s of CPU for the crowd.
Two thirds of the requests are clicks on a slot already full, and the fair does not fill
(≈ 5,676 of 8,100 places): the answer to an opening of that size is the booking round of issue
12 — wishes during a window, one assignment (the big fair: 91 % of candidates with an interview
against 77 % for first-come on the same wishes, ≈ 3 s to solve), then first-come for what is
left.

### Scans: where the time goes

In process (cProfile over the test client, half the candidates with 2 interviews) a first scan
went from 10,705 to 5,827 Python function calls and ≈ 9–13 → 4.2–6.9 ms of CPU on SQLite
(≈ 10.5–18 → 5.7–7.9 ms on PostgreSQL) on a loaded machine. Where it goes now: the view 54 %
(the scan's logic 24 %, rendering the answer 21 %), the request's set-up 29 % (the user load
17 % — since given the `SessionUser` as the booking, after that profile —, CSRF 7 %, the
limiter 4 %), the rest Flask, Werkzeug and the session cookie. 1.5 ms is below what a Flask
request with a session, CSRF and a rendered answer costs on these cores; what remains to cut:
the repeat and retried scans' look-up of the first check-in (ORM, ≈ 12 % of the line), and the
name-search check-in and the kiosk, which still take SQLite's write lock from their first
statement.

### Insertion dashboard: where the time goes

The figures are sums over the totals of `insertion_outcomes` (one row per (fair, candidate)
that counts — invited, booked, met, with an outcome or an answer): per fair, cohort and
employer (the three rates' counters; region, operator, track and sector are joined), per fair
and follow-up statuses and days to hire (the 30/90/180-day table and the median), per fair
and company (interviews held, leads, offers, hires): ≈ 3,200 + 1,500 + 4,700 rows at 1×
instead of 45,000 pair rows and the bookings, leads and outcomes. Every writer (bookings,
cancellations, the waitlist, the round's publication, leads, attendance, a fair's cohorts,
imports, a candidate's cohort, outcomes, answers) keeps them in its own transaction:
a fair's totals are recounted (≈ 12 ms for a fair of 5,000 pairs, under a PostgreSQL advisory
lock on the fair; a race test shows two recounts at once without it count a row twice), a new
pair adds its rows of 1. tests/test_insertion_table.py checks every figure and every list page
against the full recompute on both databases, after random writes through each of those
services. What is left at 1× (in process, SQLite): ≈ 12 ms for the page without its
per-company table, ≈ 15 ms for the 300 companies' rows of that table. The drill-downs count
their rows per fair with the number's own predicate, then sort by name only the fairs the page
falls on.

### Walk-in queue

300 phones polling every 5 s ask for 55 polls a second; a poll costs 8.0 / 10.3 ms of worker CPU
(SQLite / PostgreSQL, closed loop) in this run (10 statements: the user, the candidate, the fair
and its cohorts, the booth's participation, the candidate's live entries, the place, the minutes
per person, the interviews soon), so on PostgreSQL the line uses most of a core and the position
answer's p95 is 51 ms (23 ms on SQLite; 67 ms on PostgreSQL in the earlier run of the
evening). The poll would be the next to get the lean user and one Core read, as the booking
and the scan did; not done (its authorization goes through the
candidate's ORM relationships, to be rewritten with it).

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
