from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError


class OperatorForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter the operator's name.")), Length(max=200)],
    )
    city = StringField(_l("City"), validators=[Length(max=100)])


class TrackForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter the track's name.")), Length(max=100)],
        description=_l("For example Java/JEE, Data & IA, Cybersécurité."),
    )


class CohortForm(FlaskForm):
    # Choices are set by the view from the database; 0 means "not chosen".
    operator_id = SelectField(_l("Training operator"), coerce=int)
    track_id = SelectField(_l("Track"), coerce=int)
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter the cohort's name.")), Length(max=200)],
        description=_l("For example Java/JEE — Casablanca 2026."),
    )
    city = StringField(
        _l("City"), validators=[DataRequired(message=_l("Enter the city.")), Length(max=100)]
    )
    start_date = DateField(
        _l("Start date"),
        validators=[InputRequired(message=_l("Enter the start date."))],
    )
    end_date = DateField(
        _l("End date"),
        validators=[InputRequired(message=_l("Enter the end date."))],
    )

    def validate_operator_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the training operator."))

    def validate_track_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the track."))

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data <= self.start_date.data:
            raise ValidationError(_l("The cohort must end after it starts."))
