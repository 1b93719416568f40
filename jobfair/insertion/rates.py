"""The insertion figures, as pure functions of candidate rows (one per candidate per fair).

Nothing here touches the database or the request: queries.py builds the facts of each row
(its latest follow-up answers, its company outcomes), ``resolve`` decides what the row counts as,
and the rate functions count rows. The dashboard, the drill-down lists, the exports and the PDF
all use these same functions, so every figure can be traced to its rows.

Rules (DOMAIN.md, issue 6):
- the latest follow-up answer of the (fair, candidate) counts; "no_answer" means unknown;
- a company "hired" counts as employed when the candidate has given no (or only "no_answer")
  answer; when the candidate answered, the latest answer wins — an organizer decides a conflict
  by recording a later answer (source "organizer"), which is then the latest;
- in-field full-time: employed, in field, full time, starting (or, without a start date,
  answering) within 180 days of the fair day.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from statistics import median

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l

from ..models.outcomes import HIRED_CONTRADICTED_BY, REFUSED_OUTCOMES

IN_FIELD_WINDOW_DAYS = 180
FOLLOW_UP_DAYS = (30, 90, 180)
EMPLOYED_STATUSES = ("employed", "own_business")
OFFER_STATUSES = ("offer_made", "hired")
# Same order as jobfair.models.outcomes.FOLLOW_UP_STATUSES (kept here: this module is pure).
FOLLOW_UP_STATUSES = ("employed", "own_business", "education", "seeking", "not_seeking",
                      "no_answer")


@dataclass
class Answer:
    status: str
    source: str
    answered_at: datetime
    id: int = 0
    contract_type: str | None = None
    employer_company_id: int | None = None
    employer_name: str | None = None
    in_field: bool | None = None
    full_time: bool | None = None
    start_date: date | None = None


@dataclass
class CompanyOutcome:
    company_id: int
    company_name: str
    sector: str | None
    status: str
    contract_type: str | None = None
    start_date: date | None = None
    updated_at: datetime | None = None


@dataclass
class Row:
    """One candidate at one fair: identity, groups, activity and the resolved outcome."""

    fair_id: int
    fair_name: str
    fair_day: date
    region: str
    candidate_id: int
    last_name: str = ""
    first_name: str = ""
    email: str = ""
    cohort_id: int | None = None
    cohort_name: str | None = None
    operator_id: int | None = None
    operator_name: str | None = None
    track_id: int | None = None
    track_name: str | None = None
    bookings: int = 0
    attended: int = 0
    attended_company_ids: set = field(default_factory=set)
    lead_company_ids: set = field(default_factory=set)
    outcomes: list = field(default_factory=list)  # CompanyOutcome
    answers: list = field(default_factory=list)  # Answer, any order
    companies: dict = field(default_factory=dict)  # id -> (name, sector) of every company known
    # Resolved by resolve():
    latest: Answer | None = None
    status: str | None = None  # effective status, None = unknown
    source: str | None = None  # candidate / organizer / import / company
    contract_type: str | None = None
    employer_id: int | None = None
    employer_name: str | None = None
    employer_sector: str | None = None
    in_field: bool | None = None
    full_time: bool | None = None
    start_date: date | None = None
    conflict: bool = False
    status_by_day: dict = field(default_factory=dict)

    @property
    def leads(self):
        return len(self.lead_company_ids)

    @property
    def company_hired(self):
        return any(o.status == "hired" for o in self.outcomes)

    @property
    def known(self):
        return self.status is not None

    @property
    def inserted(self):
        return self.status in EMPLOYED_STATUSES

    @property
    def in_insertion_base(self):
        return self.known and self.status != "not_seeking"

    @property
    def in_field_full_time(self):
        if self.status != "employed" or not self.in_field or not self.full_time:
            return False
        started = self.start_date or (self.latest.answered_at.date() if self.latest else None)
        return started is not None and started <= self.fair_day + timedelta(
            days=IN_FIELD_WINDOW_DAYS)

    @property
    def days_to_hire(self):
        if self.status != "employed" or self.start_date is None:
            return None
        return max((self.start_date - self.fair_day).days, 0)

    def offer_company_ids(self):
        return {o.company_id for o in self.outcomes if o.status in OFFER_STATUSES}

    def hire_company_ids(self):
        return {o.company_id for o in self.outcomes if o.status == "hired"}


def latest_answer(answers, until=None):
    """The latest answer (by answered_at, then id), optionally among those given by ``until``."""
    chosen = [a for a in answers if until is None or a.answered_at.date() <= until]
    return max(chosen, key=lambda a: (a.answered_at, a.id), default=None)


def resolve(row):
    """Fill the row's effective outcome from its answers and company outcomes; return it."""
    latest = latest_answer(row.answers)
    row.latest = latest
    hired = [o for o in row.outcomes if o.status == "hired"]
    if latest is not None and latest.status != "no_answer":
        row.status, row.source = latest.status, latest.source
        row.contract_type, row.in_field = latest.contract_type, latest.in_field
        row.full_time, row.start_date = latest.full_time, latest.start_date
        if latest.status == "employed":
            row.employer_id = latest.employer_company_id
            name, sector = row.companies.get(latest.employer_company_id, (None, None))
            row.employer_name = name or latest.employer_name
            row.employer_sector = sector
        # Disagreement the organizer has not settled: a company hired, the candidate says no
        # job; or the candidate names a company that says it did not hire.
        answered_employer = latest.employer_company_id if latest.status == "employed" else None
        contradicting = [o for o in hired if latest.status in HIRED_CONTRADICTED_BY] + [
            o for o in row.outcomes
            if o.status in REFUSED_OUTCOMES and o.company_id == answered_employer]
        # Settled when an organizer answered after the company's last change.
        row.conflict = any(
            latest.source != "organizer"
            or (o.updated_at is not None and latest.answered_at < o.updated_at)
            for o in contradicting)
    elif hired:
        outcome = hired[0]
        row.status, row.source = "employed", "company"
        row.contract_type, row.start_date = outcome.contract_type, outcome.start_date
        row.employer_id, row.employer_name = outcome.company_id, outcome.company_name
        row.employer_sector = outcome.sector
    for day in FOLLOW_UP_DAYS:
        answer = latest_answer(row.answers, until=row.fair_day + timedelta(days=day))
        row.status_by_day[day] = answer.status if answer else "no_answer"
    return row


