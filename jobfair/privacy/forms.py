"""Forms of the personal-data pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from .services import MAX_RETENTION_MONTHS, MIN_RETENTION_MONTHS


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class ErasureForm(FlaskForm):
    understood = BooleanField(
        _l("I understand that my profile, contact details and CV will be deleted for good, "
           "and that I will no longer be able to log in."),
        validators=[InputRequired(message=_l("Tick the box to confirm that you understand."))],
    )


class FairPrivacyForm(FlaskForm):
    retention_months = IntegerField(
        _l("Keep CVs and contact details for (months after the fair)"),
        validators=[InputRequired(message=_l("Enter a number of months.")),
                    NumberRange(MIN_RETENTION_MONTHS, MAX_RETENTION_MONTHS,
                                message=_l("Between %(min)d and %(max)d months.",
                                           min=MIN_RETENTION_MONTHS, max=MAX_RETENTION_MONTHS))],
        description=_l("Candidates are warned by email a month before. 12 months is the default."),
    )
    shown_without_consent = RadioField(
        _l("Without a candidate's consent, companies see"),
        choices=[SelectChoice("first_name", _l("the first name, track and cohort")),
                 SelectChoice("full_name", _l("the full name, track and cohort"))],
        validators=[InputRequired(message=_l("Choose what companies see without consent."))],
    )
