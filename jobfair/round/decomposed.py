"""The assignment of a big fair in two phases: which pairs meet, then at what time.

For thousands of candidates the whole model (a variable per candidate × slot group) is too big
to solve in a minute on two cores. So:

A. *Pairs*: which wished (candidate, company) pairs meet, at most ``max per candidate`` each
   and at most the company's free places per company, with the same four objectives in the
   same order (assignment.py). It is a min-cost flow (OR-Tools), solved exactly in a second:
   each objective is a level of cost worth more than all the levels below it added up (CP-SAT
   on the same pairs if those costs would not fit in 64 bits). Without times, it is a
   RELAXATION of the whole problem: its optimum is at least as good as any real assignment.
B. *Times*: for the chosen pairs only, a slot group each (group places, no overlap, minimum
   gap), placing as many pairs as possible, a candidate's only interview first, then
   shortlisted pairs. Started from a greedy placement in lottery order.

When phase B places every pair of phase A (the usual case: a company's places are spread over
the day), the result reaches phase A's optimum, hence the whole problem's: it is optimal if
phase A was. Otherwise it is feasible and said so ("feasible").
"""
import random

from ortools.sat.python import cp_model

from .assignment import (
    Outcome,
    candidate_groups,
    first_come_groups,
    lexicographic,
    no_overlap,
    rank_weight,
    slot_groups,
    to_slots,
    total,
    weighted,
)
from .problem import conflict


def _options(problem, groups):
    """{(candidate id, company): [(group index, group)]}, candidates in id order."""
    by_company = {}
    for index, group in enumerate(groups):
        by_company.setdefault(group.company, []).append((index, group))
    options = {}
    for candidate in sorted(problem.candidates, key=lambda c: c.id):
        if problem.rules.max_per_candidate - len(problem.booked.get(candidate.id, [])) < 1:
            continue
        for index, group in candidate_groups(problem, candidate, by_company):
            options.setdefault((candidate.id, group.company), []).append((index, group))
    return options


def _choose_pairs(problem, groups, options, seed, time_limit, workers, started):
    model = cp_model.CpModel()
    lottery = random.Random(seed)
    max_rank = max((r for w in problem.wishes.values() for r in w.values() if r is not None),
                   default=1)
    z, by_candidate, by_company = {}, {}, {}
    shortlisted, ranked, drawn = [], [], []
    for (candidate_id, company) in options:
        var = model.new_bool_var(f"z_{candidate_id}_{company}")
        z[candidate_id, company] = var
        by_candidate.setdefault(candidate_id, []).append(var)
        by_company.setdefault(company, []).append(var)
        if (candidate_id, company) in problem.shortlist:
            shortlisted.append(var)
        ranked.append((var, rank_weight(problem.wishes[candidate_id][company], max_rank)))
        drawn.append((var, lottery.randrange(1, 2 ** 20)))
    covered = {}
    for candidate_id, variables in by_candidate.items():
        allowed = problem.rules.max_per_candidate - len(problem.booked.get(candidate_id, []))
        model.add(total(variables) <= allowed)
        met = model.new_bool_var(f"y_{candidate_id}")
        model.add(met <= total(variables))
        covered["met", candidate_id] = met
    places = {}
    for group in groups:
        places[group.company] = places.get(group.company, 0) + group.capacity
    for company, variables in by_company.items():
        if len(variables) > places[company]:
            model.add(total(variables) <= places[company])
    first = {(c, groups[i].company) for c, i in first_come_groups(problem, groups, seed)
             if i is not None}
    stages = [("candidates_met", total(list(covered.values()))),
              ("shortlisted_met", total(shortlisted)),
              ("rank_quality", weighted(ranked)), ("lottery", weighted(drawn))]
    hint = {key: key in first for key in z}
    hint.update({("met", c): True for c, _k in first})
    hint.update({key: hint.get(key, False) for key in covered})
    # Phase A gets two thirds of the time; placing the times is the easier part.
    solved = lexicographic(model, {**z, **covered}, stages, hint, seed, time_limit * 2 / 3,
                           workers, started)
    if solved is None:
        return None
    values, optimal, reached = solved
    return [key for key in z if values[key]], optimal, reached, {k: w for k, w in zip(z, drawn)}


# Int64 costs: the levels below must fit, all of them added up, in a signed 64-bit integer.
COST_LIMIT = 2 ** 62
LOTTERY_RANGES = (1024, 256, 64, 16, 4, 1)


