"""The slot generator on its own: no HTTP, no database (jobfair/schedule/generator.py)."""
from datetime import date, datetime, time

import pytest

from jobfair.errors import DomainError
from jobfair.schedule.generator import (
    SlotSettings,
    TimeRange,
    clashing,
    copy_plan,
    generate_slots,
    overlaps,
    parse_breaks,
)

DAY = date(2026, 12, 20)
OPENS, CLOSES = time(9), time(17)


def at(hour, minute=0):
    return datetime.combine(DAY, time(hour, minute))


def hm(slots):
    return [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in slots]


def generate(**settings):
    settings.setdefault("start", time(9))
    settings.setdefault("end", time(10))
    settings.setdefault("slot_minutes", 20)
    return generate_slots(DAY, SlotSettings(**settings), OPENS, CLOSES)


def error_of(**settings):
    with pytest.raises(DomainError) as raised:
        generate(**settings)
    return raised.value


# --- Lengths and buffers ------------------------------------------------------


def test_back_to_back_slots_fill_the_window_on_the_fair_day():
    slots = generate()
    assert hm(slots) == [("09:00", "09:20"), ("09:20", "09:40"), ("09:40", "10:00")]
    assert all(s.date() == DAY for s, _ in slots)


def test_a_slot_that_would_end_after_the_end_is_not_made():
    assert hm(generate(slot_minutes=25)) == [("09:00", "09:25"), ("09:25", "09:50")]


def test_the_buffer_separates_slots():
    assert hm(generate(slot_minutes=20, buffer_minutes=10)) == [
        ("09:00", "09:20"), ("09:30", "09:50"),
    ]


def test_a_slot_exactly_as_long_as_the_window_fits():
    assert hm(generate(slot_minutes=60)) == [("09:00", "10:00")]


@pytest.mark.parametrize("length", [0, -5])
def test_slot_length_must_be_positive(length):
    assert error_of(slot_minutes=length).field == "slot_minutes"


def test_a_slot_longer_than_the_window_is_refused():
    error = error_of(slot_minutes=61)
    assert error.field == "slot_minutes"
    assert "61" in str(error.message) and "60" in str(error.message)


def test_a_negative_buffer_is_refused():
    assert error_of(buffer_minutes=-1).field == "buffer_minutes"


@pytest.mark.parametrize("capacity", [0, -2])
def test_capacity_below_one_is_refused(capacity):
    assert error_of(capacity=capacity).field == "capacity"


def test_group_capacity_is_accepted():
    assert len(generate(capacity=8)) == 3
    assert len(generate(capacity=100)) == 3


@pytest.mark.parametrize("field,value", [
    ("capacity", 101), ("capacity", 100000), ("capacity", 2**31),
    ("slot_minutes", 241), ("slot_minutes", 2**31),
    ("buffer_minutes", 241), ("buffer_minutes", 10**12),
])
def test_numbers_past_their_limit_are_refused_on_their_field(field, value):
    error = error_of(**{field: value})
    assert error.field == field and "at most" in str(error.message)


# --- Start, end and the fair's hours ---------------------------------------------


@pytest.mark.parametrize("start,end", [(time(10), time(10)), (time(11), time(10))])
def test_start_must_come_before_end(start, end):
    assert error_of(start=start, end=end).field == "end"


def test_window_cannot_start_before_the_fair_opens():
    error = error_of(start=time(8, 30), end=time(10))
    assert error.field == "start"
    assert "09:00" in str(error.message)


def test_window_cannot_end_after_the_fair_closes():
    error = error_of(start=time(16), end=time(17, 30))
    assert error.field == "end"
    assert "17:00" in str(error.message)


def test_the_whole_fair_day_is_allowed():
    slots = generate(start=OPENS, end=CLOSES, slot_minutes=30)
    assert len(slots) == 16
    assert slots[0][0] == at(9) and slots[-1][1] == at(17)


# --- Breaks ----------------------------------------------------------------------


def test_no_slot_overlaps_a_break_and_slots_resume_when_it_ends():
    lunch = TimeRange(time(12, 30), time(14))
    slots = generate(start=time(11), end=time(15), slot_minutes=30, breaks=(lunch,))
    assert hm(slots) == [
        ("11:00", "11:30"), ("11:30", "12:00"), ("12:00", "12:30"),
        ("14:00", "14:30"), ("14:30", "15:00"),
    ]
    lunch_start, lunch_end = at(12, 30), at(14)
    assert not any(overlaps(s, e, lunch_start, lunch_end) for s, e in slots)


def test_a_slot_that_would_run_into_a_break_waits_for_its_end():
    # 20-minute slots from 9:00 reach 10:00; the break at 10:10 leaves no room for 10:00–10:20.
    slots = generate(start=time(9), end=time(11), breaks=(TimeRange(time(10, 10), time(10, 30)),))
    assert hm(slots) == [("09:00", "09:20"), ("09:20", "09:40"), ("09:40", "10:00"),
                         ("10:30", "10:50")]


