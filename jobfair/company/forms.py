from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..labels import CONTRACT, SECTOR
from ..models import CONTRACT_TYPES, SECTORS, SIZES


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Company name"),
        validators=[DataRequired(message=_l("Enter the company's name.")), Length(max=200)],
    )
    sector = SelectField(
        _l("Sector"), choices=[SelectChoice(code, SECTOR[code]) for code in SECTORS]
    )
    city = StringField(_l("City"), validators=[Length(max=100)])
    size = SelectField(
        _l("Size (employees)"),
        choices=[SelectChoice("", "—")] + [SelectChoice(code, code) for code in SIZES],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=5000)],
        description=_l("What the company does and whom it hires: candidates read it before booking."),
        render_kw={"rows": 6},
    )
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Enter a full web address, such as https://www.example.ma.")),
            Length(max=300),
        ],
    )


class PositionForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Enter the position's title.")), Length(max=200)],
    )
    # Choices are set by the view from the tracks; 0 means "any track".
    track_id = SelectField(_l("Track"), coerce=int)
    contract_type = SelectField(
        _l("Contract type"),
        choices=[SelectChoice(code, CONTRACT[code]) for code in CONTRACT_TYPES],
    )
    openings = IntegerField(
        _l("Number of openings"),
        default=1,
        validators=[
            InputRequired(message=_l("Enter the number of openings.")),
            NumberRange(min=1, max=999, message=_l("Enter a number from 1 to 999.")),
        ],
        render_kw={"min": 1, "max": 999},
    )


class ColleagueForm(FlaskForm):
    email = EmailField(
        _l("Your colleague's email address"),
        validators=[
            DataRequired(message=_l("Enter an email address.")),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
        description=_l("They receive a link to create their account as a representative of your company."),
    )