def _choose_pairs_by_flow(problem, groups, options, seed):
    """Phase A as a min-cost flow (OR-Tools), exact and fast; None if the costs would overflow.

    source → candidate (a first unit worth B: at least one interview; then the rest of their
    allowance, worth nothing) → company (one unit per wished pair, worth S if shortlisted, plus
    R × rank weight, plus the lottery) → sink (the company's free places); a bypass arc
    source → sink carries what nobody can use. Each level is worth more than everything below
    it added up, so the cheapest flow is the lexicographic optimum.
    """
    from ortools.graph.python import min_cost_flow

    max_rank = max((r for w in problem.wishes.values() for r in w.values() if r is not None),
                   default=1)
    allowed = {c: problem.rules.max_per_candidate - len(problem.booked.get(c, []))
               for c, _k in options}
    places = {}
    for group in groups:
        places[group.company] = places.get(group.company, 0) + group.capacity
    companies = sorted({k for _c, k in options})
    units = sum(allowed.values())
    interviews = min(units, sum(places[k] for k in companies))  # at most this many pairs meet
    short_pairs = sum(1 for key in options if key in problem.shortlist)
    nodes = len(allowed) + len(companies) + 2
    # The widest lottery whose levels fit: the solver scales costs by the number of nodes.
    for lottery_range in LOTTERY_RANGES:
        r_level = lottery_range * interviews + 1
        s_level = r_level * rank_weight(1, max_rank) * interviews + 1
        b_level = s_level * (short_pairs + 1)
        if b_level * (nodes + 1) < COST_LIMIT:
            break
    else:
        return None
    lottery = random.Random(seed)
    draw = {key: (None, lottery.randrange(lottery_range)) for key in sorted(options)}
    flow = min_cost_flow.SimpleMinCostFlow()
    candidates = sorted(allowed)
    node = {("c", c): i + 2 for i, c in enumerate(candidates)}
    node.update({("k", k): len(candidates) + 2 + i for i, k in enumerate(companies)})
    source, sink = 0, 1
    for c in candidates:
        flow.add_arc_with_capacity_and_unit_cost(source, node["c", c], 1, -b_level)
        if allowed[c] > 1:
            flow.add_arc_with_capacity_and_unit_cost(source, node["c", c], allowed[c] - 1, 0)
    pair_arcs = {}
    for key in sorted(options):
        c, k = key
        worth = (s_level if key in problem.shortlist else 0) + r_level * rank_weight(
            problem.wishes[c][k], max_rank) + draw[key][1]
        pair_arcs[key] = flow.add_arc_with_capacity_and_unit_cost(node["c", c], node["k", k],
                                                                  1, -worth)
    for k in companies:
        flow.add_arc_with_capacity_and_unit_cost(node["k", k], sink, places[k], 0)
    flow.add_arc_with_capacity_and_unit_cost(source, sink, units, 0)
    flow.set_node_supply(source, units)
    flow.set_node_supply(sink, -units)
    if flow.solve() != flow.OPTIMAL:
        return None
    chosen = [key for key, arc in pair_arcs.items() if flow.flow(arc)]
    met = {c for c, _k in chosen}
    reached = {"candidates_met": len(met),
               "shortlisted_met": sum(1 for key in chosen if key in problem.shortlist)}
    return chosen, True, reached, draw


def _greedy(problem, groups, options, chosen, draw):
    """Place the chosen pairs in lottery order, earliest free group first: a hint."""
    left = [group.capacity for group in groups]
    held, placed = {}, {}
    gap = problem.rules.min_gap_minutes
    for key in sorted(chosen, key=lambda k: -draw[k][1]):
        candidate_id = key[0]
        mine = held.setdefault(candidate_id, [])
        for index, group in options[key]:
            if left[index] < 1 or any(conflict(group.starts_at, group.ends_at, other.starts_at,
                                               other.ends_at, gap) for other in mine):
                continue
            left[index] -= 1
            mine.append(group)
            placed[key] = index
            break
    return placed


def _place(problem, groups, options, chosen, draw, time_limit, workers, started, seed):
    placed = _greedy(problem, groups, options, chosen, draw)
    if len(placed) == len(chosen):  # every pair has its time: nothing left to optimise
        return {(key[0], index): True for key, index in placed.items()}, True
    model = cp_model.CpModel()
    x, per_group, per_candidate, weights = {}, {}, {}, []
    pairs_of = {}
    for candidate_id, company in chosen:
        pairs_of[candidate_id] = pairs_of.get(candidate_id, 0) + 1
    for key in chosen:
        candidate_id, company = key
        pair_vars = []
        for index, group in options[key]:
            var = model.new_bool_var(f"x_{candidate_id}_{index}")
            x[candidate_id, index] = var
            pair_vars.append(var)
            per_group.setdefault(index, []).append(var)
            per_candidate.setdefault(candidate_id, []).append((group, var))
            weight = 1 + (4 if pairs_of[candidate_id] == 1 else 0) + (
                2 if key in problem.shortlist else 0)
            weights.append((var, weight))
        model.add_at_most_one(pair_vars)
    for index, variables in per_group.items():
        if len(variables) > groups[index].capacity:
            model.add(total(variables) <= groups[index].capacity)
    for mine in per_candidate.values():
        no_overlap(model, mine, problem.rules.min_gap_minutes)
    hinted = {(key[0], index) for key, index in placed.items()}
    solved = lexicographic(model, x, [("placed", weighted(weights))],
                           {key: key in hinted for key in x}, seed, time_limit, workers, started)
    if solved is None:
        return {key: key in hinted for key in x}, False
    values, optimal, _reached = solved
    return values, optimal


def solve_in_two_phases(problem, seed, time_limit, workers, started):
    groups = slot_groups(problem)
    options = _options(problem, groups)
    if not options:
        return Outcome(status="optimal")
    phase_a = _choose_pairs_by_flow(problem, groups, options, seed) or _choose_pairs(
        problem, groups, options, seed, time_limit, workers, started)
    if phase_a is None:
        return Outcome(status="none")
    chosen, optimal, reached, draw = phase_a
    values, _placed_optimal = _place(problem, groups, options, chosen, draw, time_limit,
                                     workers, started, seed)
    assignments = to_slots(groups, values)
    every_pair_placed = len(assignments) == len(chosen)
    reached["pairs_chosen"], reached["pairs_placed"] = len(chosen), len(assignments)
    return Outcome(status="optimal" if optimal and every_pair_placed else "feasible",
                   assignments=assignments, objectives=reached)
