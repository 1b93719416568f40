"""The round's fairness figures (issue 12, point 6), for a run and for first-come.

Definitions, as the organizer's page states them:

- candidates in the round: candidates with at least one wish or accepted invitation;
- with ≥ 1 interview: those of them given at least one interview ÷ candidates in the round;
- got their 1st wish / a top-3 wish: candidates given an interview with the company ranked 1st
  (resp. 1st, 2nd or 3rd) ÷ candidates who ranked at least one company;
- shortlisted pairs met: (candidate, company) pairs the company marked "want to meet" or
  invited (accepted) that got an interview ÷ all such pairs;
- places left empty: free places of open slots before the run that nobody was given.

Every figure is a count with its denominator (JSON-ready), overall and by group.
"""

DIMENSIONS = ("cohort", "operator", "region", "track")


def _counts(candidate_ids, problem, given):
    wishes = problem.wishes
    ranked = [c for c in candidate_ids if any(r is not None for r in wishes.get(c, {}).values())]
    pairs = [(c, k) for c in candidate_ids for k in wishes.get(c, {}) if (c, k) in problem.shortlist]

    def got(candidate_id, best):
        return any(r is not None and r <= best and k in given.get(candidate_id, set())
                   for k, r in wishes.get(candidate_id, {}).items())

    return {
        "candidates": len(candidate_ids),
        "with_interview": sum(1 for c in candidate_ids if given.get(c)),
        "ranked": len(ranked),
        "first_wish": sum(1 for c in ranked if got(c, 1)),
        "top3": sum(1 for c in ranked if got(c, 3)),
        "shortlisted_pairs": len(pairs),
        "shortlisted_met": sum(1 for c, k in pairs if k in given.get(c, set())),
    }


def figures(problem, assignments):
    """The figures of ``assignments`` ([(candidate id, slot id)]) for ``problem``."""
    company_of = {s.id: s.company for s in problem.slots}
    given = {}
    for candidate_id, slot_id in assignments:
        given.setdefault(candidate_id, set()).add(company_of[slot_id])
    in_round = sorted(c.id for c in problem.candidates if problem.wishes.get(c.id))
    places = sum(s.capacity for s in problem.slots if not s.blocked and s.capacity > 0)
    result = _counts(in_round, problem, given)
    result.update(interviews=len(assignments), places=places,
                  places_empty=places - len(assignments))
    groups = {}
    members = {}
    for candidate in problem.candidates:
        if not problem.wishes.get(candidate.id):
            continue
        for dimension, label in candidate.groups:
            members.setdefault(dimension, {}).setdefault(label or "", []).append(candidate.id)
    for dimension in DIMENSIONS:
        groups[dimension] = [
            {"label": label, **_counts(sorted(ids), problem, given)}
            for label, ids in sorted(members.get(dimension, {}).items())
        ]
    result["groups"] = groups
    return result


def share(part, whole):
    """A share in [0, 1], or None when the denominator is 0 (shown as "—")."""
    return part / whole if whole else None
