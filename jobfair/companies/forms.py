from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

NEW_COMPANY = "new"


class InviteCompanyForm(FlaskForm):
    # Choices are set by the view: the fairs that still accept companies.
    fair_id = SelectField(_l("Fair"), coerce=int)
    company_name = StringField(
        _l("Company name"),
        validators=[DataRequired(message=_l("Enter the company's name.")), Length(max=200)],
        description=_l("As the company writes it; we check that it is not already registered."),
    )
    email = EmailField(
        _l("Contact email address"),
        validators=[
            DataRequired(message=_l("Enter the contact's email address.")),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
        description=_l("This person receives the invitation and becomes the company's representative."),
    )
    # "Did you mean …?": an existing company's id, or NEW_COMPANY. Choices are set by the view.
    match = RadioField(_l("Did you mean one of these companies?"), validators=[Optional()],
                       choices=[], validate_choice=False)

    def validate_fair_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the fair."))


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])
    confirm = HiddenField()
