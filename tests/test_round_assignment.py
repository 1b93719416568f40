"""The round's solver, first-come simulation and figures on plain values (no database, no HTTP).

Property tests generate small fairs (slots with capacities, tables, prerequisites, blocked
slots; wishes, shortlists, interviews already booked; the fair's rules) and check that every
booking rule holds in the result, that the seeded lottery gives the same result twice, and
that the round never gives fewer candidates an interview than first-come.
"""
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobfair.round.assignment import solve
from jobfair.round.figures import figures, share
from jobfair.round.problem import (
    Booked,
    CandidateInput,
    Problem,
    Rules,
    SlotInput,
    violations,
)
from jobfair.round.simulation import first_come

NINE = datetime(2026, 12, 20, 9, 0)
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def problems(draw):
    companies = list(range(1, draw(st.integers(1, 4)) + 1))
    tracks, cohorts = (10, 11), (20, 21)
    candidates = [CandidateInput(id=i, cohort=draw(st.sampled_from(cohorts)),
                                 track=draw(st.sampled_from(tracks)),
                                 groups=(("cohort", "P1"), ("track", "Java")))
                  for i in range(1, draw(st.integers(1, 8)) + 1)]
    slots = []
    for slot_id in range(1, draw(st.integers(0, 12)) + 1):
        start = NINE + timedelta(minutes=10 * draw(st.integers(0, 12)))
        slots.append(SlotInput(
            id=slot_id, company=draw(st.sampled_from(companies)), table=draw(st.integers(1, 2)),
            starts_at=start, ends_at=start + timedelta(minutes=draw(st.sampled_from((10, 20, 30)))),
            capacity=draw(st.integers(0, 2)), blocked=draw(st.booleans()) and draw(st.booleans()),
            tracks=frozenset(draw(st.sets(st.sampled_from(tracks), max_size=1))),
            cohorts=frozenset(draw(st.sets(st.sampled_from(cohorts), max_size=1)))))
    wishes, shortlist, booked = {}, set(), {}
    for candidate in candidates:
        chosen = draw(st.lists(st.sampled_from(companies), unique=True, max_size=len(companies)))
        ranks = {company: rank for rank, company in enumerate(chosen, start=1)}
        if ranks and draw(st.booleans()):  # the last one is an accepted invitation instead
            ranks[chosen[-1]] = None
        wishes[candidate.id] = ranks
        shortlist |= {(candidate.id, k) for k in chosen if draw(st.booleans())}
        if draw(st.integers(0, 5)) == 0:
            start = NINE + timedelta(minutes=10 * draw(st.integers(0, 12)))
            booked[candidate.id] = [Booked(company=99, starts_at=start,
                                           ends_at=start + timedelta(minutes=20))]
    rules = Rules(max_per_candidate=draw(st.integers(1, 3)),
                  min_gap_minutes=draw(st.sampled_from((0, 5, 15))))
    return Problem(candidates=candidates, wishes=wishes, shortlist=shortlist, slots=slots,
                   rules=rules, booked=booked)


def with_interview(problem, assignments):
    return figures(problem, assignments)["with_interview"]


@SETTINGS
@given(problems(), st.integers(0, 2 ** 31 - 1))
def test_every_booking_rule_holds_in_the_assignment(problem, seed):
    outcome = solve(problem, seed, time_limit=10)
    assert outcome.status == "optimal"
    assert violations(problem, outcome.assignments) == []


@SETTINGS
@given(problems(), st.integers(0, 2 ** 31 - 1))
def test_the_same_seed_and_inputs_give_the_same_result(problem, seed):
    first = solve(problem, seed, time_limit=10)
    again = solve(problem, seed, time_limit=10)
    assert first.assignments == again.assignments
    assert first.objectives == again.objectives


@SETTINGS
@given(problems(), st.integers(0, 2 ** 31 - 1))
def test_first_come_keeps_the_rules_and_never_beats_the_round_on_candidates_met(problem, seed):
    simulated = first_come(problem, seed)
    assert violations(problem, simulated) == []
    assert first_come(problem, seed) == simulated
    outcome = solve(problem, seed, time_limit=10)
    assert with_interview(problem, outcome.assignments) >= with_interview(problem, simulated)


# --- The order of the objectives, on small examples --------------------------------------------


