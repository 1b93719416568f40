"""Exports: the insertion export of every candidate (CSV and XLSX), seconds and peak memory.

The national data (``bench.datagen``, 15,000 candidates over 30 fairs) gives one row per
candidate per fair held: ~32,500 rows, the export an organizer gets with no filter. The app
is served as in production (gunicorn, ``bench.servers``, one sync worker: one download at a
time); a client logs in through the login form and downloads
``/organizer/insertion/export.csv`` (or ``.xlsx``), streamed, to the last byte.

- **Seconds**: from the request to the last byte, wall time; the worker's CPU time in the note.
- **Memory**: the worker's peak RSS (``VmHWM``). "Flat": from exporting one fair to exporting
  every fair, the peak grows less than the rows' own size as CSV text (at least 1 MB: the
  allocator's granularity), i.e. nothing holds the rows — as Python objects they would take
  several times that. The XLSX is compared with the CSV of the same rows (a zip is smaller
  than the data it holds). (Served, not through Flask's test client: the test client keeps the request's
  app context alive while the body is read, and hid a crash of the streamed export.)

    python -m bench.exports --url sqlite:////tmp/bench.db [--runs 3]
"""
import argparse
import http.cookiejar
import re
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil

from bench import servers

SECTION = "Exports"
TARGETS = {"csv": 1.0, "xlsx": 5.0}
URLS = {"csv": "/organizer/insertion/export.csv?form=excel-fr",
        "xlsx": "/organizer/insertion/export.xlsx?kind=candidates"}


class Client:
    """A browser-like client: cookies, and the login form with its CSRF token."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def login(self, email, password):
        page = self.opener.open(self.base_url + "/login").read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page)
        data = urllib.parse.urlencode({"email": email, "password": password,
                                       "csrf_token": token.group(1)}).encode()
        self.opener.open(self.base_url + "/login", data).read()

    def download(self, path):
        """(seconds, bytes, lines) of reading ``path`` to its last byte."""
        started = time.perf_counter()
        size = lines = 0
        with self.opener.open(self.base_url + path, timeout=300) as response:
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                lines += chunk.count(b"\r\n")
        return time.perf_counter() - started, size, lines


def _worker(server):
    (worker,) = psutil.Process(server.process.pid).children()
    return worker


def _peak_mb(process):
    """The process's peak resident memory so far (Linux ``VmHWM``)."""
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _cpu(process):
    times = process.cpu_times()
    return times.user + times.system


def measure(url, file_format, email, runs, one_fair, window, workdir):
    """One served app: an export of one fair, ``runs`` exports of the latest fairs (``window``,
    ~15,000 rows), then ``runs`` exports of every fair."""
    from bench.datagen import PASSWORD

    env = servers.server_env(url, workdir)
    server = servers.start(f"exports-{file_format}", "app:app", env, workdir, workers=1)
    try:
        worker = _worker(server)
        client = Client(server.url)
        client.login(email, PASSWORD)
        path = URLS[file_format]
        _seconds, _size, small_lines = client.download(f"{path}&fairs={one_fair}")
        small_peak = _peak_mb(worker)
        recent = []
        for _ in range(runs if window else 0):
            cpu = _cpu(worker)
            seconds, _size, lines = client.download(f"{path}&{window}")
            recent.append({"seconds": seconds, "cpu": _cpu(worker) - cpu, "lines": lines})
        results = []
        for _ in range(runs):
            cpu = _cpu(worker)
            seconds, size, lines = client.download(path)
            results.append({"seconds": seconds, "cpu": _cpu(worker) - cpu, "bytes": size,
                            "lines": lines, "peak_mb": _peak_mb(worker)})
        return small_peak, small_lines, recent, results
    finally:
        server.stop()


