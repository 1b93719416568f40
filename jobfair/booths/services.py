"""The hall's floor plan: booths on a grid, and which company stands where.

One booth per company and one company per booth is decided by the database:
``Booth.participation_id`` is UNIQUE, and a company is placed with a
conditional UPDATE (``… WHERE participation_id IS NULL``), so two organizers
placing two companies on the same booth at once get one winner, and the other
a message naming the winner.
"""
import re
from dataclasses import dataclass, field
from string import ascii_uppercase

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from ..audit import services as audit
from ..errors import DomainError
from ..extensions import db
from ..fairs import lifecycle
from ..models import Booth, Company, Participation

MAX_HALL_ROWS = 26  # one zone letter per row at most: A … Z
MAX_HALL_COLS = 40
NUMBERINGS = ("zone", "hall")  # A1, A2 … B1 per zone; or 1, 2, 3 … across the hall


# --- Reading the plan -----------------------------------------------------------


@dataclass
class Cell:
    row: int
    col: int
    booth: Booth | None = None


@dataclass
class FloorPlan:
    fair: object
    rows: list = field(default_factory=list)  # rows of Cells, top to bottom, left to right
    unassigned: list = field(default_factory=list)  # approved Participations without a booth
    booth_count: int = 0
    assigned_count: int = 0

    @property
    def row_count(self):
        return len(self.rows)

    @property
    def col_count(self):
        return len(self.rows[0]) if self.rows else 0

    @property
    def is_empty(self):
        return not self.rows

    def cell(self, row, col):
        if 0 <= row < self.row_count and 0 <= col < self.col_count:
            return self.rows[row][col]
        return None


def floor_plan(fair):
    """The fair's grid with its booths and companies, and the approved companies
    still without a booth: two queries whatever the size of the hall."""
    booths = db.session.scalars(
        select(Booth)
        .where(Booth.fair_id == fair.id)
        .options(joinedload(Booth.participation).joinedload(Participation.company))
    ).all()
    unassigned = db.session.scalars(
        select(Participation)
        .join(Participation.company)
        .outerjoin(Booth, Booth.participation_id == Participation.id)
        .where(
            Participation.fair_id == fair.id,
            Participation.status == "approved",
            Booth.id.is_(None),
        )
        .options(contains_eager(Participation.company))
        .order_by(Company.name, Participation.id)
    ).all()
    # A booth is never hidden, even one left outside the hall's declared size.
    row_count = max([fair.hall_rows or 0] + [b.grid_row + 1 for b in booths])
    col_count = max([fair.hall_cols or 0] + [b.grid_col + 1 for b in booths])
    rows = [[Cell(r, c) for c in range(col_count)] for r in range(row_count)]
    for booth in booths:
        rows[booth.grid_row][booth.grid_col].booth = booth
    return FloorPlan(
        fair=fair,
        rows=rows,
        unassigned=unassigned,
        booth_count=len(booths),
        assigned_count=sum(1 for b in booths if b.participation_id is not None),
    )


def zone_letter(index):
    return ascii_uppercase[min(index, len(ascii_uppercase) - 1)]


def suggest_booth(fair, row):
    """A zone and a free number for a new booth on ``row``: the zone of the
    row's other booths (else the row's letter), and the zone's next number."""
    zone = db.session.scalar(
        select(Booth.zone).where(Booth.fair_id == fair.id, Booth.grid_row == row).limit(1)
    ) or zone_letter(row)
    used = _used_numbers(fair)
    return zone, _next_number(zone, used)


# --- Changing the plan ----------------------------------------------------------


def ensure_editable(fair):
    if not lifecycle.booths_editable(fair):
        raise DomainError(_l("This fair is closed: its floor plan can no longer change."))


def set_hall_size(fair, rows, cols):
    """Resize the hall. Empty booths left outside are removed; a booth with a
    company is never removed: the hall then refuses to shrink.
    Returns the number of empty booths removed."""
    ensure_editable(fair)
    if not 1 <= rows <= MAX_HALL_ROWS:
        raise DomainError(
            _l("Choose between 1 and %(max)s rows.", max=MAX_HALL_ROWS), field="rows"
        )
    if not 1 <= cols <= MAX_HALL_COLS:
        raise DomainError(
            _l("Choose between 1 and %(max)s columns.", max=MAX_HALL_COLS), field="cols"
        )
    outside = db.session.scalars(
        select(Booth)
        .where(Booth.fair_id == fair.id, (Booth.grid_row >= rows) | (Booth.grid_col >= cols))
        .order_by(Booth.grid_row, Booth.grid_col)
    ).all()
    occupied = [b for b in outside if b.participation_id is not None]
    if occupied:
        field_name = "rows" if any(b.grid_row >= rows for b in occupied) else "cols"
        raise DomainError(
            _l(
                "The hall cannot shrink to this size: booth(s) %(numbers)s would disappear "
                "with their company. Move or unassign them first.",
                numbers=", ".join(b.number for b in occupied),
            ),
            field=field_name,
        )
    for booth in outside:
        db.session.delete(booth)
    fair.hall_rows, fair.hall_cols = rows, cols
    db.session.flush()
    return len(outside)