def slot(slot_id, company, minute=0, capacity=1, **fields):
    start = NINE + timedelta(minutes=minute)
    return SlotInput(id=slot_id, company=company, table=company, starts_at=start,
                     ends_at=start + timedelta(minutes=20), capacity=capacity, **fields)


def people(*ids):
    return [CandidateInput(id=i) for i in ids]


def test_one_interview_for_two_candidates_before_two_for_one():
    # Candidate 1 wishes A then B, candidate 2 only A; A and B have one place each.
    problem = Problem(candidates=people(1, 2), wishes={1: {"A": 1, "B": 2}, 2: {"A": 1}},
                      shortlist=set(), slots=[slot(1, "A"), slot(2, "B", minute=60)],
                      rules=Rules(max_per_candidate=2))
    assert solve(problem, seed=1).assignments == [(1, 2), (2, 1)]


def test_a_shortlisted_candidate_comes_first_for_the_companys_place():
    problem = Problem(candidates=people(1, 2), wishes={1: {"A": 1}, 2: {"A": 1}},
                      shortlist={(2, "A")}, slots=[slot(1, "A")])
    for seed in range(5):
        assert solve(problem, seed).assignments == [(2, 1)]


def test_a_first_wish_before_someone_elses_third():
    problem = Problem(candidates=people(1, 2),
                      wishes={1: {"B": 1, "C": 2, "A": 3}, 2: {"A": 1, "C": 2}},
                      shortlist=set(), slots=[slot(1, "A"), slot(2, "C", minute=60)],
                      rules=Rules(max_per_candidate=1))
    assert solve(problem, seed=3).assignments == [(1, 2), (2, 1)]


def test_the_lottery_decides_a_true_tie_and_different_seeds_can_differ():
    problem = Problem(candidates=people(1, 2), wishes={1: {"A": 1}, 2: {"A": 1}},
                      shortlist=set(), slots=[slot(1, "A")])
    winners = {solve(problem, seed).assignments[0][0] for seed in range(20)}
    assert winners == {1, 2}


def test_the_gap_and_prerequisites_are_kept():
    problem = Problem(candidates=[CandidateInput(id=1, track=10)],
                      wishes={1: {"A": 1, "B": 2, "C": 3}}, shortlist=set(),
                      slots=[slot(1, "A"), slot(2, "B", minute=25), slot(3, "C", minute=90,
                                                                        tracks=frozenset({11}))],
                      rules=Rules(max_per_candidate=3, min_gap_minutes=10))
    assert solve(problem, seed=0).assignments == [(1, 1)]


def test_nothing_to_assign_is_not_a_failure():
    problem = Problem(candidates=people(1), wishes={1: {"A": 1}}, shortlist=set(), slots=[])
    outcome = solve(problem, seed=0)
    assert outcome.status == "optimal" and outcome.assignments == []


def test_figures_count_with_their_denominators():
    problem = Problem(
        candidates=[CandidateInput(id=1, groups=(("cohort", "P1"),)),
                    CandidateInput(id=2, groups=(("cohort", "P2"),)),
                    CandidateInput(id=3, groups=(("cohort", "P2"),))],
        wishes={1: {"A": 1, "B": 2}, 2: {"B": 1, "A": 2}, 3: {}},
        shortlist={(1, "B"), (2, "B")},
        slots=[slot(1, "A"), slot(2, "B", minute=60), slot(3, "B", minute=120)])
    result = figures(problem, [(1, 1), (2, 2)])
    assert result["candidates"] == 2  # candidate 3 wished for nobody
    assert (result["with_interview"], result["first_wish"], result["top3"]) == (2, 2, 2)
    assert (result["shortlisted_met"], result["shortlisted_pairs"]) == (1, 2)
    assert (result["places"], result["places_empty"]) == (3, 1)
    by_cohort = {g["label"]: g for g in result["groups"]["cohort"]}
    assert by_cohort["P2"]["candidates"] == 1 and by_cohort["P1"]["shortlisted_met"] == 0
    assert share(1, 2) == 0.5 and share(0, 0) is None


