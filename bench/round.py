"""The booking round's assignment at national scale (issue 12), against first-come.

One big fair: 4,000 candidates × 5 wishes, 150 companies with 2 tables × 20 slots each (6,000
places), a few companies far more wished for than the others, 20 % of the wishes shortlisted,
at most 3 interviews per candidate and 5 minutes between two. The assignment runs in a
subprocess of its own (its peak RSS is its own), then the fairness figures of the round and of
first-come on the same wishes (arrivals drawn from the same seed) are printed.

    python -m bench.round [--candidates 4000] [--companies 150] [--seed 42] [--time-limit 55]
    python -m bench --only round --db sqlite --scales 0.1   # as a scenario of the bench

As a scenario (``run``): once per ``make bench`` (it reads no database), section "Booking
round": the solve's time (target < 60 s) and peak RSS, then each fairness figure of the round
beside first-come's, in % (docs/BENCHMARKS.md, "Booking round").
"""
import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

NINE = datetime(2026, 12, 20, 9, 0)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECTION = "Booking round"
WHEN = "once"  # no database: the last database at the largest scale (bench/__main__.py)
TARGET_SECONDS = 60.0
FIGURES = (("Candidates with ≥ 1 interview", "with_interview", "candidates"),
           ("Got their 1st wish", "first_wish", "ranked"),
           ("Got a top-3 wish", "top3", "ranked"),
           ("Shortlisted pairs met", "shortlisted_met", "shortlisted_pairs"),
           ("Places left empty", "places_empty", "places"))


def national_fair(candidates, companies, seed=1, tables=2, times=20):
    from jobfair.round.problem import CandidateInput, Problem, Rules, SlotInput

    rng = random.Random(seed)
    slots, number = [], 0
    for company in range(companies):
        for table in range(tables):
            for index in range(times):
                number += 1
                start = NINE + timedelta(minutes=20 * index)
                slots.append(SlotInput(id=number, company=company, table=company * 10 + table,
                                       starts_at=start, ends_at=start + timedelta(minutes=15),
                                       capacity=1))
    # One company in ten is a star: 31 times as likely to be wished for.
    popular = [k for k in range(companies) for _ in range(1 + (30 if k < companies // 10 else 0))]
    wishes, shortlist = {}, set()
    for candidate in range(candidates):
        chosen = []
        while len(chosen) < 5:
            pick = rng.choice(popular)
            if pick not in chosen:
                chosen.append(pick)
        wishes[candidate] = {k: rank for rank, k in enumerate(chosen, start=1)}
        shortlist |= {(candidate, k) for k in chosen if rng.random() < 0.2}
    groups = tuple((("cohort", f"Promotion {c % 12}"), ("operator", f"Opérateur {c % 10}"),
                    ("region", f"Ville {c % 6}"), ("track", f"Filière {c % 8}"))
                   for c in range(candidates))
    return Problem(candidates=[CandidateInput(id=c, groups=groups[c]) for c in range(candidates)],
                   wishes=wishes, shortlist=shortlist, slots=slots, rules=Rules(3, 5))


def child(args):
    from jobfair.round.assignment import solve
    from jobfair.round.figures import figures
    from jobfair.round.simulation import first_come

    problem = national_fair(args.candidates, args.companies)
    started = time.monotonic()
    outcome = solve(problem, args.seed, time_limit=args.time_limit)
    seconds = time.monotonic() - started
    summary = {
        "status": outcome.status, "seconds": round(seconds, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "round": figures(problem, outcome.assignments),
        "first_come": figures(problem, first_come(problem, args.seed)),
    }
    for side in ("round", "first_come"):
        summary[side].pop("groups")
    print(json.dumps(summary))


def measure(argv=()):
    """One solve in a fresh process (its peak RSS is its own): the child's summary."""
    command = [sys.executable, "-m", "bench.round", "--child", *argv]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True,
                                     cwd=PROJECT_ROOT).stdout.strip().splitlines()[-1])


def _percent(figures, part, whole):
    return 100.0 * figures[part] / figures[whole] if figures[whole] else float("nan")


def run(ctx):
    """The scenario of ``python -m bench``: the national fair, solved ``ctx.runs`` times (≤ 3)."""
    from bench.report import Figure

    argv = ["--candidates", "400", "--companies", "15"] if ctx.quick else []
    results = []
    for index in range(max(1, min(ctx.runs, 3))):
        results.append(measure(argv))
        ctx.log(f"round run {index + 1}: {results[-1]['status']} in "
                f"{results[-1]['seconds']} s, peak RSS {results[-1]['peak_rss_mb']} MB")
    seconds = [r["seconds"] for r in results]
    first = results[0]
    size = (f"{first['round']['candidates']:,} candidates × 5 wishes, "
            f"{first['round']['places']:,} places")
    figures = [
        Figure(SECTION, f"Assignment, {size}", "s", seconds, target=f"< {TARGET_SECONDS:g} s",
               met=sorted(seconds)[len(seconds) // 2] < TARGET_SECONDS,
               note=", ".join(sorted({r["status"] for r in results}))),
        Figure(SECTION, "Peak RSS of the solve", "MB", [r["peak_rss_mb"] for r in results]),
    ]
    for label, part, whole in FIGURES:
        for side, name in (("round", "round"), ("first_come", "first-come")):
            figures.append(Figure(
                SECTION, f"{label}: {name}", "%",
                [_percent(r[side], part, whole) for r in results],
                note=f"{first[side][part]:,} / {first[side][whole]:,}"))
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.round", description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=4000)
    parser.add_argument("--companies", type=int, default=150)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--time-limit", type=float, default=55.0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    result = measure(argv or sys.argv[1:])
    print(f"{args.candidates} candidates × 5 wishes, {args.companies} companies: "
          f"{result['status']} in {result['seconds']} s, peak RSS {result['peak_rss_mb']} MB")
    for label, part, whole in FIGURES:
        ours, theirs = result["round"], result["first_come"]
        print(f"  {label:32} round {ours[part]:>5} / {ours[whole]:<5}"
              f"  first-come {theirs[part]:>5} / {theirs[whole]}")
    return None


if __name__ == "__main__":
    main()
