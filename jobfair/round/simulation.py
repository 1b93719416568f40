"""First-come on the same wishes: what today's booking would give, for comparison.

Candidates arrive in a random order drawn from ``seed``; each in turn books their wishes in
rank order, taking the earliest slot of the company with a free place that every booking rule
allows (the company's invitations do not exist in first-come). Pure: no database.
"""
import random

from .problem import conflict


def arrival_order(problem, seed):
    order = sorted(c.id for c in problem.candidates)
    random.Random(seed).shuffle(order)
    return order


def first_come(problem, seed):
    """[(candidate id, slot id)] as first-come booking would give them, arrivals drawn from seed."""
    free = {s.id: s.capacity for s in problem.slots if not s.blocked}
    by_company = {}
    for slot in sorted(problem.slots, key=lambda s: (s.starts_at, s.table, s.id)):
        by_company.setdefault(slot.company, []).append(slot)
    rules, assignments = problem.rules, []
    for candidate_id in arrival_order(problem, seed):
        candidate = problem.candidate(candidate_id)
        held = [(b.company, b.starts_at, b.ends_at) for b in problem.booked.get(candidate_id, [])]
        wishes = problem.wishes.get(candidate_id, {})
        ranked = sorted((rank, company) for company, rank in wishes.items() if rank is not None)
        for _rank, company in ranked:
            if len(held) >= rules.max_per_candidate:
                break
            if any(other == company for other, _s, _e in held):
                continue
            for slot in by_company.get(company, []):
                if free.get(slot.id, 0) < 1 or not slot.admits(candidate):
                    continue
                if any(conflict(slot.starts_at, slot.ends_at, start, end, rules.min_gap_minutes)
                       for _c, start, end in held):
                    continue
                free[slot.id] -= 1
                held.append((company, slot.starts_at, slot.ends_at))
                assignments.append((candidate_id, slot.id))
                break
    return sorted(assignments)
