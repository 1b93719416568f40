"""The resolved outcome of each (fair, candidate) that counts at the fair, and its totals per
fair (what the insertion dashboard sums).

Written by ``jobfair.insertion.table`` in the same transaction as every change of what they
are resolved from (see jobfair/insertion/README.md); ``flask jobfair insertion rebuild``
recomputes them. Labels (fair, cohort, company names, sectors) are not copied: the dashboard
joins them, so renaming a company never leaves a stale row.
"""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class InsertionOutcome(db.Model):
    __tablename__ = "insertion_outcomes"

    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), primary_key=True,
                                              index=True)
    status: Mapped[str | None] = mapped_column(String(20))  # None: outcome not known
    employer_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    employer_name: Mapped[str | None] = mapped_column(String(200))  # typed, no company chosen
    in_field_full_time: Mapped[bool] = mapped_column(default=False)
    conflict: Mapped[bool] = mapped_column(default=False)
    days_to_hire: Mapped[int | None]
    status_30: Mapped[str] = mapped_column(String(20), default="no_answer")
    status_90: Mapped[str] = mapped_column(String(20), default="no_answer")
    status_180: Mapped[str] = mapped_column(String(20), default="no_answer")


class InsertionTotal(db.Model):
    """``insertion_outcomes`` counted per fair, cohort and employer: the dashboard sums these
    rows (≈ 3,200 at national scale) instead of one row per candidate (45,000).

    Additive: a key may have several rows (a new pair adds a row of 1, see
    jobfair/insertion/table.py), every read sums them; a fair's rows are recounted whenever
    its rows of insertion_outcomes change. The cohort is the candidate's (candidates change
    cohort only through refresh_membership's callers); names, sectors, operators and tracks
    are joined.
    """
    __tablename__ = "insertion_totals"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"))
    employer_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    employer_name: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(default=0)
    known: Mapped[int] = mapped_column(default=0)
    inserted: Mapped[int] = mapped_column(default=0)
    insertion_base: Mapped[int] = mapped_column(default=0)
    in_field_full_time: Mapped[int] = mapped_column(default=0)
    conflicts: Mapped[int] = mapped_column(default=0)


class InsertionFollowUpTotal(db.Model):
    """``insertion_outcomes`` counted per fair, 30/90/180-day statuses and days to hire (the
    dashboard's "over time" table and median); additive like InsertionTotal."""
    __tablename__ = "insertion_follow_up_totals"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    status_30: Mapped[str] = mapped_column(String(20))
    status_90: Mapped[str] = mapped_column(String(20))
    status_180: Mapped[str] = mapped_column(String(20))
    days_to_hire: Mapped[int | None]
    count: Mapped[int] = mapped_column(default=0)


class InsertionCompanyTotal(db.Model):
    """Per fair and company, the dashboard's "Per company" numbers (metric: interviews held,
    leads, offers, hires) counted from bookings, leads and outcomes; recounted with the fair's
    other totals and after every attendance mark and new lead (jobfair/insertion/table.py)."""
    __tablename__ = "insertion_company_totals"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    metric: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(default=0)
