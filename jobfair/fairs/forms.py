"""Fair forms. Types and presence are checked here; the rules between fields live in services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..labels import REGION
from ..models import REGIONS
from .services import FAIR_FIELDS

# The browser's datetime-local value first (so the field renders it back), then tolerant forms.
LOCAL_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
BAD_DATETIME = _l("Enter a date and a time, for example 2026-12-01 09:00.")
BAD_TIME = _l("Enter a time, for example 09:00.")
BAD_NUMBER = _l("Enter a whole number.")


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _local_datetime(label, required_message, description=None):
    return DateTimeLocalField(
        label,
        format=LOCAL_DATETIME_FORMATS,
        invalid_value_message=BAD_DATETIME,
        validators=[InputRequired(message=required_message)],
        description=description,
    )


class FairForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter the fair's name.")), Length(max=200)],
        description=_l("For example JobInTech Job Fair Casablanca 2026. Its public address is made from it."),
    )
    city = StringField(
        _l("City"), validators=[DataRequired(message=_l("Enter the city.")), Length(max=100)]
    )
    region = SelectField(
        _l("Region"),
        choices=[SelectChoice("", _l("Choose a region"))]
        + [SelectChoice(code, REGION[code]) for code in REGIONS],
        validators=[DataRequired(message=_l("Choose the region."))],
    )
    venue = StringField(
        _l("Venue"),
        validators=[DataRequired(message=_l("Enter the venue.")), Length(max=200)],
        description=_l("The building and its address, as candidates will look for it."),
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)],
        description=_l("Shown on the public page."),
    )
    day = DateField(
        _l("Date of the fair"),
        validators=[InputRequired(message=_l("Enter the date of the fair."))],
    )
    opens_at = TimeField(
        _l("Opening time"),
        format=TIME_FORMATS,
        invalid_value_message=BAD_TIME,
        validators=[InputRequired(message=_l("Enter the opening time."))],
    )
    closes_at = TimeField(
        _l("Closing time"),
        format=TIME_FORMATS,
        invalid_value_message=BAD_TIME,
        validators=[InputRequired(message=_l("Enter the closing time."))],
    )
    booking_opens_at = _local_datetime(
        _l("Booking opens"), _l("Enter when booking opens."),
        _l("Local time (Casablanca). Candidates can book from then."),
    )
    booking_closes_at = _local_datetime(
        _l("Booking closes"), _l("Enter when booking closes."),
        _l("At the latest when the fair opens."),
    )
    cancellation_deadline = _local_datetime(
        _l("Cancellation deadline"), _l("Enter the cancellation deadline."),
        _l("Candidates can cancel a booking until then; at the latest when the fair opens."),
    )
    max_bookings_per_candidate = IntegerField(
        _l("Maximum bookings per candidate"),
        default=3,
        validators=[InputRequired(message=_l("Allow at least 1 booking per candidate."))],
        invalid_value_message=BAD_NUMBER,
        render_kw={"min": 1, "inputmode": "numeric"},
    )
    min_gap_minutes = IntegerField(
        _l("Minimum gap between a candidate's interviews (minutes)"),
        default=15,
        validators=[InputRequired(message=_l("The gap cannot be negative; enter 0 for no gap."))],
        invalid_value_message=BAD_NUMBER,
        render_kw={"min": 0, "inputmode": "numeric"},
    )
    cohort_ids = CheckboxListField(_l("Invited cohorts"), coerce=int, validate_choice=True)
    hall_rows = IntegerField(
        _l("Floor plan: rows"),
        validators=[Optional()],
        description=_l("Optional: the hall as a grid of rows × columns, where booths are placed."),
        invalid_value_message=BAD_NUMBER,
        render_kw={"min": 0, "inputmode": "numeric"},
    )
    hall_cols = IntegerField(
        _l("Floor plan: columns"),
        validators=[Optional()],
        invalid_value_message=BAD_NUMBER,
        render_kw={"min": 0, "inputmode": "numeric"},
    )

    def values(self):
        """The typed values by field name (None where a value could not be read)."""
        return {name: getattr(self, name).data for name in FAIR_FIELDS}


class StaffForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(message=_l("Enter an email address.")),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
        description=_l("An existing staff account is added at once; anyone else receives an invitation for this fair."),
    )
