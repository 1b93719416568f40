"""The round's inputs as plain values, and the booking rules checked on them.

Nothing here touches the database: the services read the fair into a ``Problem``, the solver
and the first-come simulation take it, and ``violations`` says which booking rule an
assignment breaks (the property tests and the solver's own final check use it).
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CandidateInput:
    id: int
    cohort: int | None = None
    track: int | None = None
    # Names of the groups the figures are broken down by: {"cohort": "…", "operator": "…", …}.
    groups: tuple = ()


@dataclass(frozen=True)
class SlotInput:
    id: int
    company: int  # the participation
    table: int
    starts_at: datetime
    ends_at: datetime
    capacity: int  # the places still free
    blocked: bool = False
    # Prerequisites: empty means everyone; otherwise the candidate's track / cohort must be in it.
    tracks: frozenset = frozenset()
    cohorts: frozenset = frozenset()

    def admits(self, candidate):
        if self.tracks and candidate.track not in self.tracks:
            return False
        if self.cohorts and candidate.cohort not in self.cohorts:
            return False
        return True


@dataclass(frozen=True)
class Booked:
    """An interview the candidate already has (it counts for every rule)."""

    company: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Rules:
    max_per_candidate: int = 3
    min_gap_minutes: int = 0


@dataclass
class Problem:
    candidates: list  # [CandidateInput]
    # candidate id -> {company: rank}; rank None for a company's invitation the candidate accepted.
    wishes: dict
    shortlist: set  # {(candidate id, company)}: the company wants to meet the candidate
    slots: list  # [SlotInput]
    rules: Rules = field(default_factory=Rules)
    booked: dict = field(default_factory=dict)  # candidate id -> [Booked]

    def candidate(self, candidate_id):
        return self._by_id()[candidate_id]

    def _by_id(self):
        if getattr(self, "_index", None) is None:
            self._index = {c.id: c for c in self.candidates}
        return self._index


def conflict(starts_a, ends_a, starts_b, ends_b, gap_minutes):
    """Two interviews overlap, or leave less than the fair's minimum gap between them."""
    gap = timedelta(minutes=gap_minutes)
    return starts_a < ends_b + gap and starts_b < ends_a + gap


def violations(problem, assignments):
    """Every booking rule that ``assignments`` ([(candidate id, slot id)]) breaks, as text."""
    slots = {s.id: s for s in problem.slots}
    found, used = [], {}
    per_candidate = {}
    for candidate_id, slot_id in assignments:
        slot = slots.get(slot_id)
        if slot is None:
            found.append(f"{candidate_id}: unknown slot {slot_id}")
            continue
        used[slot_id] = used.get(slot_id, 0) + 1
        per_candidate.setdefault(candidate_id, []).append(slot)
        wished = problem.wishes.get(candidate_id, {})
        if slot.company not in wished:
            found.append(f"{candidate_id}: company {slot.company} not wished")
        if slot.blocked:
            found.append(f"{candidate_id}: slot {slot_id} is blocked")
        if not slot.admits(problem.candidate(candidate_id)):
            found.append(f"{candidate_id}: prerequisites of slot {slot_id}")
    for slot_id, count in used.items():
        if count > slots[slot_id].capacity:
            found.append(f"slot {slot_id}: {count} > capacity {slots[slot_id].capacity}")
    rules = problem.rules
    for candidate_id, mine in per_candidate.items():
        booked = problem.booked.get(candidate_id, [])
        interviews = [(s.company, s.starts_at, s.ends_at) for s in mine] + [
            (b.company, b.starts_at, b.ends_at) for b in booked]
        if len(interviews) > rules.max_per_candidate:
            found.append(f"{candidate_id}: {len(interviews)} > {rules.max_per_candidate}")
        companies = [company for company, _s, _e in interviews]
        if len(set(companies)) != len(companies):
            found.append(f"{candidate_id}: two interviews with one company")
        for i, (_c, start_a, end_a) in enumerate(interviews):
            for _d, start_b, end_b in interviews[i + 1:]:
                if conflict(start_a, end_a, start_b, end_b, rules.min_gap_minutes):
                    found.append(f"{candidate_id}: overlap or gap at {start_a}/{start_b}")
    return found
