"""The round on the 15,000-candidate data set of ``make bench``, fair by fair (issue 12).

bench/datagen_rows.py's national programme (15,000 candidates in 60 cohorts, 300 companies, 30
fairs with their invited cohorts, approved companies and ~50,000 slots with their blocked and
track-only slots) is written to a SQLite database of its own, every fair moved ahead of today
with a round whose wish window has just closed (a round comes before first-come: the data
set's bookings and fair-day history are left out). One more fair is the big one of
bench/round.py in the database: 4,000 candidates (16 cohorts), 150 companies × 2 tables × 20
slots (6,000 places), one company in ten a star (31 times as wished for).

Wishes: every invited candidate with a CV (the app refuses wishes without one) ranks 5 of the
fair's companies, drawn by a Zipf popularity (weight 1/rank of a seeded shuffle of the
companies; the big fair: its stars); the company marks 20 % of its wishes "want to meet".
Then, per fair, the organizer's button: ``round.services.run_assignment`` (read the fair,
solve, simulate first-come on the same wishes, store the run with its figures), its wall time
and the process's peak RSS during it (VmHWM, reset before each fair); for the big fair also
``round.services.publish`` (one transaction: bookings, confirmation emails + .ics, the
"fewer than asked" emails), its wall time, bookings created and emails queued.

    python -m bench.round_fairs [--seed 42] [--time-limit 55]   # prints the JSON summary
    python -m bench --only round_fairs --db sqlite --scales 0.1     # as a scenario of the bench

As a scenario (``run``): once per ``make bench`` (it writes a database of its own), in a
subprocess (its peak RSS is its own), section "Booking round, fair by fair": each fair's
assignment time (target < 60 s, the organizer's button) and status, the big fair's
publication, and the issue's point-6 figures of the round beside first-come's on the same
wishes — overall and by region, training operator and track (cohorts: in the JSON).
"""
import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from bench.datagen_rows import SLOTS_PER_TABLE, Builder  # noqa: F401

BIG = {"cohorts": 16, "companies": 150, "tables": 2, "times": 20}
SHORTLISTED = 0.2
WISHES = 5
FIGURE_KEYS = ("candidates", "with_interview", "ranked", "first_wish", "top3",
               "shortlisted_pairs", "shortlisted_met", "places", "places_empty", "interviews")


