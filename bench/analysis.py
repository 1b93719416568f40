"""Where the time goes, for the targets missed: written from profiles, shown in BENCHMARKS.md.

The figures in the tables come from the run; the profile figures here were measured with
pyinstrument and a statement counter (``before_cursor_execute``) on the same requests, in
process (Flask's test client), on the same fair shapes as the rush and the entrance.
"""

TEXT = """
### Issue 15: before → after

Before: the run of 2026-11-29 (the one the issue quotes). After: the run above (2026-12-03,
evening; the 15,000-candidate data set at 1×). **The machine was slower this time**: the bare
endpoint answered 2,273 req/s against 3,283 in the morning run of the same day, and the
walk-in queue's poll, whose code did not change, cost 9.97 / 13.9 ms of worker CPU (SQLite /
PostgreSQL) against 6.29 / 8.71 ms in the morning — about 1.6 × more CPU for the same work. So
absolute milliseconds do not compare across runs; the ratios to the bare transaction of the
same run and "app CPU ÷ bare CPU" do. Targets are the issue's.

| Figure | SQLite before | SQLite after | PostgreSQL before | PostgreSQL after | Target | Met |
|---|---:|---:|---:|---:|---|---|
| Booking: worker CPU per request | 9.18 ms | 2.98 ms | 14.5 ms | 5.42 ms | ≤ 2 / ≤ 3 ms | no |
| Booking: app CPU ÷ bare CPU (same run) | 55 × | 9.1 × | 42 × | 8.2 × | | |
| Booking: ratio to the bare transaction | 0.042 × | 0.214 × | 0.048 × | 0.103 × | ≥ 0.25 × | no |
| Booking rush: latency p95 | 85.2 ms | 31.9 ms | 108 ms | 90.4 ms | < 100 ms | yes |
| Booking rush: wait from the opening, p95 | 3.08 s | 1.16 s | 5.61 s | 4.32 s | | |
| Opening of a 4,000-candidate fair: everyone answered, p95 | — | 66.7 s | — | 143 s | ≤ 10 s | no |
| … the same plan on the bare transaction | — | 11.1 s | — | 18.5 s | | |
| Scan: worker CPU per request | 4.87 ms | 4.48 ms | 7.33 ms | 5.68 ms | ≤ 1.5 ms | no |
| Scan: app CPU ÷ bare CPU (same run) | 18 × | 10.5 × | 19 × | 8.5 × | | |
| Scan: ratio to the bare transaction | 0.073 × | 0.160 × | 0.106 × | 0.190 × | ≥ 0.25 × | no |
| Entrance line: latency p95 | 81.6 ms | 34.9 ms | 56.3 ms | 48.0 ms | < 50 ms | yes |
| Scan: SQL statements, first scan (pages, 1×) | 12 | 8¹ | 11 | 6 | | |
| Scan in process (pages, 1×): CPU p50 | 3.7 ms | 4.9 ms | 5.7 ms | 5.5 ms | | |
| Insertion dashboard p95 (1×) | 1,336 ms | 152 ms | 1,425 ms | 149 ms | < 50 ms | no |
| Insertion drill-down, one fair's known outcomes p95 (1×) | ≈ 4 s² | 8.7 ms | ≈ 4 s² | 12.0 ms | < 50 ms | yes |
| Insertion drill-down, every inserted candidate p95 (1×) | ≈ 4 s² | 91.4 ms³ | ≈ 4 s² | 80.2 ms³ | < 50 ms | no |
| Rules broken afterwards (rush, line, opening) | 0 | 0 | 0 | 0 | 0 | yes |

¹ Two transactions on SQLite: the reads deferred, then `BEGIN IMMEDIATE` for the two INSERTs
and the commit (`database.reads_first`), so the write lock is no longer held during the
reads. ² 2026-12-02, in process, before `insertion_outcomes` (the drill-downs were not in
bench/pages.py on 2026-11-29). ³ A page of 50 rows (the list is paged now); it was every
matching candidate in one page.

The same run in the morning of 2026-12-03 (before this session's changes, faster machine)
gave booking 6.00 / 4.52 ms, ratio 0.090 × / 0.141 ×; scan 8.72 / 6.08 ms, ratio 0.051 × /
0.112 ×, line p95 125 / 45 ms; dashboard p95 272 / 210 ms; every-inserted drill-down 1,562 /
1,736 ms. Against it, on a slower machine, SQLite's booking and both lines more than doubled
their ratio. **PostgreSQL's booking ratio did not improve** (0.141 → 0.103 ×): its rush answered
123 req/s with the workers at 60 % of a core (116 % in the morning), so the workers wait on the
database, not on their CPU; the next thing to read is the PostgreSQL plan of the booking POST's
single read (`booking/lean.py`) at 1× with EXPLAIN ANALYZE.

**The round's publication** (Round, big fair) took 20.4 s in this run against 8.7 s in the
morning: the run measured a tree that added the publication's bookings to
`insertion_outcomes` one statement (compiled afresh) per booking; that was changed right after
the run to one statement for the whole publication, not yet measured.

**Everything else** (the Pages and Exports tables, 1×): the same number of SQL statements, or
fewer (the drill-downs 8 → 9 / 4 on SQLite: the page's COUNT and its rows), except the scanner
on SQLite (7 → 8, the second `BEGIN`). Times of code that did not change moved with the
machine (× 1.3–1.7): on PostgreSQL the directory (51.5 ms), the live dashboard (54.1 ms), the
candidate list (90.3 ms) and the walk-in queue's position answer (91.3 ms p95, CPU per poll
8.71 → 13.9 ms, its code unchanged) are over their 50 ms targets in this run. A run of the old
tree beside the new one on a quiet machine would settle how much is the machine.

What changed for it this session: the booking POST reads candidate, slot, company, fair,
invitation and its nonce's earlier booking in one Core statement, writes in Core (`INSERT … ON
CONFLICT DO NOTHING RETURNING`, no SAVEPOINT) and gets the signed-in account as a
`SessionUser` built from a Core row (`booking/lean.py`, `auth/access.py`); the scan reads
badge, fair and interviews as plain columns, writes the check-in and its audit row in Core
with a statement compiled once, builds its labels once per language and formats times once per
minute, and on SQLite holds the write lock only for its writes (`checkin/statements.py`,
`database.reads_first`); `insertion_outcomes` holds who counts (one row per fair and candidate
that counts, kept by every writer), so the dashboard reads one table, and the drill-downs are
paged in SQL (`insertion/drilldown.py`).

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

The figures come from `insertion_outcomes` alone: one row per (fair, candidate) that counts
(invited, booked, met, with an outcome or an answer), its status unknown until an outcome or an
answer resolves it, written in the same transaction by every writer (bookings, cancellations,
the waitlist, the round's publication, leads, a fair's cohorts, imports, a candidate's cohort,
outcomes, answers) and checked against the full recompute by tests/test_insertion_table.py on
both databases, after random writes through each of those services. What is left at 1× (≈
45,000 rows): four GROUP BY scans of the table and the per-company counts, ≈ 15–45 ms each,
and the template ≈ 30 ms. Under 50 ms would need the groups' totals kept too (a row per group
and fair, updated by the same writers) — not done. The drill-downs select their page of 50 in
SQL with the number's own predicate; the all-fairs list still sorts every matching row by name
before taking its page (an index on the sort would help).

### Walk-in queue

300 phones polling every 5 s ask for 55 polls a second; a poll costs 10 / 14 ms of worker CPU
in this run (6–9 ms in the morning run: the code did not change, the machine did; 10
statements: the user, the candidate, the fair and its cohorts, the booth's participation, the
candidate's live entries, the place, the minutes per person, the interviews soon), so the line
uses most of a core and the position answer's p95 is 28 ms (SQLite) / 91 ms (PostgreSQL, 36 ms
in the morning). The poll would be the next to get the lean user and one Core read.

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
