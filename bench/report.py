"""Benchmark results and docs/BENCHMARKS.md.

THE INTERFACE every scenario module codes against (bench/pages.py, bench/badges.py,
bench/exports.py, bench/rush.py, bench/entrance.py):

    from bench.report import Context, Figure

    def run(ctx: Context) -> list[Figure]:
        ...

``ctx`` is built by the orchestrator (``python -m bench``) once per (database, scale):

    ctx.db_kind       "sqlite" | "postgresql"
    ctx.database_url  SQLAlchemy URL of a database already migrated and filled by
                      ``bench.datagen.fill(database_url, scale)`` at ``ctx.scale``
    ctx.scale         1.0 (national: 15,000 candidates…) or 0.1 (the 10× smaller set)
    ctx.data          the summary dict returned by ``fill`` (table -> row count, …)
    ctx.runs          how many times to repeat each measurement (one value per run)
    ctx.quick         True for the smoke run (``--quick``): do as little as shows it works
    ctx.workdir       a temporary directory (pathlib.Path) of this (database, scale), removed after
    ctx.ceilings      {"endpoint": req/s, "booking": tx/s, "checkin": tx/s} medians,
                      filled by the ceilings scenario before rush/entrance run (may be empty)
    ctx.servers       {"app": servers.Server, "ceiling": servers.Server} while they run
                      (gunicorn, same configuration); scenarios that need no server ignore it
    ctx.state         scratch space of the orchestrator's own scenarios (people, logins…)
    ctx.log(msg)      print a progress line (stderr)

A scenario returns ``Figure``s: one per measured quantity, ``values`` holding one
number per run (the report computes median and min–max). ``target`` is the target
as written in the issue ("< 50 ms", ">= 0.5 x bare booking transaction") and ``met``
whether the MEDIAN meets it (None when the figure has no target). ``note`` is a short
free text shown beside the figure (e.g. "queries: 7 at 0.1x, 7 at 1x").

    Figure(section="Pages", name="Directory p95", unit="ms", values=[12.1, 13.0, 11.8],
           target="< 50 ms", met=True)

The section names used in the document: "Ceilings", "Booking rush", "Entrance line",
"Entrance line offline", "Walk-in queue", "Pages", "Badges", "Exports" (a new section name
just appends a new table).

A module may also define ``ANALYSIS`` (Markdown, starting with a "### …" heading): where the
time goes for its missed targets; it is printed under "Targets missed, and why". A module
may define ``WHEN = "once"`` to run only once per ``make bench`` (last database, largest
scale) instead of on every (database, scale).
"""
from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Figure:
    section: str
    name: str
    unit: str
    values: list[float]
    target: str | None = None
    met: bool | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def low(self) -> float:
        return min(self.values) if self.values else float("nan")

    @property
    def high(self) -> float:
        return max(self.values) if self.values else float("nan")


@dataclass
class Context:
    db_kind: str
    database_url: str
    scale: float
    data: dict
    runs: int
    workdir: Path
    quick: bool = False
    ceilings: dict = field(default_factory=dict)
    servers: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)

    def log(self, message: str) -> None:
        print(f"[bench {self.db_kind} {self.scale:g}x] {message}", file=sys.stderr, flush=True)


# --- The machine ------------------------------------------------------------------------------


