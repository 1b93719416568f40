"""The round's bench is a scenario of ``python -m bench`` (``--only round``): its figures, in the
"Booking round" section, say the solve's time and memory and the round beside first-come."""
from types import SimpleNamespace

from bench import __main__ as orchestrator
from bench import round as round_bench


def test_round_is_a_scenario_of_the_bench_run_once():
    args = orchestrator.parse(["--only", "round", "--db", "sqlite"])
    assert args.scenarios == ["round"]
    assert "round" in orchestrator.IN_PROCESS and round_bench.WHEN == "once"


def test_the_round_scenario_reports_time_memory_and_both_sides(tmp_path):
    ctx = SimpleNamespace(quick=True, runs=1, workdir=tmp_path, log=lambda message: None)
    figures = {f.name: f for f in round_bench.run(ctx)}
    assert {f.section for f in figures.values()} == {"Booking round"}
    [solve] = [f for name, f in figures.items() if name.startswith("Assignment, ")]
    assert solve.met is True and solve.unit == "s"
    assert figures["Peak RSS of the solve"].values[0] > 0
    ours = figures["Candidates with ≥ 1 interview: round"]
    theirs = figures["Candidates with ≥ 1 interview: first-come"]
    assert ours.values[0] >= theirs.values[0]
    for label, _part, _whole in round_bench.FIGURES:
        assert f"{label}: round" in figures and f"{label}: first-come" in figures


def test_the_regional_bench_solves_one_fair_of_the_data_set_phase_by_phase():
    from bench import round_regional

    name, problem = round_regional.fair_problem(round_regional.data_set(), 3)
    assert 1000 <= len(problem.candidates) <= 1250 and problem.rules.min_gap_minutes == 15
    assert any(s.tracks for s in problem.slots)  # the reserved places that trapped phase A
    report = round_regional.phases(problem, seed=42, time_limit=55)
    assert report["phase_a"]["pairs"] == report["phase_b"]["placed"]
    assert report["solve"]["status"] == "optimal" and report["solve"]["violations"] == 0
    assert report["solve"]["score"][0] == len(problem.candidates) and name


def test_the_round_beats_first_come_on_a_fair_of_the_bench_data_set():
    """Issue 12: on the data set of ``make bench`` (fair 3, a regional fair of 1,250
    candidates), the round gives more candidates at least one interview than first-come on
    the same wishes (arrivals drawn from the same seed)."""
    from bench import round_regional
    from jobfair.round.figures import figures
    from jobfair.round.simulation import first_come

    _name, problem = round_regional.fair_problem(round_regional.data_set(), 3)
    report = round_regional.phases(problem, seed=42, time_limit=55)
    ours = report["solve"]["score"][0]
    theirs = figures(problem, first_come(problem, 42))["with_interview"]
    assert theirs < ours, (theirs, ours)
