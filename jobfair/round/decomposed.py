"""The assignment of a big fair in two phases: which pairs meet, then at what time.

For thousands of candidates the whole model (a variable per candidate × slot group) is too big
to solve in a minute on two cores. So:

A. *Pairs*: which wished (candidate, company) pairs meet, at most ``max per candidate`` each
   (and no more than the times of their groups can hold, the gap kept), at most the
   company's free places per prerequisite class (a place reserved to a track counts only for
   that track's candidates), with the same four objectives in the same order (assignment.py).
   It is a min-cost flow (OR-Tools), solved exactly in a second: each objective is a level
   of cost worth more than all the levels below it added up (CP-SAT on the same pairs if
   those costs would not fit in 64 bits). Without times, it is a RELAXATION of the whole
   problem: its optimum is at least as good as any real assignment.
B. *Times* (placement.py): for the chosen pairs only, a slot group each (group places, no overlap, minimum
   gap). A greedy placement in lottery order; the pairs it leaves out go to small CP-SAT
   sub-problems (the pairs of their companies free, the others held); only if those fail,
   the whole placement by CP-SAT, placing as many pairs as possible, a candidate's only
   interview first, then shortlisted pairs.

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
    rank_weight,
    slot_groups,
    to_slots,
    total,
    weighted,
)
from .placement import place
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


def allowances(problem, options):
    """{candidate id: most interviews they can have}: their allowance, and no more than the
    times of their groups can hold (an interval graph: earliest end first is exact).

    Without it, phase A gives a candidate three companies whose times cannot be three
    interviews apart by the gap (a short day of back-to-back slots), and phase B fails.
    """
    times = {}
    for (candidate_id, _company), pair_groups in options.items():
        times.setdefault(candidate_id, set()).update(
            (group.starts_at, group.ends_at) for _index, group in pair_groups)
    allowed = {}
    for candidate_id, spans in times.items():
        most, last = 0, None
        for starts_at, ends_at in sorted(spans, key=lambda span: (span[1], span[0])):
            if last is None or not conflict(starts_at, ends_at, *last,
                                            problem.rules.min_gap_minutes):
                most, last = most + 1, (starts_at, ends_at)
        allowed[candidate_id] = min(most, problem.rules.max_per_candidate - len(
            problem.booked.get(candidate_id, [])))
    return allowed


def place_classes(groups, options):
    """The companies' places by prerequisites, and the classes each wished pair may use.

    ``places``: {(company, tracks, cohorts): free places} in the groups' fixed order;
    ``classes_of``: {(candidate id, company): [class]} from the pair's own groups (those that
    admit the candidate and do not clash with an interview already booked). A place reserved
    for one track counts only for the pairs of that track: counted for the whole company, the
    pairs chosen for it could never be placed (the regional fairs of issue 12).
    """
    places, kind_of = {}, {}
    for index, group in enumerate(groups):
        kind = (group.company, group.template.tracks, group.template.cohorts)
        places[kind] = places.get(kind, 0) + group.capacity
        kind_of[index] = kind
    classes_of = {}
    for key, pair_groups in options.items():
        mine = classes_of.setdefault(key, [])
        for index, _group in pair_groups:
            if kind_of[index] not in mine:
                mine.append(kind_of[index])
    return places, classes_of


def _choose_pairs(problem, groups, options, seed, time_limit, workers, started):
    model = cp_model.CpModel()
    lottery = random.Random(seed)
    max_rank = max((r for w in problem.wishes.values() for r in w.values() if r is not None),
                   default=1)
    z, by_candidate = {}, {}
    shortlisted, ranked, drawn = [], [], []
    for (candidate_id, company) in options:
        var = model.new_bool_var(f"z_{candidate_id}_{company}")
        z[candidate_id, company] = var
        by_candidate.setdefault(candidate_id, []).append(var)
        if (candidate_id, company) in problem.shortlist:
            shortlisted.append(var)
        ranked.append((var, rank_weight(problem.wishes[candidate_id][company], max_rank)))
        drawn.append((var, lottery.randrange(1, 2 ** 20)))
    covered, allowed = {}, allowances(problem, options)
    for candidate_id, variables in by_candidate.items():
        model.add(total(variables) <= allowed[candidate_id])
        met = model.new_bool_var(f"y_{candidate_id}")
        model.add(met <= total(variables))
        covered["met", candidate_id] = met
    # Each chosen pair takes a place of one class it may use (as in the flow).
    places, classes_of = place_classes(groups, options)
    per_class = {}
    for key, var in z.items():
        uses = []
        for kind in classes_of[key]:
            use = model.new_bool_var(f"u_{key}_{len(per_class.get(kind, ()))}")
            uses.append(use)
            per_class.setdefault(kind, []).append(use)
        model.add(total(uses) == var)
    for kind, variables in per_class.items():
        if len(variables) > places[kind]:
            model.add(total(variables) <= places[kind])
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
    allowance, worth nothing) → pair (one unit per wished pair, worth S if shortlisted, plus
    R × rank weight, plus the lottery) → the company's places of each prerequisite class the
    pair may use → sink (the class's free places); a pair with one class goes straight to it.
    A bypass arc source → sink carries what nobody can use. Each level is worth more than
    everything below it added up, so the cheapest flow is the lexicographic optimum.
    """
    from ortools.graph.python import min_cost_flow

    max_rank = max((r for w in problem.wishes.values() for r in w.values() if r is not None),
                   default=1)
    allowed = allowances(problem, options)
    places, classes_of = place_classes(groups, options)
    units = sum(allowed.values())
    interviews = min(units, sum(places.values()))  # at most this many pairs meet
    short_pairs = sum(1 for key in options if key in problem.shortlist)
    candidates, pairs, kinds = sorted(allowed), sorted(options), list(places)
    split = [key for key in pairs if len(classes_of[key]) > 1]
    node = {("c", c): i + 2 for i, c in enumerate(candidates)}
    node.update({("p", key): len(node) + 2 + i for i, key in enumerate(split)})
    node.update({("k", kind): len(node) + 2 + i for i, kind in enumerate(kinds)})
    source, sink = 0, 1
    # The widest lottery whose levels fit: the solver scales costs by the number of nodes
    # (and refuses a range it cannot scale: then the next, narrower lottery).
    for lottery_range in LOTTERY_RANGES:
        r_level = lottery_range * interviews + 1
        s_level = r_level * rank_weight(1, max_rank) * interviews + 1
        b_level = s_level * (short_pairs + 1)
        if b_level * (len(node) + 3) >= COST_LIMIT:
            continue
        lottery = random.Random(seed)
        draw = {key: (None, lottery.randrange(lottery_range)) for key in pairs}
        flow = min_cost_flow.SimpleMinCostFlow()
        for c in candidates:
            flow.add_arc_with_capacity_and_unit_cost(source, node["c", c], 1, -b_level)
            if allowed[c] > 1:
                flow.add_arc_with_capacity_and_unit_cost(source, node["c", c], allowed[c] - 1, 0)
        pair_arcs = {}
        for key in pairs:
            c, k = key
            worth = (s_level if key in problem.shortlist else 0) + r_level * rank_weight(
                problem.wishes[c][k], max_rank) + draw[key][1]
            head = node.get(("p", key)) or node["k", classes_of[key][0]]
            pair_arcs[key] = flow.add_arc_with_capacity_and_unit_cost(node["c", c], head, 1,
                                                                      -worth)
            if ("p", key) in node:
                for kind in classes_of[key]:
                    flow.add_arc_with_capacity_and_unit_cost(head, node["k", kind], 1, 0)
        for kind in kinds:
            flow.add_arc_with_capacity_and_unit_cost(node["k", kind], sink, places[kind], 0)
        flow.add_arc_with_capacity_and_unit_cost(source, sink, units, 0)
        flow.set_node_supply(source, units)
        flow.set_node_supply(sink, -units)
        status = flow.solve()
        if status == flow.BAD_COST_RANGE:
            continue
        if status != flow.OPTIMAL:
            return None
        chosen = [key for key, arc in pair_arcs.items() if flow.flow(arc)]
        met = {c for c, _k in chosen}
        reached = {"candidates_met": len(met),
                   "shortlisted_met": sum(1 for key in chosen if key in problem.shortlist)}
        return chosen, True, reached, draw
    return None


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
    values, _placed_optimal = place(problem, groups, options, chosen, draw, time_limit,
                                    workers, started, seed)
    assignments = to_slots(groups, values)
    every_pair_placed = len(assignments) == len(chosen)
    if not every_pair_placed:  # what phase A reached is not what the candidates get
        company_of = {slot.id: slot.company for slot in problem.slots}
        met = {(c, company_of[s]) for c, s in assignments}
        reached = {"candidates_met": len({c for c, _k in met}),
                   "shortlisted_met": len(met & problem.shortlist)}
    reached["pairs_chosen"], reached["pairs_placed"] = len(chosen), len(assignments)
    return Outcome(status="optimal" if optimal and every_pair_placed else "feasible",
                   assignments=assignments, objectives=reached)