def test_a_solver_that_finds_nothing_in_time_proposes_nothing(monkeypatch):
    from ortools.sat.python import cp_model

    from jobfair.round import decomposed

    monkeypatch.setattr(cp_model.CpSolver, "solve", lambda self, model, *args: cp_model.UNKNOWN)
    monkeypatch.setattr(decomposed, "_choose_pairs_by_flow", lambda *args: None)
    problem = Problem(candidates=people(1), wishes={1: {"A": 1}}, shortlist=set(),
                      slots=[slot(1, "A")])
    outcome = solve(problem, seed=0, time_limit=1)
    assert outcome.status == "none" and outcome.assignments == []


# --- The two-phase model of big fairs (decomposed.py) -------------------------------------------


def two_phases(problem, seed):
    from unittest import mock

    from jobfair.round import assignment

    with mock.patch.object(assignment, "WHOLE_MODEL_LIMIT", -1):
        return solve(problem, seed, time_limit=10)


@SETTINGS
@given(problems(), st.integers(0, 2 ** 31 - 1))
def test_the_two_phase_model_keeps_every_rule_and_is_reproducible(problem, seed):
    outcome = two_phases(problem, seed)
    assert violations(problem, outcome.assignments) == []
    assert two_phases(problem, seed).assignments == outcome.assignments
    if outcome.status == "optimal":  # every chosen pair placed: the whole model's optimum
        whole = solve(problem, seed, time_limit=10)
        for figure in ("with_interview", "shortlisted_met"):
            assert figures(problem, outcome.assignments)[figure] == \
                figures(problem, whole.assignments)[figure]


def test_a_crowded_fair_the_round_beats_first_come():
    from bench.round import national_fair

    problem = national_fair(candidates=600, companies=40, times=10)
    outcome = solve(problem, seed=42, time_limit=30)
    assert outcome.status == "optimal" and violations(problem, outcome.assignments) == []
    ours, theirs = figures(problem, outcome.assignments), figures(problem, first_come(problem, 42))
    assert ours["with_interview"] > theirs["with_interview"]
    assert ours["shortlisted_met"] > theirs["shortlisted_met"]


def regional_fair(candidates=60, companies=6, seed=3):
    """A regional fair of bench/round_fairs.py's data set, small: every company full.

    20-minute slots back to back with a 15-minute gap (two interviews of a candidate never
    in neighbouring slots), a first table all day and a second one in the morning, a few
    slots reserved to a track (mostly one the fair's candidates do not follow), wishes drawn
    by a Zipf popularity, one in five shortlisted. Counted per company, the reserved places
    made the pairs phase choose pairs no time could hold, then the placement ran to the time
    limit; the greedy placement alone still leaves some pairs out (a company's reserved place
    taken too late, neighbouring slots closed by the gap).
    """
    import random

    rng = random.Random(seed)
    slots, number = [], 0
    for company in range(1, companies + 1):
        for table, times in ((1, 12), (2, 6)):
            for index in range(times):
                number += 1
                start = NINE + timedelta(minutes=20 * index)
                # Reserved to one of four tracks, one of them the fair's track 10.
                reserved = frozenset({rng.choice((10, 97, 98, 99))}) if rng.random() < 0.1 \
                    else frozenset()
                slots.append(SlotInput(id=number, company=company, table=company * 10 + table,
                                       starts_at=start, ends_at=start + timedelta(minutes=20),
                                       capacity=1, tracks=reserved))
    popularity = [1 / k for k in range(1, companies + 1)]
    people_, wishes, shortlist = [], {}, set()
    for candidate in range(1, candidates + 1):
        people_.append(CandidateInput(id=candidate, track=10 + candidate % 2))
        chosen = []
        while len(chosen) < 5:
            pick = rng.choices(range(1, companies + 1), popularity)[0]
            if pick not in chosen:
                chosen.append(pick)
        wishes[candidate] = {k: rank for rank, k in enumerate(chosen, start=1)}
        shortlist |= {(candidate, k) for k in chosen if rng.random() < 0.2}
    return Problem(candidates=people_, wishes=wishes, shortlist=shortlist, slots=slots,
                   rules=Rules(max_per_candidate=3, min_gap_minutes=15))


