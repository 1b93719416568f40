"""Retention: CVs and contact details go N months after the last fair that invited the candidate
(12 by default, set per fair), with one warning email a month before; all of it audited."""
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from jobfair.extensions import db
from jobfair.models import AuditEvent, Candidate, OutboxMessage, RetentionWarning
from jobfair.privacy import retention, services
from jobfair.timeutil import local_today

PDF = b"%PDF-1.4\n% cv\n%%EOF\n"


@pytest.fixture
def held(make, app, tmp_path, monkeypatch):
    """Hind, invited to a fair held 11 months and 2 weeks ago: her data goes in two weeks."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    (tmp_path / "cvs").mkdir()
    name = "fedcba9876543210fedcba9876543210.pdf"
    (tmp_path / "cvs" / name).write_bytes(PDF)
    cohort = make.cohort()
    day = local_today() - relativedelta(months=12) + timedelta(days=14)
    fair = make.fair(day=day, status="closed", name="Forum Tanger")
    fair.cohorts.append(cohort)
    person = make.bookable_candidate(cohort, email="hind@example.ma", cv_filename=name,
                                     linkedin_url="https://www.linkedin.com/in/hind")
    person.first_name, person.last_name = "Hind", "Tazi"
    db.session.commit()
    return {"fair": fair, "person": person, "cv": tmp_path / "cvs" / name, "day": day}


def candidate_of(held):
    db.session.expire_all()
    return db.session.get(Candidate, held["person"].candidate.id)


def test_a_month_before_one_warning_email_then_the_deletion(runner, held):
    result = runner.invoke(args=["jobfair", "retention"])
    assert result.exit_code == 0 and "1 warned, 0 deleted" in result.output
    assert runner.invoke(args=["jobfair", "retention"]).output.strip() == "0 warned, 0 deleted."
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.recipient == "hind@example.ma" and "/me/data" in message.body_text
    assert candidate_of(held).cv_filename is not None  # not yet
    due = held["day"] + relativedelta(months=12)
    warning = db.session.scalars(select(RetentionWarning)).one()
    assert warning.due_on == due

    outcome = retention.run(due)
    db.session.commit()
    assert (outcome.warned, outcome.deleted) == (0, 1)
    candidate = candidate_of(held)
    assert candidate.phone is None and candidate.linkedin_url is None
    assert candidate.cv_filename is None
    assert candidate.user.email == "hind@example.ma"  # the account stays
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["privacy.retention_warned", "privacy.retention_deleted"]


def test_the_command_deletes_the_file_once_committed(runner, held, make):
    held["fair"].day = held["day"] - relativedelta(months=1)
    db.session.commit()
    result = runner.invoke(args=["jobfair", "retention"])
    assert "0 warned, 1 deleted" in result.output
    assert not held["cv"].exists()


def test_a_later_fair_keeps_the_data_and_the_setting_moves_the_date(make, held):
    organizer = make.user(role="organizer")
    later = make.fair(day=local_today() + timedelta(days=30), status="published")
    later.cohorts.append(held["person"].candidate.cohort)
    db.session.flush()
    assert retention.run(local_today()).warned == 0  # the later fair's 12 months count
    services.update_settings(later, 1, "first_name", organizer)
    services.update_settings(held["fair"], 1, "first_name", organizer)
    db.session.flush()
    assert retention.run(local_today() + timedelta(days=45)).warned == 1
    assert retention.run(local_today() + timedelta(days=61)).deleted == 1


def test_nothing_to_delete_means_no_email(make, held):
    held["person"].candidate.cv_filename = None
    held["person"].candidate.phone = None
    held["person"].candidate.linkedin_url = None
    db.session.flush()
    assert retention.run(local_today()).warned == 0
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_default_is_twelve_months(held):
    deadlines = retention.deadlines_by_cohort()
    assert deadlines[held["person"].candidate.cohort_id] == held["day"] + relativedelta(months=12)
    assert retention.retention_deadline(date(2026, 3, 31), 12) == date(2027, 3, 31)
