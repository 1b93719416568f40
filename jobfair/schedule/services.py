"""The schedule package's front door for views and tests: tables, slots and their rules.

- rules.py   confirmation before bookings are dropped, deleting booked slots, shared checks
- tables.py  add, rename, delete a table
- slots.py   generate, copy, block, unblock, move, delete slots
- generator.py the pure slot generator; retiming.py slots shifted by a time-zone rule change
"""
from .rules import ConfirmationRequired, active_bookings, check_editable  # noqa: F401
from .slots import (  # noqa: F401
    CopyResult,
    PlannedSlot,
    block_slot,
    copy_schedule,
    create_slots,
    delete_slot,
    move_slot,
    plan_slots,
    prerequisite_choices,
    unblock_slot,
)
from .tables import add_table, delete_table, rename_table  # noqa: F401