def test_a_full_regional_fair_reaches_the_whole_models_optimum_in_two_phases():
    import time

    from jobfair.round import decomposed, placement
    from jobfair.round.assignment import _Model, lexicographic, slot_groups

    problem = regional_fair()
    places = sum(s.capacity for s in problem.slots)
    assert len(problem.candidates) < places < 2 * len(problem.candidates)
    groups = slot_groups(problem)
    options = decomposed._options(problem, groups)
    chosen, _optimal, _reached, draw = decomposed._choose_pairs_by_flow(problem, groups,
                                                                        options, 42)
    assert len(placement.greedy(problem, groups, options, chosen, draw)) < len(chosen)

    outcome = two_phases(problem, seed=42)
    assert violations(problem, outcome.assignments) == []
    assert outcome.status == "optimal"
    assert outcome.objectives["pairs_placed"] == outcome.objectives["pairs_chosen"]
    assert two_phases(problem, seed=42).assignments == outcome.assignments
    # The whole model's first two stages, proven optimal: the values the two phases must reach.
    whole = _Model(problem, 42)
    _values, optimal, best = lexicographic(
        whole.model, whole.variables(), whole.objectives()[:2], whole.first_come_values(42),
        42, 120, 8, time.monotonic())
    assert optimal
    ours = figures(problem, outcome.assignments)
    assert ours["with_interview"] == best["candidates_met"] == len(problem.candidates)
    assert ours["shortlisted_met"] == best["shortlisted_met"]


def test_the_cp_sat_pairs_phase_counts_reserved_places_as_the_flow_does(monkeypatch):
    # Used when the flow's cost levels would not fit in 64 bits: the same first three
    # objectives (candidates met, shortlisted pairs met, rank quality), the lottery aside.
    from jobfair.round import decomposed
    from jobfair.round.assignment import _score

    problem = regional_fair()
    by_flow = _score(problem, two_phases(problem, seed=42).assignments)
    monkeypatch.setattr(decomposed, "_choose_pairs_by_flow", lambda *args: None)
    outcome = two_phases(problem, seed=42)
    assert violations(problem, outcome.assignments) == []
    assert outcome.status == "optimal"
    assert _score(problem, outcome.assignments) == by_flow


def test_pairs_no_time_can_hold_are_not_counted_as_met():
    # A and B only at 9:00, C at 10:00: two interviews fit the day, and the pairs phase (no
    # times) takes the two shortlisted ones, A and B; only one of them is placed.
    problem = Problem(candidates=people(1), wishes={1: {"A": 1, "B": 2, "C": 3}},
                      shortlist={(1, "A"), (1, "B")},
                      slots=[slot(1, "A"), slot(2, "B"), slot(3, "C", minute=60)],
                      rules=Rules(max_per_candidate=2))
    outcome = two_phases(problem, seed=0)
    assert outcome.status == "feasible" and violations(problem, outcome.assignments) == []
    assert outcome.objectives["pairs_chosen"] == 2 and outcome.objectives["pairs_placed"] == 1
    assert outcome.objectives["shortlisted_met"] == 1 == figures(
        problem, outcome.assignments)["shortlisted_met"]
    assert solve(problem, seed=0).status == "optimal"  # the whole model, small enough, runs too


def test_a_short_day_gives_no_candidate_more_companies_than_its_times_can_hold():
    import time

    from jobfair.round.assignment import _solve_whole

    # Three back-to-back times and a 15-minute gap: two interviews at most (9:00 and 9:40).
    slots = [slot(10 * k + 3 * table + i, k, minute=20 * i) for k in (1, 2, 3, 4)
             for table in (0, 1) for i in range(3)]
    problem = Problem(candidates=people(*range(1, 9)),
                      wishes={c: {1 + (c + j) % 4: j + 1 for j in range(3)} for c in range(1, 9)},
                      shortlist={(c, 1 + c % 4) for c in range(1, 9)}, slots=slots,
                      rules=Rules(max_per_candidate=3, min_gap_minutes=15))
    outcome = two_phases(problem, seed=5)
    assert violations(problem, outcome.assignments) == []
    assert outcome.status == "optimal"
    whole = _solve_whole(problem, 5, 30, 8, time.monotonic())
    assert whole.status == "optimal"
    assert assignment_score(problem, outcome.assignments) == assignment_score(
        problem, whole.assignments)
    assert len(outcome.assignments) == 16  # two each: every time the day can hold


def assignment_score(problem, assignments):
    from jobfair.round.assignment import _score

    return _score(problem, assignments)