def machine() -> dict:
    """What the figures were measured on."""
    import os
    import platform
    import sqlite3
    from datetime import datetime, timezone

    import psutil

    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as conn:
            postgres = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # the report still says which one was missing
        postgres = f"unreachable ({type(error).__name__})"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return {
        "CPU": f"{model}",
        "Cores (logical)": str(os.cpu_count()),
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres,
        "Load average when the run started (1/5/15 min)": " / ".join(f"{x:.2f}" for x in load),
        "Date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


# --- The document -----------------------------------------------------------------------------

SECTIONS = ("Ceilings", "Booking rush", "Entrance line", "Entrance line offline", "Walk-in queue",
            "Pages", "Badges", "Exports")
DB_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
COUNTED = ("users", "candidates", "companies", "fairs", "participations", "slots", "bookings",
           "badges", "checkins")

METHOD = """\
- **Servers.** The app (`gunicorn app:app`) and the ceiling app (`bench/ceiling.py`) are served
  by the same gunicorn configuration: {workers} sync workers, backlog 2048, production config,
  no rate limit in the way (`LOGIN_RATE_LIMIT` raised; the rush and entrance do not go through
  any other limited route). Both run during the whole (database, scale) block; only one is
  busy at a time.
- **Client.** One load process of its own (`bench/load.py`: asyncio + aiohttp), started per
  measurement; at most {concurrency} requests in flight (2 per worker, like a front proxy's
  upstream pool); everyone else waits in the client, and that wait is reported apart.
  The same client, concurrency and request plan are used for a figure and its ceiling.
- **The 2 cores.** Nothing is pinned (no `os.sched_setaffinity`): the client, the 4 workers
  and the database share both cores. The client's CPU is measured in each figure ("Client
  CPU", in % of one core; for the ceilings it is in their note). For the app's rush and
  line it stays near 10 %: the client does not starve the server. For the ceilings it nears
  100 %: there ONE client process on one core is what limits, so the ceilings are those of
  this client + server on 2 cores, not of the server alone — the ratios are therefore
  *flattering* to the app. "Server CPU per request" (workers only) compares app and ceiling
  without the client: it is the sharper measure of where the time goes.
- **Ceilings, in the same run.** Each run measures, back to back: the bare endpoint, the bare
  booking transaction and the booking rush (alternating which goes first), the bare check-in
  transaction and the entrance line (alternating too). The bare transactions play the *same*
  wishes / scans against an identical fair of their own, doing only the SQL the operation
  cannot do without: `UPDATE slots SET booked_count = booked_count + 1 WHERE id = ? AND
  booked_count < capacity AND NOT is_blocked` + `INSERT INTO bookings` + `COMMIT`; and
  `INSERT INTO checkins` + `COMMIT` (SQLite: `BEGIN IMMEDIATE`, the app's pragmas).
  Ratios are computed inside each run, then summarised.
- **Booking rush.** 500 candidates (logged in through the real form beforehand: login is not
  the rush) all start at once on one fair of 20 companies × 5 slots = 100 places; each has up
  to {wishes} wishes (distinct companies and times, Zipf popularity: the star company's
  morning slots are the first wish of dozens) and stops at {want} interviews; on "slot taken"
  they move on to the next wish. Then the database is checked (capacity, `booked_count` =
  live bookings, at most the fair's maximum per candidate, one per company, no overlap,
  bookings = "booked" answers).
- **Entrance line.** 8 staff devices (8 staff accounts, logged in) scan 2,000 different
  badges of a live fair as fast as the server answers (a closed loop per device, the
  scanner's POST with a fresh nonce and `HX-Request`), plus 10 % repeats of a badge at another
  device and 2.5 % same-nonce retries. Then: exactly one live check-in per badge holder.
- **Entrance line offline** (bench/offline_entrance.py). The 8 devices download the manifest at
  once, decide every scan on the device from their own copy (as static/scanner-offline.js: the
  same badges, 10 % again at another door, 2.5 % again at the same door), then all upload at
  once to `…/scan/sync` in batches of 50 (JSON, `X-CSRFToken`), one device sending a batch
  twice. Then: check-ins = distinct badges, none doubled, the conflicts answered = the ones
  the plan makes, and every device's next delta shows every check-in.
- **Walk-in queue** (bench/walkin_queue.py). 300 logged-in candidates in 2 lines each at 20
  booths; each phone polls its place (the page's htmx block) at the page's interval while each
  booth calls "next" and "seen" every 6 s; then the same phones in a closed loop (capacity,
  beside the bare endpoint). Then: each booth saw exactly the first ones of its line.
- **Figures.** Each figure is measured once per run; the tables give the median over the runs
  and the spread (min–max). Latencies are per request (sent → answer read) at the client.
  A target is "met" when the median meets it.
"""


def _fmt(value):
    if value != value:  # NaN
        return "–"
    magnitude = abs(value)
    if value == int(value) and magnitude < 1e6:  # counts: 0, 12, 1,500
        return f"{int(value):,}"
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _data_table(data):
    rows = ["| Database | Data | " + " | ".join(COUNTED) + " | fill time |",
            "|---|---|" + "---:|" * (len(COUNTED) + 1)]
    for (db_kind, scale), summary in data.items():
        counts = summary.get("counts", {}) if isinstance(summary, dict) else {}
        seconds = summary.get("seconds", {}) if isinstance(summary, dict) else {}
        fill_time = sum(v for v in seconds.values() if isinstance(v, (int, float)))
        rows.append(f"| {DB_NAMES.get(db_kind, db_kind)} | {scale:g}× | "
                    + " | ".join(f"{counts[name]:,}" if name in counts else "–"
                                 for name in COUNTED)
                    + f" | {fill_time:.1f} s |")
    return "\n".join(rows)


def _results(results):
    sections = list(SECTIONS) + sorted({f.section for _, _, f in results} - set(SECTIONS))
    out = []
    for section in sections:
        rows = [(d, s, f) for d, s, f in results if f.section == section]
        if not rows:
            continue
        out += [f"### {section}", "",
                "| Figure | Database | Data | Median | Spread (min–max) | Runs | Target | Met | Note |",
                "|---|---|---|---:|---|---:|---|---|---|"]
        for db_kind, scale, f in rows:
            met = {True: "met", False: "**not met**", None: ""}[f.met]
            spread = f"{_fmt(f.low)}–{_fmt(f.high)}" if len(f.values) > 1 else ""
            out.append(f"| {_cell(f.name)} | {DB_NAMES.get(db_kind, db_kind)} | {scale:g}× | "
                       f"{_fmt(f.median)} {_cell(f.unit)} | {spread} | {len(f.values)} | "
                       f"{_cell(f.target or '')} | {met} | {_cell(f.note)} |")
        out.append("")
    return "\n".join(out)


def render(machine_info, data, results, args, elapsed, command, analysis=None):
    from . import entrance, rush, servers, traffic

    lines = [
        "# Benchmarks", "",
        f"Written by `make bench` (`{command}`) on {machine_info['Date']}; the whole run took "
        f"{elapsed / 60:.1f} min. Every figure below comes from that one run: do not edit "
        "by hand, run it again (`make bench`, options: `make bench BENCH_ARGS=--help`).", "",
        "These machines are shared: absolute figures move with the neighbours' load. What "
        "holds is the ratio to the ceilings measured in the same run, which is why every "
        "throughput is given as one.", "",
        "## Machine", "", "| | |", "|---|---|",
        *[f"| {k} | {_cell(v)} |" for k, v in machine_info.items()], "",
        "## How it is measured", "",
        METHOD.format(workers=servers.WORKERS, concurrency=traffic.CONCURRENCY,
                      wishes=rush.WISHES, want=rush.WANT), "",
        f"Runs per figure: {args.runs} ({args.served_runs} for the served scenarios: ceilings, "
        "booking rush, entrance line, which run at the largest scale only since they make "
        f"fairs of their own). Scenarios: {', '.join(args.scenarios)}.", "",
        "## Data", "", _data_table(data), "",
        "## Results", "", _results(results),
    ]
    missed = [(d, s, f) for d, s, f in results if f.met is False]
    lines += ["## Targets missed, and why", ""]
    if not missed:
        lines += ["Every figure with a target meets it.", ""]
    else:
        for db_kind, scale, f in missed:
            lines.append(f"- {f.section} — {f.name} ({DB_NAMES.get(db_kind, db_kind)}, "
                         f"{scale:g}×): {_fmt(f.median)} {f.unit}, target {f.target}.")
        lines.append("")
    import importlib

    from . import analysis as notes

    lines += [notes.TEXT.strip(), ""] if getattr(notes, "TEXT", "") else []
    # A scenario module may explain its own misses: a module-level ANALYSIS string.
    for name in ("pages", "badges", "exports"):
        try:
            text = getattr(importlib.import_module(f"bench.{name}"), "ANALYSIS", "")
        except ImportError:
            text = ""
        if text.strip():
            lines += [text.strip(), ""]
    return "\n".join(lines)


def dump(machine_info, data, results, args, elapsed, command):
    """The run as JSON (written beside the document): ``python -m bench.report FILE.json``
    renders the document again from it."""
    import json
    from dataclasses import asdict

    return json.dumps({
        "machine": machine_info, "elapsed": elapsed, "command": command,
        "args": {"runs": args.runs, "served_runs": args.served_runs,
                 "scenarios": args.scenarios},
        "data": [{"db": d, "scale": s, "summary": {k: v for k, v in summary.items()
                                                   if k in ("counts", "seconds")}}
                 for (d, s), summary in data.items()],
        "results": [{"db": d, "scale": s, "figure": asdict(f)} for d, s, f in results],
    }, indent=1, default=str)


def rerender(path):
    import json
    from types import SimpleNamespace

    saved = json.loads(Path(path).read_text())
    data = {(e["db"], e["scale"]): e["summary"] for e in saved["data"]}
    results = [(r["db"], r["scale"], Figure(**r["figure"])) for r in saved["results"]]
    return render(saved["machine"], data, results, SimpleNamespace(**saved["args"]),
                  saved["elapsed"], saved["command"])


if __name__ == "__main__":
    source = Path(sys.argv[1])
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else source.with_suffix(".md")
    target.write_text(rerender(source))
    print(f"written {target}")
