"""One fair of bench/round_fairs.py's data set solved in memory, phase by phase (issue 12).

The 15,000-candidate data set (bench/datagen_rows.py + bench/round_fairs.py's wishes and
shortlist marks) is built in memory only (no database, a few seconds), one fair is read into
the solver's ``Problem`` the way ``round.problems.build`` reads it from the database, then
the two phases of ``round.decomposed`` and, when they do not reach the optimum, the whole
model of ``round.assignment`` are run one by one, each with its wall time and status.

    python -m bench.round_regional [--fair 3 4 …] [--seed 42] [--time-limit 55] [--phases]
"""
import argparse
import json
import time


def data_set(seed=2026, wish_seed=42):
    """bench/round_fairs.py's rows, in memory."""
    from bench.round_fairs import RoundData

    return RoundData(seed, wish_seed).build()


def fair_problem(rows, fair_number=3):
    """Fair ``fair_number`` (1-based, in the data set's order) as the solver's ``Problem``."""
    from jobfair.round.problem import CandidateInput, Problem, Rules, SlotInput

    fair = rows["fairs"][fair_number - 1]
    round_id = next(r["id"] for r in rows["booking_rounds"] if r["fair_id"] == fair["id"])
    approved = {p["id"] for p in rows["participations"]
                if p["fair_id"] == fair["id"] and p["status"] == "approved"}
    invited = {r["cohort_id"] for r in rows["fair_cohorts"] if r["fair_id"] == fair["id"]}
    track_of = {c["id"]: c["track_id"] for c in rows["cohorts"]}
    cohort_of = {c["id"]: c["cohort_id"] for c in rows["candidates"]}
    wishes = {}
    for wish in rows["round_wishes"]:
        if wish["round_id"] == round_id and wish["participation_id"] in approved:
            wishes.setdefault(wish["candidate_id"], {})[wish["participation_id"]] = wish["rank"]
    wishes = {c: w for c, w in wishes.items() if cohort_of[c] in invited}
    shortlist = {(m["candidate_id"], m["participation_id"]) for m in rows["round_shortlist_marks"]
                 if m["round_id"] == round_id and m["decision"] == "meet"}
    shortlist = {(c, k) for c, k in shortlist if k in wishes.get(c, {})}
    company_of_table = {t["id"]: t["participation_id"] for t in rows["interview_tables"]}
    tracks = {}
    for row in rows["slot_tracks"]:
        tracks.setdefault(row["slot_id"], set()).add(row["track_id"])
    slots = [SlotInput(id=s["id"], company=company_of_table[s["table_id"]], table=s["table_id"],
                       starts_at=s["starts_at"], ends_at=s["ends_at"],
                       capacity=s["capacity"] - s["booked_count"],
                       tracks=frozenset(tracks.get(s["id"], ())))
             for s in rows["slots"]
             if company_of_table[s["table_id"]] in approved and not s["is_blocked"]]
    candidates = [CandidateInput(id=c, cohort=cohort_of[c], track=track_of[cohort_of[c]])
                  for c in sorted(wishes)]
    return fair["name"], Problem(
        candidates=candidates, wishes=wishes, shortlist=shortlist, slots=slots,
        rules=Rules(max_per_candidate=fair["max_bookings_per_candidate"],
                    min_gap_minutes=fair["min_gap_minutes"]))


def phases(problem, seed=42, time_limit=55.0, workers=8):
    """Each phase's wall time and status, then ``solve``'s own (what the organizer gets)."""
    from jobfair.round import assignment, decomposed, placement
    from jobfair.round.problem import violations

    report = {"candidates": len(problem.candidates), "places": sum(
        s.capacity for s in problem.slots), "wishes": sum(map(len, problem.wishes.values())),
        "shortlisted": len(problem.shortlist)}
    started = time.monotonic()
    groups = assignment.slot_groups(problem)
    options = decomposed._options(problem, groups)
    t = time.monotonic()
    chosen, optimal, reached, draw = decomposed._choose_pairs_by_flow(problem, groups, options,
                                                                      seed)
    report["phase_a"] = {"seconds": round(time.monotonic() - t, 2), "optimal": optimal,
                         "pairs": len(chosen), **reached}
    t = time.monotonic()
    greedy = placement.greedy(problem, groups, options, chosen, draw)
    report["greedy"] = {"seconds": round(time.monotonic() - t, 2), "placed": len(greedy)}
    t = time.monotonic()
    values, placed_optimal = placement.place(problem, groups, options, chosen, draw,
                                              time_limit, workers, time.monotonic(), seed)
    placed = assignment.to_slots(groups, values)
    report["phase_b"] = {"seconds": round(time.monotonic() - t, 2), "optimal": placed_optimal,
                         "placed": len(placed), "score": assignment._score(problem, placed)}
    t = time.monotonic()
    outcome = assignment.solve(problem, seed, time_limit=time_limit, workers=workers)
    report["solve"] = {"seconds": round(time.monotonic() - t, 2), "status": outcome.status,
                       "objectives": outcome.objectives,
                       "score": assignment._score(problem, outcome.assignments),
                       "violations": len(violations(problem, outcome.assignments))}
    report["seconds"] = round(time.monotonic() - started, 2)
    return report


def solved(problem, seed=42, time_limit=55.0, workers=8):
    """``solve`` as the organizer's button runs it: wall time, status, the objectives."""
    from jobfair.round import assignment
    from jobfair.round.problem import violations

    t = time.monotonic()
    outcome = assignment.solve(problem, seed, time_limit=time_limit, workers=workers)
    return {"candidates": len(problem.candidates),
            "places": sum(s.capacity for s in problem.slots),
            "seconds": round(time.monotonic() - t, 2), "status": outcome.status,
            "objectives": outcome.objectives,
            "score": assignment._score(problem, outcome.assignments),
            "violations": len(violations(problem, outcome.assignments))}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.round_regional",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--fair", type=int, nargs="+", default=[3],
                        help="1-based; 1, 2 national, 3..30 regional, 31 the big one")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--time-limit", type=float, default=55.0)
    parser.add_argument("--phases", action="store_true",
                        help="each phase apart first (phase B runs twice)")
    args = parser.parse_args(argv)
    rows = data_set()
    for number in args.fair:
        name, problem = fair_problem(rows, number)
        run = phases if args.phases else solved
        print(json.dumps({"fair": number, "name": name,
                          **run(problem, args.seed, args.time_limit)},
                         ensure_ascii=False, default=str), flush=True)


if __name__ == "__main__":
    main()
