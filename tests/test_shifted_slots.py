"""A time-zone rule change moves stored interviews by an hour; `flask jobfair shifted-slots`
finds them and `--fix` puts them back at the local time meant.

The rule change is simulated: the slots are written while Casablanca's rules say one hour more
than today's pytz says for the fair's day (as an older tzdata did before Morocco's 2026
change), then read back with today's rules.
"""
import re
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytest
import pytz
from sqlalchemy import select

from jobfair import timeutil
from jobfair.extensions import db
from jobfair.models import Slot

from . import test_booking_races

world = test_booking_races.world  # the open fair and its two companies


@pytest.fixture
def older_rules(world, monkeypatch):
    """A block run under rules that give the fair's day one hour more than today's."""
    today = timeutil.local_offset_minutes(datetime.combine(world.fair.day, time(9)))

    @contextmanager
    def rules():
        with monkeypatch.context() as patch:
            patch.setattr(timeutil, "LOCAL_TZ", pytz.FixedOffset(today + 60))
            yield

    return rules


def schedule_times(auth, world, person):
    """The interview times the candidate's schedule shows."""
    auth.login_as(person)
    page = auth.client.get(world.schedule).text
    auth.logout()
    return [t.replace("\u202f", " ") for t in
            re.findall(r'<span class="bk-time">([^<]+)</span>', page)]


def starts(slot):
    db.session.expire_all()
    return timeutil.utc_to_local(db.session.get(Slot, slot.id).starts_at)


def test_slots_written_under_older_rules_are_found_and_put_back(make, runner, auth, world,
                                                                 older_rules):
    day = world.fair.day
    person = make.bookable_candidate(world.cohort, email="salma@example.ma")
    with older_rules():
        shifted = [make.slot_at(world.table_a, 10), make.slot_at(world.table_a, 10, 20)]
        make.booking(shifted[0], person)
    steady = make.slot_at(world.table_k, 11)  # written under today's rules: not moved
    past_fair = make.fair(day=day - timedelta(days=30), status="closed")
    with older_rules():
        past = make.slot_at(make.table(make.participation(past_fair, make.company())), 10)
    db.session.commit()

    # Today's rules read them an hour early: the candidate would come at 09:00.
    assert starts(shifted[0]) == datetime.combine(day, time(9))
    assert schedule_times(auth, world, person) == ["9:00 AM–9:20 AM"]

    listed = runner.invoke(args=["jobfair", "shifted-slots"])
    assert listed.exit_code == 0, listed.output
    assert f"meant {day:%Y-%m-%d} 10:00, shown {day:%Y-%m-%d} 09:00 (1 booked)" in listed.output
    assert f"meant {day:%Y-%m-%d} 10:20, shown {day:%Y-%m-%d} 09:20 (0 booked)" in listed.output
    assert "Atlas Digital · Salma" in listed.output and "Kasbah" not in listed.output
    assert "2 slots shifted: run again with --fix" in listed.output
    assert starts(shifted[0]) == datetime.combine(day, time(9))  # nothing moved yet

    fixed = runner.invoke(args=["jobfair", "shifted-slots", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert "2 slots put back at the local time meant." in fixed.output
    assert [starts(s) for s in shifted] == [datetime.combine(day, time(10)),
                                           datetime.combine(day, time(10, 20))]
    slot = db.session.get(Slot, shifted[0].id)
    assert slot.ends_at - slot.starts_at == timedelta(minutes=20)
    assert starts(steady) == datetime.combine(day, time(11))
    past_slot = db.session.get(Slot, past.id)  # a fair already held keeps its record
    assert past_slot.utc_offset_minutes != timeutil.utc_offset_minutes(past_slot.starts_at)
    assert schedule_times(auth, world, person) == ["10:00 AM–10:20 AM"]

    again = runner.invoke(args=["jobfair", "shifted-slots"])
    assert "No coming slot was moved by a time-zone rule change." in again.output


def test_a_slot_keeps_the_offset_of_the_rules_it_was_last_written_with(make, world,
                                                                         older_rules):
    slot = make.slot_at(world.table_a, 10)  # the generator, a copy, the demo: the same model
    today = slot.utc_offset_minutes
    assert today == timeutil.utc_offset_minutes(slot.starts_at)
    with older_rules():
        hour = timedelta(hours=1)
        slot.starts_at, slot.ends_at = slot.starts_at + hour, slot.ends_at + hour  # moved
        assert slot.utc_offset_minutes == today + 60
    db.session.flush()
    assert db.session.scalar(select(Slot.utc_offset_minutes).where(Slot.id == slot.id)) \
        == today + 60