def test_several_breaks_in_any_order():
    breaks = (TimeRange(time(16), time(16, 15)), TimeRange(time(12, 30), time(14)))
    slots = generate(start=time(12), end=time(16, 45), slot_minutes=30, breaks=breaks)
    for start, end in slots:
        for pause in breaks:
            assert not overlaps(start, end, at(pause.start.hour, pause.start.minute),
                                at(pause.end.hour, pause.end.minute))
    assert hm(slots)[0] == ("12:00", "12:30")
    assert ("16:15", "16:45") in hm(slots)


def test_breaks_that_touch_are_allowed():
    breaks = (TimeRange(time(10), time(10, 20)), TimeRange(time(10, 20), time(10, 40)))
    assert hm(generate(start=time(9, 40), end=time(11), breaks=breaks)) == [
        ("09:40", "10:00"), ("10:40", "11:00"),
    ]


def test_overlapping_breaks_are_refused():
    breaks = (TimeRange(time(12), time(13)), TimeRange(time(12, 30), time(14)))
    error = error_of(start=time(9), end=time(16), breaks=breaks)
    assert error.field == "breaks"
    assert "12:00-13:00" in str(error.message) and "12:30-14:00" in str(error.message)


def test_a_reversed_break_is_refused():
    error = error_of(start=time(9), end=time(16), breaks=(TimeRange(time(14), time(12, 30)),))
    assert error.field == "breaks"


@pytest.mark.parametrize("pause", [TimeRange(time(8, 30), time(9, 30)),
                                   TimeRange(time(9, 50), time(10, 10)),
                                   TimeRange(time(11), time(12))])
def test_a_break_outside_the_window_is_refused(pause):
    assert error_of(start=time(9), end=time(10), breaks=(pause,)).field == "breaks"


def test_breaks_that_leave_no_room_for_a_slot_are_refused():
    error = error_of(start=time(9), end=time(10), slot_minutes=40,
                     breaks=(TimeRange(time(9, 30), time(9, 40)),))
    assert error.field == "breaks"


# --- Reading the breaks field -----------------------------------------------------


def test_parse_breaks_reads_the_usual_ways_of_writing_times():
    assert parse_breaks("12:30-14:00, 16:00-16:15") == (
        TimeRange(time(12, 30), time(14)), TimeRange(time(16), time(16, 15)),
    )
    assert parse_breaks("12h30 – 14h; 9-10\n") == (
        TimeRange(time(12, 30), time(14)), TimeRange(time(9), time(10)),
    )
    assert parse_breaks("") == () and parse_breaks(None) == () and parse_breaks(" , ") == ()


@pytest.mark.parametrize("text", ["lunch", "12:30", "12:30-25:00", "12:61-13:00", "1230-1400"])
def test_parse_breaks_names_what_it_cannot_read(text):
    with pytest.raises(DomainError) as raised:
        parse_breaks(f"16:00-16:15, {text}")
    assert raised.value.field == "breaks"
    assert text in str(raised.value.message)


# --- Overlaps and copying -----------------------------------------------------------


def test_touching_ranges_do_not_overlap():
    assert not overlaps(at(9), at(9, 20), at(9, 20), at(9, 40))
    assert overlaps(at(9), at(9, 21), at(9, 20), at(9, 40))
    assert overlaps(at(9), at(10), at(9, 20), at(9, 40))  # one inside the other


def test_clashing_marks_only_the_new_ranges_that_overlap():
    new = [(at(9), at(9, 20)), (at(9, 20), at(9, 40)), (at(9, 40), at(10))]
    existing = [(at(9, 30), at(9, 50))]
    assert clashing(new, existing) == [new[1], new[2]]
    assert clashing(new, []) == []


def test_copying_onto_an_empty_table_copies_everything():
    source = [(at(9), at(9, 20)), (at(9, 20), at(9, 40))]
    assert copy_plan(source, [], at(9), at(17)) == (source, [])


def test_copying_onto_a_table_whose_slots_clash_copies_nothing_and_names_the_clashes():
    source = [(at(9), at(9, 20)), (at(9, 20), at(9, 40)), (at(14), at(14, 20))]
    target = [(at(9, 30), at(10))]
    created, problems = copy_plan(source, target, at(9), at(17))
    assert created == []
    assert problems == [(at(9, 20), at(9, 40))]


def test_copying_next_to_existing_slots_that_do_not_overlap_is_fine():
    source = [(at(9), at(9, 20))]
    target = [(at(9, 20), at(9, 40)), (at(8, 40), at(9))]
    assert copy_plan(source, target, at(9), at(17)) == (source, [])


def test_copying_slots_outside_the_fair_hours_is_refused():
    source = [(at(9), at(9, 20)), (at(16, 50), at(17, 10))]
    created, problems = copy_plan(source, [], at(9), at(17))
    assert created == [] and problems == [(at(16, 50), at(17, 10))]
