"""Phase B of the two-phase assignment (decomposed.py): a time for each chosen pair.

Split from decomposed.py (phase A: which pairs meet) to keep both files readable. Each chosen
(candidate, company) pair gets a slot group of its company among its options, the group
places, no overlap and the fair's minimum gap kept. Phase A's optimum is reached, hence the
whole problem's, exactly when every chosen pair is placed: then there is nothing left to
optimise and no solver needs to prove anything.
"""
import time

from ortools.sat.python import cp_model

from .assignment import lexicographic, no_overlap, total, weighted
from .problem import conflict


def greedy(problem, groups, options, chosen, draw):
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


def _placement_model(problem, groups, options, pairs, fixed, hint, time_limit, workers,
                     started, seed, every=False):
    """Times for ``pairs`` by CP-SAT, the pairs of ``fixed`` ({pair: group index}) held.

    → ({pair: group index} for the pairs placed, proven best?). Held pairs keep their place
    and their time: the free pairs get what they leave. Most pairs first where they decide
    whether the candidate meets anyone at all, then shortlisted pairs (as phase A).
    ``every``: each pair placed or nothing (None): a feasibility model, far faster to solve
    than the weighted one when the answer is yes.
    """
    gap = problem.rules.min_gap_minutes
    left = [group.capacity for group in groups]
    held = {}
    for (candidate_id, _company), index in fixed.items():
        left[index] -= 1
        held.setdefault(candidate_id, []).append(groups[index])
    pairs_of = {}
    for candidate_id, _company in list(pairs) + list(fixed):
        pairs_of[candidate_id] = pairs_of.get(candidate_id, 0) + 1
    model = cp_model.CpModel()
    x, per_group, per_candidate, weights = {}, {}, {}, []
    for key in pairs:
        candidate_id, _company = key
        pair_vars = []
        for index, group in options[key]:
            if left[index] < 1 or any(
                    conflict(group.starts_at, group.ends_at, other.starts_at, other.ends_at, gap)
                    for other in held.get(candidate_id, ())):
                continue
            var = model.new_bool_var(f"x_{candidate_id}_{index}")
            x[key, index] = var
            pair_vars.append(var)
            per_group.setdefault(index, []).append(var)
            per_candidate.setdefault(candidate_id, []).append((group, var))
            weight = 1 + (4 if pairs_of[candidate_id] == 1 else 0) + (
                2 if key in problem.shortlist else 0)
            weights.append((var, weight))
        if every and not pair_vars:
            return None, True
        if every:
            model.add_exactly_one(pair_vars)
        elif len(pair_vars) > 1:
            model.add_at_most_one(pair_vars)
    if not x:
        return {}, True
    for index, variables in per_group.items():
        if len(variables) > left[index]:
            model.add(total(variables) <= left[index])
    for mine in per_candidate.values():
        no_overlap(model, mine, gap)
    if every:
        for key, var in x.items():
            model.add_hint(var, hint.get(key[0]) == key[1])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(time_limit - (time.monotonic() - started),
                                                    0.5)
        solver.parameters.num_workers = workers
        solver.parameters.linearization_level = 2  # the LP closes tight places at once
        solver.parameters.random_seed = seed % (2 ** 31)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, status == cp_model.INFEASIBLE
        return {key: index for (key, index), var in x.items() if solver.boolean_value(var)}, True
    solved = lexicographic(model, x, [("placed", weighted(weights))],
                           {key: hint.get(key[0]) == key[1] for key in x}, seed, time_limit,
                           workers, started)
    if solved is None:
        return {key: index for key, index in hint.items() if (key, index) in x}, False
    values, optimal, _reached = solved
    return {key: index for (key, index), taken in values.items() if taken}, optimal


# Sub-problems around the pairs the greedy could not place: at most this many rounds, each
# neighbourhood widened to every company its candidates meet, with this share of the time
# left. One worker: small models, and the same result on every run.
NEIGHBOURHOODS = 3
NEIGHBOURHOOD_SHARE = 1 / 4


def _neighbourhoods(pairs):
    """``pairs`` split into the sets linked by a company or a candidate, in a fixed order."""
    parent = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for candidate_id, company in pairs:
        parent[root(("c", candidate_id))] = root(("k", company))
    found = {}
    for key in pairs:
        found.setdefault(root(("k", key[1])), []).append(key)
    return list(found.values())


def place(problem, groups, options, chosen, draw, time_limit, workers, started, seed):
    """A group for each chosen pair → ({(candidate id, group index): True}, proven best?).

    The greedy first; the pairs it leaves out are placed by CP-SAT sub-problems: each one
    the pairs of the companies concerned (linked by their candidates), every other pair held
    where it is, widened to every company their candidates meet while a sub-problem cannot
    place them all; the whole placement by CP-SAT last. Every pair placed is the best there
    is (nothing left to optimise). A regional fair of the data set (companies full, 20-minute
    slots back to back with a 15-minute gap) leaves 0 to 10 pairs to sub-problems of a company
    or two, solved in a fraction of a second; the whole placement took up to the time limit.
    """
    placed = greedy(problem, groups, options, chosen, draw)
    companies = {company for candidate_id, company in chosen
                 if (candidate_id, company) not in placed}
    for _attempt in range(NEIGHBOURHOODS):
        if len(placed) == len(chosen):
            break
        stuck = set()
        for free in _neighbourhoods([key for key in chosen if key[1] in companies]):
            if all(key in placed for key in free):
                continue
            freed = set(free)
            fixed = {key: index for key, index in placed.items() if key not in freed}
            left = time_limit - (time.monotonic() - started)
            budget = time.monotonic() - started + max(left, 0) * NEIGHBOURHOOD_SHARE
            found, _proven = _placement_model(problem, groups, options, free, fixed, placed,
                                              budget, 1, started, seed, every=True)
            if found is None:
                stuck |= {c for c, _k in free}
            else:
                placed = {**fixed, **found}
        wider = companies | {k for c, k in chosen if c in stuck}
        if wider == companies:  # nothing more to free: only the whole placement is left
            break
        companies = wider
    if len(placed) == len(chosen):  # every pair has its time: nothing left to optimise
        return {(key[0], index): True for key, index in placed.items()}, True
    found, optimal = _placement_model(problem, groups, options, chosen, {}, placed, time_limit,
                                      workers, started, seed)
    return {(key[0], index): True for key, index in found.items()}, optimal