def _median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _sizes(url, wanted=15_000):
    """The unfiltered export's row count, one closed fair's id, and a date range of the most
    recent fairs held whose export holds about ``wanted`` rows (the issue's "15,000-row CSV":
    an organizer's export of the latest fairs), with its row count."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from bench.datagen import bench_app
    from jobfair.extensions import db
    from jobfair.insertion import queries
    from jobfair.models import Fair
    from jobfair.timeutil import local_today

    app = bench_app(url)
    with app.app_context():
        today = local_today()
        pairs = queries._pairs(queries.Filters(held_before=today))
        per_fair = db.session.execute(
            select(Fair.day, func.count()).select_from(pairs)
            .join(Fair, Fair.id == pairs.c.fair_id).group_by(Fair.id, Fair.day)
            .order_by(Fair.day.desc())).all()
        fair_id = db.session.scalar(select(Fair.id).where(Fair.status == "closed")
                                    .order_by(Fair.day.desc()).limit(1))
        db.session.remove()
        db.engine.dispose()
    total = sum(n for _day, n in per_fair)
    rows = 0
    since = today
    for day, n in per_fair:
        if rows >= wanted:
            break
        rows, since = rows + n, day
    window = f"date_from={since.isoformat()}&date_to={(today - timedelta(days=1)).isoformat()}"
    return total, fair_id, window, rows


def run(ctx):
    from bench.report import Figure

    email = (ctx.data.get("emails") or {}).get("organizer", ["organizer1@bench.jobfair"])[0]
    count, one_fair, window, recent_rows = _sizes(ctx.database_url)
    if recent_rows >= count:
        window = None  # a smaller data set: the latest fairs would be every fair
    runs = 1 if ctx.quick else max(1, ctx.runs)
    figures = []
    one_fair_rows = "?"
    rows_mb = None  # the CSV's size: the rows' own size, for both formats
    for file_format in ("csv", "xlsx"):  # CSV first: its line count gives one fair's rows
        small_peak, small_lines, recent, results = measure(
            ctx.database_url, file_format, email, runs, one_fair, window, ctx.workdir)
        ctx.log(f"export {file_format}: " + ", ".join(f"{r['seconds']:.2f} s" for r in results))
        if file_format == "csv":
            one_fair_rows = f"{small_lines - 1:,}"
        label = file_format.upper()
        seconds = [r["seconds"] for r in results]
        target = TARGETS[file_format]
        size_mb = results[0]["bytes"] / 2**20
        if rows_mb is None:
            rows_mb = size_mb
        growth = results[0]["peak_mb"] - small_peak
        allowed = max(rows_mb, 1.0)
        if recent:
            recent_seconds = [r["seconds"] for r in recent]
            figures.append(Figure(
                SECTION, f"{label}, latest fairs ({recent_rows:,} rows)", "s", recent_seconds,
                target=f"< {target:g} s", met=_median(recent_seconds) < target,
                note=f"worker CPU {_median([r['cpu'] for r in recent]):.2f} s; "
                     f"{window.replace('&', ', ')}"))
        figures += [
            Figure(SECTION, f"{label}, every candidate ({count:,} rows)", "s", seconds,
                   target=f"< {target:g} s", met=_median(seconds) < target,
                   note=f"worker CPU {_median([r['cpu'] for r in results]):.2f} s; "
                        f"{size_mb:.1f} MB; {ctx.db_kind}, scale {ctx.scale:g}"),
            Figure(SECTION, f"{label}, worker peak RSS", "MB", [r["peak_mb"] for r in results],
                   target="flat (grows < the rows' CSV size, min 1 MB)", met=growth < allowed,
                   note=f"{small_peak:.0f} MB after one fair's export "
                        f"({one_fair_rows} rows), "
                        f"+{growth:.1f} MB for every fair (allowed {allowed:.1f} MB)"),
        ]
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database filled by bench.datagen")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    from bench.report import Context

    kind = "postgresql" if args.url.startswith("postgresql") else "sqlite"
    with tempfile.TemporaryDirectory() as workdir:
        ctx = Context(db_kind=kind, database_url=args.url, scale=args.scale, data={},
                      runs=args.runs, workdir=Path(workdir), quick=args.quick)
        for figure in run(ctx):
            verdict = "" if figure.met is None else (" MET" if figure.met else " MISSED")
            print(f"{figure.name}: {figure.median:.2f} {figure.unit} "
                  f"({figure.low:.2f}–{figure.high:.2f}) target {figure.target or '-'}"
                  f"{verdict}  {figure.note}")


if __name__ == "__main__":
    main()
