"""The booking package's front door: every change of a booking's state, and the rules behind it.

Other packages (schedule, companies, leads, check-in, the booking round) and the tests import
from here; the code lives in one module per concern, each short enough to read whole:

- rules.py       the rules (``check_*``, one message each) and the reads they need; "live"
                 bookings are those not cancelled
- seats.py       candidate lock, conditional seat UPDATE, the insert guarded by unique indexes
- operations.py  book, cancel, move (candidate); cancel_by_company; attended / no-show
- waitlist.py    join, leave, promotion when a place frees up
"""
from .operations import (  # noqa: F401
    ATTENDANCE_MARKS,
    REASON_MAX,
    book,
    cancel,
    cancel_by_company,
    clean_reason,
    mark_attendance,
    mark_attended,
    move,
    place_booking,
)
from .rules import (  # noqa: F401
    NOT_ACTIVE,
    SLOT_TAKEN,
    booking_problem,
    check_booking_limit,
    check_booking_window,
    check_can_book,
    check_capacity,
    check_changeable,
    check_cohort_invited,
    check_company_takes_part,
    check_eligible,
    check_one_per_company,
    check_profile,
    check_slot_open,
    check_timing,
    eligibility_problem,
    free_slots,
    live_bookings,
)
from .seats import insert_booking, lock_candidate, release_seat, take_seat  # noqa: F401
from .waitlist import (  # noqa: F401
    bookable_slot,
    join_waitlist,
    leave_waitlist,
    promote_waitlist,
    waiting_entry,
)
