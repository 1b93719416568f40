"""The round's assignment: OR-Tools CP-SAT, four objectives in lexicographic order.

1. the number of candidates with at least one interview;
2. the number of shortlisted pairs met (the company said "meet", or invited and was accepted);
3. the candidates' rank quality: each rank counts twice the next (a first wish weighs 2^(R-1),
   the last 1, an accepted invitation 1);
4. a seeded lottery: a random weight per (candidate, slot group), drawn from ``seed``.

Each objective is solved in turn and then held (``≥`` the value reached) while the next is
solved, starting from the previous solution (a hint). The time limit is shared by the stages;
a stage that runs out keeps the best solution found so far.

Compact model: slots of one company with the same times and prerequisites are one *group*
(their places added up), and a candidate gets variables only for the groups of the companies
they wished for that admit them, are not blocked, have a free place and do not clash with an
interview they already have. Overlap and minimum gap are clique constraints: at each group's
start, at most one of the candidate's groups whose time (plus the gap) covers that instant.
The groups are turned back into slots in a fixed order, so the same seed and inputs give the
same result.
"""
import random
import time
from collections import Counter
from datetime import timedelta
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .problem import conflict, violations
from .simulation import first_come

INVITED_WEIGHT = 1


@dataclass
class Outcome:
    """What the solver found: ``assignments`` is [(candidate id, slot id)], empty if nothing."""

    status: str  # "optimal", "feasible" (time limit reached) or "none" (nothing found)
    assignments: list = field(default_factory=list)
    seconds: float = 0.0
    objectives: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Group:
    company: int
    starts_at: object
    ends_at: object
    slots: tuple  # ((slot id, places), …) in a fixed order
    capacity: int
    template: object  # one of its slots: its prerequisites stand for the group


def slot_groups(problem):
    """Open slots with a free place, grouped by company, times and prerequisites."""
    grouped = {}
    for slot in sorted(problem.slots, key=lambda s: (s.starts_at, s.table, s.id)):
        if slot.blocked or slot.capacity < 1:
            continue
        key = (slot.company, slot.starts_at, slot.ends_at, slot.tracks, slot.cohorts)
        grouped.setdefault(key, []).append(slot)
    return [
        _Group(company=key[0], starts_at=key[1], ends_at=key[2],
               slots=tuple((s.id, s.capacity) for s in slots),
               capacity=sum(s.capacity for s in slots), template=slots[0])
        for key, slots in grouped.items()
    ]


def first_come_groups(problem, groups, seed):
    """{(candidate id, group index)} that first-come gives on the same wishes."""
    group_of = {slot_id: index for index, group in enumerate(groups)
                for slot_id, _free in group.slots}
    return {(c, group_of.get(s)) for c, s in first_come(problem, seed)}


def rank_weight(rank, max_rank):
    if rank is None:
        return INVITED_WEIGHT
    return 2 ** max(max_rank - rank, 0)


def candidate_groups(problem, candidate, groups_by_company):
    """The groups a candidate may be given, by the booking rules about their own interviews."""
    booked = problem.booked.get(candidate.id, [])
    booked_companies = {b.company for b in booked}
    gap = problem.rules.min_gap_minutes
    options = []
    for company in problem.wishes.get(candidate.id, {}):
        if company in booked_companies:
            continue
        for index, group in groups_by_company.get(company, []):
            if not group.template.admits(candidate):
                continue
            if any(conflict(group.starts_at, group.ends_at, b.starts_at, b.ends_at, gap)
                   for b in booked):
                continue
            options.append((index, group))
    return options


def total(variables):
    return cp_model.LinearExpr.sum(variables)


def weighted(pairs):
    return cp_model.LinearExpr.weighted_sum([v for v, _w in pairs], [w for _v, w in pairs])


def no_overlap(model, mine, gap_minutes):
    """At each start of the candidate's groups, at most one group (time + gap) covering it."""
    gap = timedelta(minutes=gap_minutes)
    seen = set()
    for group, _var in mine:
        instant = group.starts_at
        clique = tuple(var for other, var in mine
                       if other.starts_at <= instant < other.ends_at + gap)
        if len(clique) > 1 and clique not in seen:
            seen.add(clique)
            model.add_at_most_one(clique)


class _Model:
    def __init__(self, problem, seed):
        self.problem = problem
        self.model = cp_model.CpModel()
        self.groups = slot_groups(problem)
        by_company = {}
        for index, group in enumerate(self.groups):
            by_company.setdefault(group.company, []).append((index, group))
        lottery = random.Random(seed)
        max_rank = max((r for w in problem.wishes.values() for r in w.values() if r is not None),
                       default=1)
        self.x = {}  # (candidate id, group index) -> bool var
        self.covered = {}  # ("met", candidate id) -> bool var: at least one interview
        self.shortlisted, self.ranked, self.lottery = [], [], []
        per_group = {}
        rules = problem.rules
        # Candidates in id order and groups in a fixed order: the lottery draws the same way.
        for candidate in sorted(problem.candidates, key=lambda c: c.id):
            allowed = rules.max_per_candidate - len(problem.booked.get(candidate.id, []))
            options = candidate_groups(problem, candidate, by_company) if allowed > 0 else []
            if not options:
                continue
            mine, by_company_mine = [], {}
            wishes = problem.wishes[candidate.id]
            for index, group in options:
                var = self.model.new_bool_var(f"x_{candidate.id}_{index}")
                self.x[candidate.id, index] = var
                mine.append((group, var))
                by_company_mine.setdefault(group.company, []).append(var)
                per_group.setdefault(index, []).append(var)
                if (candidate.id, group.company) in problem.shortlist:
                    self.shortlisted.append(var)
                self.ranked.append((var, rank_weight(wishes[group.company], max_rank)))
                self.lottery.append((var, lottery.randrange(1, 2 ** 20)))
            for company_vars in by_company_mine.values():
                self.model.add_at_most_one(company_vars)
            self.model.add(total([var for _g, var in mine]) <= allowed)
            no_overlap(self.model, mine, rules.min_gap_minutes)
            met = self.model.new_bool_var(f"y_{candidate.id}")
            self.model.add(met <= total([var for _g, var in mine]))
            self.covered["met", candidate.id] = met
        for index, variables in per_group.items():
            if len(variables) > self.groups[index].capacity:
                self.model.add(total(variables) <= self.groups[index].capacity)

    def variables(self):
        return {**self.x, **self.covered}

    def first_come_values(self, seed):
        """First-come on the same wishes, as values of every variable: a solution to improve."""
        given = first_come_groups(self.problem, self.groups, seed)
        values = {key: key in given for key in self.x}
        values.update({key: any(c == key[1] for c, _i in given) for key in self.covered})
        return values

    def objectives(self):
        return [
            ("candidates_met", total(list(self.covered.values()))),
            ("shortlisted_met", total(self.shortlisted)),
            ("rank_quality", weighted(self.ranked)),
            ("lottery", weighted(self.lottery)),
        ]


