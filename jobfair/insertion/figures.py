"""The dashboard's figures summed in SQL from the totals of ``insertion_outcomes`` (per fair,
cohort and employer; per fair, follow-up statuses and days to hire; per fair and company:
table.py keeps them with the table), grouped by the chosen dimension: ≈ 3,200 rows at
national scale, not one per candidate (45,000).

Same definitions as rates.py (tests/test_insertion_table.py checks every figure against the
full recompute of ``rates`` over ``queries.rows``): a row with status NULL is an unknown
outcome, "no answer" at every follow-up day unless answered.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Cohort,
    Company,
    Fair,
    InsertionCompanyTotal,
    InsertionFollowUpTotal,
    InsertionTotal,
    Track,
    TrainingOperator,
)
from . import rates
from .table import TOTAL_COUNTERS

Total = InsertionTotal
FollowUps = InsertionFollowUpTotal
CompanyTotal = InsertionCompanyTotal
Employer = aliased(Company, name="employer")


def _group_columns(dimension):
    """(key columns, label column) of a dimension, as rates.group_key reads them."""
    return {
        "fair": ([Fair.id], Fair.name),
        "cohort": ([Cohort.id], Cohort.name),
        "operator": ([TrainingOperator.id], TrainingOperator.name),
        "region": ([Fair.region], Fair.region),
        "track": ([Track.id], Track.name),
        "sector": ([Employer.sector], Employer.sector),
        "company": ([Total.employer_company_id, Total.employer_name],
                    func.coalesce(Employer.name, Total.employer_name)),
    }[dimension]


def _python_key(dimension, keys):
    if dimension == "company":
        company_id, name = keys
        key = company_id if company_id is not None else (f"name:{name}" if name else None)
    else:
        key = keys[0]
    return rates.NO_GROUP if key is None else str(key)


def _counted(filters, dimension):
    """One statement: per group, its size and the counters of the three rates."""
    keys, label = _group_columns(dimension)
    statement = (
        select(*keys, label, *[func.sum(getattr(Total, name)) for name in TOTAL_COUNTERS])
        .select_from(Total)
        .join(Fair, Fair.id == Total.fair_id)
        .where(*filters.conditions())
    )
    if dimension in ("cohort", "operator", "track"):
        statement = statement.outerjoin(Cohort, Cohort.id == Total.cohort_id)
        if dimension == "operator":
            statement = statement.outerjoin(TrainingOperator,
                                            TrainingOperator.id == Cohort.operator_id)
        elif dimension == "track":
            statement = statement.outerjoin(Track, Track.id == Cohort.track_id)
    elif dimension in ("sector", "company"):
        statement = statement.outerjoin(Employer, Employer.id == Total.employer_company_id)
    return statement.group_by(*keys, label)


def _rates(counts):
    size, known, inserted, base, in_field, _conflicts = counts
    return rates.rates_of(size, known, inserted, base, in_field)


def breakdown(filters, dimension):
    """(groups as rates.breakdown gives them, headline rates, total, conflicts)."""
    groups, labels = {}, {}
    n = len(_group_columns(dimension)[0])
    for values in db.session.execute(_counted(filters, dimension)):
        key = _python_key(dimension, values[:n])
        labels[key] = values[n]
        counts = [int(v or 0) for v in values[n + 1:]]
        groups[key] = [a + b for a, b in zip(groups.get(key, [0] * len(TOTAL_COUNTERS)), counts)]
    result = sorted(
        ((key, labels[key], _rates(counts), counts[0]) for key, counts in groups.items()),
        key=lambda g: (g[0] == rates.NO_GROUP, -g[3], str(g[1] or "")))
    totals = [sum(column) for column in zip(*groups.values())] or [0] * len(TOTAL_COUNTERS)
    return result, _rates(totals), totals[0], totals[-1]


def _follow_ups(filters, *columns):
    return (select(*columns, func.sum(FollowUps.count)).join(Fair, Fair.id == FollowUps.fair_id)
            .where(*filters.conditions()).group_by(*columns))


def outcomes_over_time(filters):
    """rates.outcomes_over_time."""
    days = rates.FOLLOW_UP_DAYS
    result = {day: dict.fromkeys(rates.FOLLOW_UP_STATUSES, 0) for day in days}
    for *statuses, number in db.session.execute(
            _follow_ups(filters, *[getattr(FollowUps, f"status_{day}") for day in days])):
        for day, status in zip(days, statuses):
            result[day][status] += int(number)
    return result


def median_days_to_hire(filters):
    """rates.median_days_to_hire, from a histogram of the days."""
    days = []
    for value, number in db.session.execute(
            _follow_ups(filters, FollowUps.days_to_hire)
            .where(FollowUps.days_to_hire.is_not(None))):
        days.extend([value] * int(number))
    return rates.median_of(days)


def company_activity(filters):
    """rates.company_activity: per company, the candidates it held an interview with, has a
    lead on, made an offer to, hired — summed from the fairs' per-company totals (each
    candidate counts once per fair: a participation is one company at one fair; leads and
    outcomes are unique per participation and candidate, and so is an attended booking — the
    partial unique index uq_bookings_live_participation_candidate holds one live booking per
    company)."""
    numbers, names = {}, {}
    statement = (
        select(CompanyTotal.company_id, Company.name, CompanyTotal.metric,
               func.sum(CompanyTotal.count))
        .join(Company, Company.id == CompanyTotal.company_id)
        .join(Fair, Fair.id == CompanyTotal.fair_id).where(*filters.conditions())
        .group_by(CompanyTotal.company_id, Company.name, CompanyTotal.metric))
    for company_id, name, metric, number in db.session.execute(statement):
        names[company_id] = name
        counts = numbers.setdefault(company_id, dict.fromkeys(rates.COMPANY_METRICS, 0))
        counts[metric] += int(number)
    result = [(company_id, names[company_id], counts) for company_id, counts in numbers.items()]
    return sorted(result, key=lambda c: (-c[2]["hires"], -c[2]["interviews"], c[1]))
