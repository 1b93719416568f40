"""The resolved outcome of each (fair, candidate) with an outcome or a follow-up answer.

Written by ``jobfair.insertion.table.refresh`` in the same transaction as every change of what
it is resolved from (see jobfair/insertion/README.md); ``flask jobfair insertion rebuild``
recomputes it. Labels (fair, cohort, company names, sectors) are not copied: the dashboard
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