@dataclass
class Rate:
    key: str
    label: str
    numerator: int
    denominator: int
    definition: str
    numerator_metric: str
    denominator_metric: str

    @property
    def value(self):
        return None if self.denominator == 0 else self.numerator / self.denominator

    def percent(self, locale="en"):
        """"—" when the group is empty, else a percentage with one decimal in ``locale``."""
        if self.value is None:
            return "—"
        return _percent(self.numerator, self.denominator, str(locale))


@lru_cache(maxsize=4096)
def _percent(numerator, denominator, locale):
    # The dashboard shows each rate twice (chart and table) for every group: Babel parsing the
    # pattern each time was a tenth of the page.
    return format_decimal(numerator / denominator * 100, format="0.0", locale=locale) + " %"


KNOWLEDGE_DEFINITION = _l(
    "Candidates with a known outcome ÷ all candidates of the group. An outcome is known when "
    "the candidate's latest follow-up answer is not \"no answer\", or when a company recorded "
    "the candidate as hired.")
INSERTION_DEFINITION = _l(
    "Candidates employed or running their own business ÷ candidates with a known outcome, "
    "excluding those not seeking work. A company's \"hired\" counts as employed when the "
    "candidate has not answered; when they disagree the candidate's latest answer counts, "
    "unless an organizer recorded a later decision.")
IN_FIELD_DEFINITION = _l(
    "Candidates in a full-time job in their field starting within 180 days of the fair ÷ all "
    "candidates of the group (the strictest rate). A company's \"hired\" alone does not say "
    "in-field or full time, so it is not counted here.")

# metric name -> which rows it selects (the drill-down lists use the same predicates)
METRICS = {
    "candidates": lambda row, company: True,
    "known": lambda row, company: row.known,
    "inserted": lambda row, company: row.inserted and row.in_insertion_base,
    "insertion_base": lambda row, company: row.in_insertion_base,
    "in_field_full_time": lambda row, company: row.in_field_full_time,
    "interviews": lambda row, company: company in row.attended_company_ids,
    "leads": lambda row, company: company in row.lead_company_ids,
    "offers": lambda row, company: company in row.offer_company_ids(),
    "hires": lambda row, company: company in row.hire_company_ids(),
    "conflicts": lambda row, company: row.conflict,
}
COMPANY_METRICS = ("interviews", "leads", "offers", "hires")