def _reset_peak():
    """Reset the process's peak RSS (Linux ≥ 4.0); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return None


class RoundData(Builder):
    """The data set's programme, companies, fairs and slots, every fair ahead with a round."""

    def __init__(self, seed=2026, wish_seed=42):
        super().__init__(1.0, seed)
        self.wish_rng = random.Random(wish_seed)

    def build(self):
        from jobfair.timeutil import local_to_utc

        self.programme()
        self.companies()
        self.fairs()
        self.big_fair()
        for number, (fair, row) in enumerate(zip(self.fair_list, self.rows["fairs"])):
            day = self.today + timedelta(days=30 + number)
            fair["day"] = row["day"] = day
        self.participations()
        self.big_slots()
        opens = self.now + timedelta(days=2)
        for fair, row in zip(self.fair_list, self.rows["fairs"]):
            row.update(status="published", booking_opens_at=opens,
                       booking_closes_at=local_to_utc(fair["day"] - timedelta(days=1), time_(20)),
                       cancellation_deadline=local_to_utc(fair["day"] - timedelta(days=1),
                                                          time_(18)))
        self.rounds()
        return self.rows

    def big_fair(self):
        """The fair of bench/round.py, as one more fair of the data set (its slots apart)."""
        from jobfair.timeutil import local_to_utc

        day = self.today + timedelta(days=30)
        fair_id = self.add(
            "fairs", name="JobInTech Grand Forum national", slug="bench-round-big",
            city="Casablanca", region="casablanca_settat", venue="Foire internationale",
            description="Le grand forum.", day=day, opens_at=time_(9), closes_at=time_(17),
            booking_opens_at=self.now, booking_closes_at=local_to_utc(day, time_(8)),
            cancellation_deadline=local_to_utc(day, time_(8)), max_bookings_per_candidate=3,
            min_gap_minutes=5, status="published", hall_rows=15, hall_cols=10,
            created_at=self.now)
        cohorts = [c[0] for c in self.cohorts[-BIG["cohorts"]:]]
        for cohort_id in cohorts:
            self.rows["fair_cohorts"].append({"fair_id": fair_id, "cohort_id": cohort_id})
        self.rows["fair_staff"].append({"fair_id": fair_id, "user_id": self.staff[0]})
        self.big = {"id": fair_id, "status": "big", "day": day, "opens": self.now,
                    "cohorts": cohorts, "companies": list(range(1, BIG["companies"] + 1)),
                    "index": len(self.fair_list), "big": True}
        # Kept out of fair_list while participations() spreads the data set's 50,000 slots.

    def big_slots(self):
        from jobfair.timeutil import local_to_utc, utc_offset_minutes

        fair = self.big
        fair["participations"] = []
        self.slots_of_fair[fair["id"]] = []
        for k, company_id in enumerate(fair["companies"]):
            part_id = self.add("participations", fair_id=fair["id"], company_id=company_id,
                               status="approved", requested_at=self.now - timedelta(days=20),
                               decided_at=self.now - timedelta(days=10),
                               decided_by_id=self.organizers[0])
            self.add("booths", fair_id=fair["id"], number=f"G{k + 1}", zone="G",
                     grid_row=k // 10, grid_col=k % 10, participation_id=part_id)
            fair["participations"].append((part_id, company_id))
            for table in range(BIG["tables"]):
                table_id = self.add("interview_tables", participation_id=part_id,
                                    name=f"Table {table + 1}")
                for index in range(BIG["times"]):
                    starts = local_to_utc(fair["day"], time_(9 + index // 3, 20 * (index % 3)))
                    self.add("slots", table_id=table_id, starts_at=starts,
                             ends_at=starts + timedelta(minutes=15), capacity=1, booked_count=0,
                             is_blocked=False, utc_offset_minutes=utc_offset_minutes(starts))
        self.fair_list.append(fair)
        # The fairs' rows are in id order: the big fair's row is the 31st, like its place here.

    def rounds(self):
        rng = self.wish_rng
        cv = {row["id"] for row in self.rows["candidates"] if row["cv_filename"]}
        self.round_of_fair = {}
        for fair in self.fair_list:
            round_id = self.add("booking_rounds", fair_id=fair["id"],
                                wishes_open_at=self.now - timedelta(days=7),
                                wishes_close_at=self.now - timedelta(minutes=1),
                                publish_at=self.now + timedelta(days=1), max_wishes=WISHES,
                                created_at=self.now - timedelta(days=8))
            self.round_of_fair[fair["id"]] = round_id
            parts = [p for p, _c in fair["participations"]]
            if fair.get("big"):  # one in ten a star, 31 times as wished for (bench/round.py)
                weights = [31 if k < len(parts) // 10 else 1 for k in range(len(parts))]
            else:  # Zipf: the k-th most popular company 1/k as wished for as the first
                order = list(range(len(parts)))
                rng.shuffle(order)
                weights = [1 / (1 + order[k]) for k in range(len(parts))]
            company_rep = {p: self.company_rep[c] for p, c in fair["participations"]}
            for cohort_id in fair["cohorts"]:
                for candidate_id in self.candidates_of_cohort[cohort_id]:
                    if candidate_id not in cv:
                        continue
                    chosen = []
                    while len(chosen) < min(WISHES, len(parts)):
                        pick = rng.choices(parts, weights)[0]
                        if pick not in chosen:
                            chosen.append(pick)
                    for rank, part_id in enumerate(chosen, start=1):
                        self.add("round_wishes", round_id=round_id, candidate_id=candidate_id,
                                 participation_id=part_id, rank=rank, created_at=self.now)
                        if rng.random() < SHORTLISTED:
                            self.add("round_shortlist_marks", round_id=round_id,
                                     participation_id=part_id, candidate_id=candidate_id,
                                     decision="meet", decided_by_id=company_rep[part_id],
                                     decided_at=self.now)


def time_(hour, minute=0):
    from datetime import time as clock_time

    return clock_time(hour, minute)


def fill(database_url, seed=2026, wish_seed=42):
    from flask_migrate import upgrade

    from bench.datagen import _write, bench_app
    from jobfair.extensions import db

    app = bench_app(database_url)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        db.session.remove()
        builder = RoundData(seed, wish_seed)
        rows = builder.build()
        with db.engine.begin() as connection:
            _write(connection, rows)
        db.engine.dispose()
    info = {"fill_seconds": round(time.perf_counter() - started, 1),
            "wishes": len(rows["round_wishes"]), "marks": len(rows["round_shortlist_marks"]),
            "fairs": [{"fair_id": f["id"], "round_id": builder.round_of_fair[f["id"]],
                       "big": bool(f.get("big")), "city": row["city"], "name": row["name"],
                       "cohorts": len(f["cohorts"]), "companies": len(f["participations"])}
                      for f, row in zip(builder.fair_list, rows["fairs"])]}
    return app, info


def _strip(figures):
    return {k: figures[k] for k in FIGURE_KEYS}


def run_fairs(database_url, seed=42, time_limit=55.0, log=print):
    """Every fair's run (and the big fair's publication): the JSON-ready summary."""
    from flask_babel import force_locale
    from sqlalchemy import func, select

    from jobfair.extensions import db
    from jobfair.models import AssignmentRun, BookingRound, Booking, OutboxMessage, User
    from jobfair.round import services

    started = time.perf_counter()
    app, info = fill(database_url, wish_seed=seed)
    log(f"round data set written in {info['fill_seconds']} s: {info['wishes']:,} wishes, "
        f"{info['marks']:,} shortlist marks, {len(info['fairs'])} fairs")
    fairs, groups = [], defaultdict(lambda: defaultdict(lambda: defaultdict(
        lambda: defaultdict(int))))
    resettable = _reset_peak()
    with app.test_request_context(), force_locale("fr"):
        organizer_id = db.session.scalar(select(User.id).where(User.role == "organizer")
                                         .limit(1))
        for entry in info["fairs"]:
            organizer = db.session.get(User, organizer_id)
            booking_round = db.session.get(BookingRound, entry["round_id"])
            _reset_peak()
            t = time.perf_counter()
            run = services.run_assignment(booking_round, organizer, seed, time_limit)
            seconds = time.perf_counter() - t
            row = dict(entry, status=run.solver_status, solve_seconds=run.seconds,
                       run_seconds=round(seconds, 2),
                       peak_rss_mb=_peak_mb() if resettable else None,
                       round=_strip(run.figures["round"]),
                       first_come=_strip(run.figures["first_come"]))
            for side in ("round", "first_come"):
                for dimension, rows in run.figures[side]["groups"].items():
                    for group in rows:
                        counts = groups[side][dimension][group["label"]]
                        for key, value in group.items():
                            if key != "label":
                                counts[key] += value
            if entry["big"]:
                outbox = db.session.scalar(select(func.count()).select_from(OutboxMessage))
                t = time.perf_counter()
                made = services.publish(booking_round, run, organizer)
                db.session.commit()
                row["publish_seconds"] = round(time.perf_counter() - t, 2)
                row["bookings_created"] = len(made)
                row["emails_queued"] = db.session.scalar(
                    select(func.count()).select_from(OutboxMessage)) - outbox
                row["bookings_in_db"] = db.session.scalar(
                    select(func.count()).select_from(Booking))
            db.session.expunge_all()
            fairs.append(row)
            log(f"{entry['name']}: {row['round']['candidates']:,} candidates, "
                f"{row['round']['places']:,} places, {row['status']} in {row['run_seconds']} s"
                + (f", published in {row['publish_seconds']} s" if entry["big"] else ""))
        assert db.session.scalar(select(func.count()).select_from(AssignmentRun)) == len(fairs)
        db.session.remove()  # inside the context: outside it there is no session to remove
    national = [f for f in fairs if not f["big"]]
    total = {side: {k: sum(f[side][k] for f in national) for k in FIGURE_KEYS}
             for side in ("round", "first_come")}
    return {"fairs": fairs, "total": total,
            "total_run_seconds": round(sum(f["run_seconds"] for f in national), 1),
            "groups": {side: {d: {label: dict(c) for label, c in by.items()}
                              for d, by in dims.items()} for side, dims in groups.items()},
            "wishes": info["wishes"], "marks": info["marks"],
            "fill_seconds": info["fill_seconds"],
            "seconds": round(time.perf_counter() - started, 1)}


SECTION = "Booking round, fair by fair"
WHEN = "once"  # a database of its own: the last database at the largest scale (bench/__main__.py)
TARGET_SECONDS = 60.0


def measure(argv=()):
    """The whole run in a fresh process: its JSON summary (the last line it prints)."""
    import subprocess

    from bench.round import PROJECT_ROOT

    command = [sys.executable, "-m", "bench.round_fairs", *argv]
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            cwd=PROJECT_ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def _percent(counts, part, whole):
    return 100.0 * counts[part] / counts[whole] if counts.get(whole) else float("nan")


def figures(summary):
    """The report's figures of one run's summary."""
    from bench.report import Figure
    from bench.round import FIGURES
    from jobfair.labels import REGION

    national = [f for f in summary["fairs"] if not f["big"]]
    big = [f for f in summary["fairs"] if f["big"]]
    statuses = sorted({f["status"] for f in national})
    seconds = [f["run_seconds"] for f in national]
    sizes = sorted(f["round"]["candidates"] for f in national)
    out = [Figure(SECTION, f"Assignment of one fair ({len(national)} fairs, "
                           f"{sizes[0]:,}–{sizes[-1]:,} candidates × 5 wishes)", "s", seconds,
                  target=f"< {TARGET_SECONDS:g} s each", met=max(seconds) < TARGET_SECONDS,
                  note="spread = the fastest and slowest fair; status: " + ", ".join(
                      f"{sum(1 for f in national if f['status'] == s)} {s}" for s in statuses)),
           Figure(SECTION, "Peak RSS during one fair's assignment", "MB",
                  [f["peak_rss_mb"] for f in national if f.get("peak_rss_mb")])]
    for fair in big:
        out += [Figure(SECTION, f"Big fair ({fair['round']['candidates']:,} candidates, "
                                f"{fair['round']['places']:,} places): assignment", "s",
                       [fair["run_seconds"]], target=f"< {TARGET_SECONDS:g} s",
                       met=fair["run_seconds"] < TARGET_SECONDS, note=fair["status"]),
                Figure(SECTION, "Big fair: publication (one transaction)", "s",
                       [fair["publish_seconds"]],
                       note=f"{fair['bookings_created']:,} bookings, "
                            f"{fair['emails_queued']:,} emails queued")]
    total = summary["total"]
    for label, part, whole in FIGURES:
        for side, name in (("round", "round"), ("first_come", "first-come")):
            out.append(Figure(SECTION, f"All {len(national)} fairs — {label}: {name}", "%",
                              [_percent(total[side], part, whole)],
                              note=f"{total[side][part]:,} / {total[side][whole]:,}"))
    groups = summary["groups"]
    names = {"region": "region", "operator": "training operator",
             "track": "track"}
    for dimension, name in names.items():
        for label in sorted(groups["round"].get(dimension, {})):
            ours = groups["round"][dimension][label]
            theirs = groups["first_come"][dimension].get(label, {})
            shown = str(REGION.get(label, label or "?")) if dimension == "region" else label
            out.append(Figure(
                SECTION, f"≥ 1 interview, {name} {shown}: round", "%",
                [_percent(ours, "with_interview", "candidates")],
                note=f"{ours['with_interview']:,} / {ours['candidates']:,}; first-come "
                     f"{_percent(theirs, 'with_interview', 'candidates'):.1f} %; top-3 wish "
                     f"{_percent(ours, 'top3', 'ranked'):.1f} % vs "
                     f"{_percent(theirs, 'top3', 'ranked'):.1f} %"))
    return out


def run(ctx):
    """The scenario of ``python -m bench`` (once): every fair of the data set, one run."""
    if ctx.quick:  # the data set has one size (15,000 candidates, ~2–3 min): not a smoke run
        ctx.log("round_fairs: skipped in a --quick run")
        return []
    started = time.perf_counter()
    summary = measure()
    ctx.log(f"round fair by fair: {len(summary['fairs'])} fairs in "
            f"{time.perf_counter() - started:.0f} s")
    return figures(summary)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.round_fairs",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--time-limit", type=float, default=55.0)
    parser.add_argument("--database", default=None, help="SQLite file (default: a temporary one)")
    args = parser.parse_args(argv)
    path = args.database or str(Path(tempfile.mkdtemp(prefix="jobfair-round-")) / "round.db")
    summary = run_fairs(f"sqlite:///{path}", args.seed, args.time_limit,
                        log=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