# Past this many (candidate, slot group) variables the whole model is too big to solve in a
# minute on two cores: only the two-phase model of decomposed.py is tried.
WHOLE_MODEL_LIMIT = 60_000


def solve(problem, seed, time_limit=30.0, workers=8):
    """Assign interviews for ``problem``; the same ``seed`` and inputs give the same result.

    The two-phase model first (decomposed.py: exact and fast whenever every pair it chooses
    finds a time, the usual case); otherwise the whole model, if it is small enough, and the
    better of the two. Eight workers even on two cores: CP-SAT's portfolio (different
    strategies side by side) closes the rank stage several times faster than two.
    """
    from .decomposed import solve_in_two_phases

    started = time.monotonic()
    outcome = solve_in_two_phases(problem, seed, time_limit, workers, started)
    groups_per_company = Counter(group.company for group in slot_groups(problem))
    size = sum(groups_per_company[k] for wishes in problem.wishes.values() for k in wishes)
    if outcome.status != "optimal" and size <= WHOLE_MODEL_LIMIT:
        whole = _solve_whole(problem, seed, time_limit, workers, started)
        if whole.status != "none" and (outcome.status == "none" or _score(
                problem, whole.assignments) >= _score(problem, outcome.assignments)):
            outcome = whole
    broken = violations(problem, outcome.assignments)
    if broken:  # never publish what breaks a rule, whatever the solver said
        return Outcome(status="none", seconds=time.monotonic() - started,
                       objectives={"violations": len(broken)})
    outcome.seconds = time.monotonic() - started
    return outcome


def _score(problem, assignments):
    """The first three objectives of ``assignments``, to compare two of them."""
    company_of = {s.id: s.company for s in problem.slots}
    max_rank = max((r for w in problem.wishes.values() for r in w.values() if r is not None),
                   default=1)
    pairs = {(c, company_of[s]) for c, s in assignments}
    return (len({c for c, _k in pairs}), len(pairs & problem.shortlist),
            sum(rank_weight(problem.wishes[c][k], max_rank) for c, k in pairs))


def lexicographic(model, variables, stages, values, seed, time_limit, workers, started):
    """Solve ``stages`` ([(name, expression)]) in order, each held once reached.

    ``values`` (a solution, for the hint) → (values, optimal, reached), or None when the first
    stage finds nothing within its share of the time.
    """
    optimal, reached = True, {}
    for key, var in variables.items():
        model.add_hint(var, values[key])
    for number, (name, expression) in enumerate(stages):
        left = time_limit - (time.monotonic() - started)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(left / (len(stages) - number), 0.5)
        solver.parameters.num_workers = workers
        solver.parameters.linearization_level = 2
        solver.parameters.random_seed = seed % (2 ** 31)
        model.maximize(expression)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if number == 0:
                return None
            optimal = False
            break
        optimal = optimal and status == cp_model.OPTIMAL
        values = {key: solver.boolean_value(var) for key, var in variables.items()}
        reached[name] = int(solver.objective_value)
        model.add(expression >= reached[name])
        model.clear_hints()
        for key, var in variables.items():
            model.add_hint(var, values[key])
    return values, optimal, reached


def _solve_whole(problem, seed, time_limit, workers, started):
    built = _Model(problem, seed)
    if not built.x:
        return Outcome(status="optimal")
    # First-come on the same wishes is a solution: the solver starts from it (a hint).
    solved = lexicographic(built.model, built.variables(), built.objectives(),
                           built.first_come_values(seed), seed, time_limit, workers, started)
    if solved is None:  # nothing found in time: the run proposes nothing
        return Outcome(status="none")
    values, optimal, reached = solved
    chosen = {key: values[key] for key in built.x}
    return Outcome(status="optimal" if optimal else "feasible",
                   assignments=to_slots(built.groups, chosen), objectives=reached)


def to_slots(groups, values):
    """Each group's candidates (in id order) fill its slots in order."""
    chosen = {}
    for (candidate_id, index), taken in sorted(values.items()):
        if taken:
            chosen.setdefault(index, []).append(candidate_id)
    assignments = []
    for index, candidates in sorted(chosen.items()):
        places = [slot_id for slot_id, free in groups[index].slots for _ in range(free)]
        assignments += list(zip(candidates, places))
    return sorted(assignments)