def count(rows, metric, company=None):
    test = METRICS[metric]
    return sum(1 for row in rows if test(row, company))


def rates(rows):
    """The three headline rates of a set of rows."""
    rows = list(rows)
    return rates_of(len(rows), count(rows, "known"), count(rows, "inserted"),
                    count(rows, "insertion_base"), count(rows, "in_field_full_time"))


def rates_of(size, known, inserted, insertion_base, in_field_full_time):
    """The three rates from their counts (figures.py counts them in SQL)."""
    return [
        Rate("knowledge", _l("Knowledge rate"), known, size,
             KNOWLEDGE_DEFINITION, "known", "candidates"),
        Rate("insertion", _l("Insertion rate"), inserted, insertion_base,
             INSERTION_DEFINITION, "inserted", "insertion_base"),
        Rate("in_field", _l("In-field full-time rate"), in_field_full_time, size,
             IN_FIELD_DEFINITION, "in_field_full_time", "candidates"),
    ]


NO_GROUP = "-"
DIMENSIONS = ("fair", "cohort", "operator", "region", "track", "sector", "company")


def group_key(row, dimension):
    """(key, label) of the row's group; key NO_GROUP when the row has none (label None)."""
    pairs = {
        "fair": (row.fair_id, row.fair_name),
        "cohort": (row.cohort_id, row.cohort_name),
        "operator": (row.operator_id, row.operator_name),
        "region": (row.region, row.region),
        "track": (row.track_id, row.track_name),
        "sector": (row.employer_sector, row.employer_sector),
        "company": (row.employer_id if row.employer_id is not None else (
            f"name:{row.employer_name}" if row.employer_name else None), row.employer_name),
    }
    key, label = pairs[dimension]
    return (NO_GROUP, None) if key is None else (str(key), label)


def breakdown(rows, dimension):
    """[(key, label, rates, size)] per group of ``dimension``, largest group first."""
    groups = {}
    labels = {}
    for row in rows:
        key, label = group_key(row, dimension)
        groups.setdefault(key, []).append(row)
        labels[key] = label
    result = [(key, labels[key], rates(members), len(members))
              for key, members in groups.items()]
    return sorted(result, key=lambda g: (g[0] == NO_GROUP, -g[3], str(g[1] or "")))


def in_group(row, dimension, value):
    return dimension is None or group_key(row, dimension)[0] == value


def companies_met(row):
    """The companies a company metric can count this row for (each tests one of these sets)."""
    return row.attended_company_ids | row.lead_company_ids | row.offer_company_ids()


def company_activity(rows, companies):
    """Per company (id -> (name, sector)): interviews held, leads, offers, hires.

    One pass over the rows, asking the METRICS predicates only for the companies the row met:
    asking them for every company of every row was companies × rows calls (300 × 32,000 at
    national scale, 13 s a page).
    """
    numbers = {}
    for row in rows:
        for company_id in companies_met(row):
            if company_id not in companies:
                continue
            counts = numbers.setdefault(company_id, dict.fromkeys(COMPANY_METRICS, 0))
            for metric in COMPANY_METRICS:
                if METRICS[metric](row, company_id):
                    counts[metric] += 1
    result = [(company_id, companies[company_id][0], counts)
              for company_id, counts in numbers.items() if any(counts.values())]
    return sorted(result, key=lambda c: (-c[2]["hires"], -c[2]["interviews"], c[1]))


def outcomes_over_time(rows):
    """{day: {status: count}} of the latest answer given by each follow-up day."""
    result = {day: dict.fromkeys(FOLLOW_UP_STATUSES, 0) for day in FOLLOW_UP_DAYS}
    for row in rows:
        for day in FOLLOW_UP_DAYS:
            result[day][row.status_by_day.get(day, "no_answer")] += 1
    return result


def median_days_to_hire(rows):
    """(median days from the fair day to the job's start, number of hires with a start date)."""
    return median_of([row.days_to_hire for row in rows if row.days_to_hire is not None])


def median_of(days):
    """(median of ``days`` or None, how many)."""
    return (median(days) if days else None), len(days)