def fill_grid(fair, rows_per_zone=1, numbering="zone"):
    """Put a booth on every empty cell of the hall. Rows are grouped in bands of
    ``rows_per_zone`` rows, zones A, B, C …; numbers are A1, A2 … per zone
    (``numbering="zone"``) or 1, 2, 3 … across the hall (``"hall"``), skipping
    numbers already taken. Returns the number of booths created."""
    ensure_editable(fair)
    if not fair.hall_rows or not fair.hall_cols:
        raise DomainError(_l("Set the size of the hall first."), field="rows_per_zone")
    if not 1 <= rows_per_zone <= fair.hall_rows:
        raise DomainError(
            _l("Choose between 1 and %(max)s rows per zone.", max=fair.hall_rows),
            field="rows_per_zone",
        )
    if numbering not in NUMBERINGS:
        raise DomainError(_l("Choose a numbering."), field="numbering")
    taken_cells = set(
        db.session.execute(
            select(Booth.grid_row, Booth.grid_col).where(Booth.fair_id == fair.id)
        ).tuples()
    )
    used = _used_numbers(fair)
    created = 0
    for row in range(fair.hall_rows):
        zone = zone_letter(row // rows_per_zone)
        first_row_of_zone = (row // rows_per_zone) * rows_per_zone
        for col in range(fair.hall_cols):
            if (row, col) in taken_cells:
                continue
            if numbering == "zone":
                wanted = f"{zone}{(row - first_row_of_zone) * fair.hall_cols + col + 1}"
            else:
                wanted = str(row * fair.hall_cols + col + 1)
            number = wanted if wanted.casefold() not in used else _next_number(
                zone if numbering == "zone" else "", used
            )
            used.add(number.casefold())
            db.session.add(Booth(fair_id=fair.id, number=number, zone=zone,
                                 grid_row=row, grid_col=col))
            created += 1
    _flush_or_conflict()
    return created


def add_booth(fair, row, col, number, zone=None):
    ensure_editable(fair)
    if not (0 <= row < fair.hall_rows and 0 <= col < fair.hall_cols):
        raise DomainError(_l("This cell is outside the hall."), field="number")
    if db.session.scalar(
        select(Booth.id).where(Booth.fair_id == fair.id, Booth.grid_row == row,
                               Booth.grid_col == col)
    ):
        raise DomainError(_l("This cell already has a booth."), field="number")
    number, zone = _clean_number(number), _clean_zone(zone)
    _check_number_free(fair, number)
    booth = Booth(fair_id=fair.id, number=number, zone=zone, grid_row=row, grid_col=col)
    db.session.add(booth)
    _flush_or_conflict()
    return booth


def renumber_booth(booth, number, zone=None):
    ensure_editable(booth.fair)
    number, zone = _clean_number(number), _clean_zone(zone)
    _check_number_free(booth.fair, number, except_id=booth.id)
    booth.number, booth.zone = number, zone
    _flush_or_conflict()
    return booth


def remove_booth(booth):
    ensure_editable(booth.fair)
    # Conditional, like every change of a booth's company: a company placed
    # meanwhile by someone else keeps its booth.
    result = db.session.execute(
        delete(Booth)
        .where(Booth.id == booth.id, Booth.participation_id.is_(None))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(
            _l("Booth %(number)s has a company: unassign it before removing the booth.",
               number=booth.number)
        )
    db.session.expunge(booth)


def assign(booth, participation, actor=None):
    """Place ``participation``'s company on ``booth``, moving it from the booth
    it had. The database decides between concurrent placements."""
    fair = booth.fair
    ensure_editable(fair)
    if participation.fair_id != booth.fair_id:
        raise DomainError(_l("This company does not take part in this fair."))
    if participation.status != "approved":
        raise DomainError(
            _l("%(company)s is not approved for this fair: only approved companies get a booth.",
               company=participation.company.name)
        )
    if booth.participation_id == participation.id:
        return booth
    booth_id, number, company = booth.id, booth.number, participation.company.name
    previous = db.session.scalar(select(Booth.number).where(
        Booth.participation_id == participation.id, Booth.id != booth_id))
    try:
        # Leave the previous booth, then take the new one only if it is still free.
        db.session.execute(
            update(Booth)
            .where(Booth.participation_id == participation.id, Booth.id != booth_id)
            .values(participation_id=None)
            .execution_options(synchronize_session=False)
        )
        taken = db.session.execute(
            update(Booth)
            .where(Booth.id == booth_id, Booth.participation_id.is_(None))
            .values(participation_id=participation.id)
            .execution_options(synchronize_session=False)
        ).rowcount
    except IntegrityError:
        # Someone else placed this very company on another booth at the same time.
        raise DomainError(
            _l("%(company)s was just placed on another booth by someone else. "
               "The plan shows where it is now.", company=company)
        ) from None
    db.session.expire_all()
    if taken != 1:
        holder = _holder_name(booth_id)
        if holder is None:  # removed, or taken and freed again, meanwhile
            raise DomainError(
                _l("Booth %(number)s changed meanwhile: the plan shows it as it is now.",
                   number=number)
            )
        raise DomainError(
            _l("Booth %(number)s was just given to %(company)s. Choose another booth.",
               number=number, company=holder)
        )
    audit.record("booth.moved" if previous else "booth.assigned", actor, fair.id,
                 object_type="booth", object_id=booth_id, booth=number, old_booth=previous,
                 company=company, participation_id=participation.id)
    return db.session.get(Booth, booth_id)


def unassign(booth, participation_id, actor=None):
    """Free ``booth`` if ``participation_id`` is still the company on it (the
    form that asked may be stale)."""
    ensure_editable(booth.fair)
    booth_id, fair_id, number = booth.id, booth.fair_id, booth.number
    company = _holder_name(booth_id)
    freed = db.session.execute(
        update(Booth)
        .where(Booth.id == booth.id, Booth.participation_id == participation_id)
        .values(participation_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire_all()
    if freed != 1:
        raise DomainError(
            _l("Booth %(number)s changed meanwhile: the plan shows it as it is now.",
               number=number)
        )
    audit.record("booth.unassigned", actor, fair_id, object_type="booth", object_id=booth_id,
                 booth=number, company=company, participation_id=participation_id)


def release_booth(participation):
    """Free the booth of a company that no longer takes part (declined, withdrawn)."""
    db.session.execute(
        update(Booth)
        .where(Booth.participation_id == participation.id)
        .values(participation_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


# --- Helpers ----------------------------------------------------------------------


def _holder_name(booth_id):
    return db.session.scalar(
        select(Company.name)
        .join(Participation, Participation.company_id == Company.id)
        .join(Booth, Booth.participation_id == Participation.id)
        .where(Booth.id == booth_id)
    )


def _used_numbers(fair):
    return {
        n.casefold()
        for n in db.session.scalars(select(Booth.number).where(Booth.fair_id == fair.id))
    }


def _next_number(prefix, used):
    """The first ``<prefix><n>`` not in ``used`` after the highest ``n`` in use."""
    pattern = re.compile(re.escape(prefix.casefold()) + r"(\d+)$")
    highest = max((int(m.group(1)) for n in used if (m := pattern.match(n))), default=0)
    n = highest + 1
    while f"{prefix}{n}".casefold() in used:
        n += 1
    return f"{prefix}{n}"


def _clean_number(number):
    number = (number or "").strip()
    if not number:
        raise DomainError(_l("Give the booth a number."), field="number")
    if len(number) > 20:
        raise DomainError(_l("Use at most 20 characters."), field="number")
    return number


def _clean_zone(zone):
    zone = (zone or "").strip()
    if len(zone) > 50:
        raise DomainError(_l("Use at most 50 characters."), field="zone")
    return zone or None


def _check_number_free(fair, number, except_id=None):
    query = select(Booth.id).where(
        Booth.fair_id == fair.id, func.lower(Booth.number) == number.lower()
    )
    if except_id is not None:
        query = query.where(Booth.id != except_id)
    if db.session.scalar(query.limit(1)):
        raise DomainError(
            _l("Booth number %(number)s is already used in this fair.", number=number),
            field="number",
        )


def _flush_or_conflict():
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(
            _l("The floor plan changed meanwhile (another organizer?). Look again and retry.")
        ) from None
