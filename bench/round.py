"""The booking round's assignment at national scale (issue 12), against first-come.

One big fair: 4,000 candidates × 5 wishes, 150 companies with 2 tables × 20 slots each (6,000
places), a few companies far more wished for than the others, 20 % of the wishes shortlisted,
at most 3 interviews per candidate and 5 minutes between two. The assignment runs in a
subprocess of its own (its peak RSS is its own), then the fairness figures of the round and of
first-come on the same wishes (arrivals drawn from the same seed) are printed.

    python -m bench.round [--candidates 4000] [--companies 150] [--seed 42] [--time-limit 55]

Not yet part of ``python -m bench`` (no section in docs/BENCHMARKS.md).
"""
import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta

NINE = datetime(2026, 12, 20, 9, 0)


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
    command = [sys.executable, "-m", "bench.round", "--child", *(argv or sys.argv[1:])]
    result = json.loads(subprocess.run(command, capture_output=True, text=True,
                                       check=True).stdout)
    print(f"{args.candidates} candidates × 5 wishes, {args.companies} companies: "
          f"{result['status']} in {result['seconds']} s, peak RSS {result['peak_rss_mb']} MB")
    rows = [("candidates with ≥ 1 interview", "with_interview", "candidates"),
            ("got their 1st wish", "first_wish", "ranked"), ("got a top-3 wish", "top3", "ranked"),
            ("shortlisted pairs met", "shortlisted_met", "shortlisted_pairs"),
            ("places left empty", "places_empty", "places")]
    for label, part, whole in rows:
        ours, theirs = result["round"], result["first_come"]
        print(f"  {label:32} round {ours[part]:>5} / {ours[whole]:<5}"
              f"  first-come {theirs[part]:>5} / {theirs[whole]}")
    return None


if __name__ == "__main__":
    main()
