"""Forms of the schedule pages. The rules themselves are in services.py and generator.py."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .generator import (
    MAX_BUFFER_MINUTES,
    MAX_CAPACITY,
    MAX_SLOT_MINUTES,
    SlotSettings,
    parse_breaks,
)


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes (rendered in a fieldset by schedule/_macros.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TableForm(FlaskForm):
    name = StringField(
        _l("Table name"),
        validators=[InputRequired(_l("Give the table a name, for example the interviewer's name.")),
                    Length(max=100)],
        description=_l("For example the interviewer's name, or “Table 2”."),
    )


class GeneratorForm(FlaskForm):
    start = TimeField(_l("First slot starts at"), validators=[InputRequired()])
    end = TimeField(_l("Last slot ends by"), validators=[InputRequired()])
    slot_minutes = IntegerField(
        _l("Slot length (minutes)"), validators=[InputRequired()],
        render_kw={"min": 1, "max": MAX_SLOT_MINUTES},
    )
    buffer_minutes = IntegerField(
        _l("Time between slots (minutes)"), default=0, validators=[InputRequired()],
        description=_l("0 means back to back."),
        render_kw={"min": 0, "max": MAX_BUFFER_MINUTES},
    )
    breaks = StringField(
        _l("Breaks (optional)"),
        validators=[Optional(), Length(max=300)],
        description=_l("Start-end times, separated by commas, e.g. 12:30-14:00, 16:00-16:15. "
                       "No slot overlaps a break."),
    )
    capacity = IntegerField(
        _l("Candidates per slot"), default=1, validators=[InputRequired()],
        description=_l("1 for a one-to-one interview, more for a group session."),
        render_kw={"min": 1, "max": MAX_CAPACITY},
    )
    tracks = CheckboxListField(
        _l("Only candidates of these tracks (optional)"), coerce=int, validators=[Optional()]
    )
    cohorts = CheckboxListField(
        _l("Only candidates of these cohorts (optional)"), coerce=int, validators=[Optional()]
    )
    # The count shown in the preview: creation checks that it has not changed.
    expected = HiddenField()

    def set_prerequisite_choices(self, tracks, cohorts):
        self.tracks.choices = [SelectChoice(t.id, t.name) for t in tracks]
        self.cohorts.choices = [SelectChoice(c.id, c.name) for c in cohorts]

    def settings(self):
        """The generator's input; raises DomainError(field="breaks") for unreadable breaks."""
        return SlotSettings(
            start=self.start.data,
            end=self.end.data,
            slot_minutes=self.slot_minutes.data,
            buffer_minutes=self.buffer_minutes.data,
            breaks=parse_breaks(self.breaks.data),
            capacity=self.capacity.data,
        )

    def expected_count(self):
        try:
            return int(self.expected.data)
        except (TypeError, ValueError):
            return None


class CopyForm(FlaskForm):
    targets = CheckboxListField(_l("Copy to these tables"), coerce=int, validators=[Optional()])


class ChangeForm(FlaskForm):
    """Block / delete a slot, delete a table: a reason is needed only when bookings are dropped."""

    reason = TextAreaField(
        _l("Reason given to the candidates"),
        validators=[Optional(), Length(max=500)],
        description=_l("Sent by email to each candidate whose booking is cancelled."),
    )
    confirm = HiddenField()
    # The ids of the bookings listed in the confirmation, so that none is cancelled unseen.
    seen = HiddenField()

    def seen_ids(self):
        """The confirmed booking ids, or None before the user has confirmed anything."""
        if not self.confirm.data:
            return None
        return {int(part) for part in (self.seen.data or "").split(",") if part.strip().isdigit()}


class MoveForm(ChangeForm):
    start = TimeField(_l("New start time"), validators=[InputRequired()])
