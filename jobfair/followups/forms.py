"""The follow-up form (link and candidate space) and the organizer's conflict decision."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..labels import CONTRACT, FOLLOW_UP_STATUS, OUTCOME_STATUS
from ..models import CONTRACT_TYPES

STATUS_CHOICES = {
    "employed": _l("I am employed"),
    "own_business": _l("I run my own business"),
    "education": _l("I am continuing my education"),
    "seeking": _l("I am still looking for a job"),
    "not_seeking": _l("I am not looking for a job"),
}

# The follow-up statuses and company outcomes are named once, in jobfair/labels.py.
STATUS_LABELS = FOLLOW_UP_STATUS
OUTCOME_LABELS = OUTCOME_STATUS
SOURCE_LABELS = {
    "candidate": _l("Candidate"),
    "organizer": _l("Organizer"),
    "import": _l("Import"),
}


def _bool_or_none(value):
    if value in (True, "yes", "1"):
        return True
    if value in (False, "no", "0"):
        return False
    return None


class FollowUpForm(FlaskForm):
    status = RadioField(
        _l("Your situation today"),
        choices=[SelectChoice(code, label) for code, label in STATUS_CHOICES.items()],
        validators=[InputRequired(message=_l("Choose your situation."))],
    )
    contract_type = SelectField(
        _l("Contract type"),
        choices=[SelectChoice("", _l("Choose…"))]
        + [SelectChoice(code, CONTRACT[code]) for code in CONTRACT_TYPES],
        validators=[Optional()],
    )
    employer_company_id = SelectField(
        _l("Employer"), coerce=int, validators=[Optional()],
        description=_l("A company of the fair, or choose “Another employer” and type its name."),
    )
    employer_name = StringField(_l("Another employer: its name"),
                                validators=[Optional(), Length(max=200)])
    in_field = RadioField(
        _l("Is the job in the field you trained for?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[Optional()],
    )
    full_time = RadioField(
        _l("Working time"),
        choices=[SelectChoice("yes", _l("Full time")), SelectChoice("no", _l("Part time"))],
        validators=[Optional()],
    )
    start_date = DateField(_l("Start date"), validators=[Optional()],
                           description=_l("If you know it."))

    def set_companies(self, companies):
        self.employer_company_id.choices = [SelectChoice(0, _l("Another employer (type its name)"))] + [
            SelectChoice(c.id, c.name) for c in companies
        ]

    def fill_from(self, answer):
        """Show a stored answer (used again: the candidate sees and updates it)."""
        self.status.data = answer.status if answer.status in STATUS_CHOICES else None
        self.contract_type.data = answer.contract_type or ""
        self.employer_company_id.data = answer.employer_company_id or 0
        self.employer_name.data = answer.employer_name or ""
        self.in_field.data = {True: "yes", False: "no"}.get(answer.in_field)
        self.full_time.data = {True: "yes", False: "no"}.get(answer.full_time)
        self.start_date.data = answer.start_date

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.status.data != "employed":
            return valid
        # An employed answer needs its details: every missing one is shown at once.
        required = {
            "contract_type": (self.contract_type.data, _l("Choose the contract type.")),
            "in_field": (self.in_field.data, _l("Say whether the job is in your field.")),
            "full_time": (self.full_time.data, _l("Choose full or part time.")),
        }
        for name, (value, message) in required.items():
            if not value:
                getattr(self, name).errors.append(message)
                valid = False
        if not self.employer_company_id.data and not (self.employer_name.data or "").strip():
            self.employer_name.errors.append(_l("Choose your employer from the list or type its name."))
            valid = False
        return valid

    def employment(self):
        return {
            "contract_type": self.contract_type.data or None,
            "employer_company_id": self.employer_company_id.data or None,
            "employer_name": self.employer_name.data,
            "in_field": _bool_or_none(self.in_field.data),
            "full_time": _bool_or_none(self.full_time.data),
            "start_date": self.start_date.data,
        }


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Who is right?"),
        choices=[SelectChoice("company", _l("The company")),
                 SelectChoice("candidate", _l("The candidate"))],
        validators=[DataRequired(message=_l("Choose who is right."))],
    )
