from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from .services import MAX_HALL_COLS, MAX_HALL_ROWS


class HallSizeForm(FlaskForm):
    rows = IntegerField(
        _l("Rows"),
        validators=[
            InputRequired(message=_l("Enter a number of rows.")),
            NumberRange(min=1, max=MAX_HALL_ROWS,
                        message=_l("Choose between %(min)s and %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    cols = IntegerField(
        _l("Columns"),
        validators=[
            InputRequired(message=_l("Enter a number of columns.")),
            NumberRange(min=1, max=MAX_HALL_COLS,
                        message=_l("Choose between %(min)s and %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class FillForm(FlaskForm):
    rows_per_zone = IntegerField(
        _l("Rows per zone"),
        default=1,
        description=_l("Each band of this many rows is a zone: A, B, C …"),
        validators=[
            InputRequired(message=_l("Enter a number of rows.")),
            NumberRange(min=1, max=MAX_HALL_ROWS,
                        message=_l("Choose between %(min)s and %(max)s.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    numbering = SelectField(
        _l("Numbering"),
        default="zone",
        choices=[
            SelectChoice("zone", _l("Per zone: A1, A2 … B1, B2 …")),
            SelectChoice("hall", _l("Across the hall: 1, 2, 3 …")),
        ],
    )


class BoothForm(FlaskForm):
    number = StringField(
        _l("Booth number"),
        validators=[DataRequired(message=_l("Give the booth a number.")),
                    Length(max=20, message=_l("Use at most %(max)s characters."))],
    )
    zone = StringField(
        _l("Zone"),
        validators=[Optional(), Length(max=50, message=_l("Use at most %(max)s characters."))],
    )


class NewBoothForm(BoothForm):
    row = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    col = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ParticipationForm(FlaskForm):
    """A button form: place (or unassign) this company."""

    participation_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
