from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange


class CallNextForm(FlaskForm):
    called_to = StringField(
        _l("Where to come"),
        validators=[InputRequired(message=_l("Say where to come: a table or an interviewer.")),
                    Length(max=100)],
        description=_l("Shown to the candidate: \u201cyour turn at table 3\u201d."),
    )


class FinishForm(FlaskForm):
    entry_id = HiddenField()
    outcome = HiddenField()


class QueueLimitForm(FlaskForm):
    limit = IntegerField(
        _l("Queues a candidate may be in at once"),
        validators=[InputRequired(message=_l("Choose between 1 and 20 queues.")),
                    NumberRange(min=1, max=20, message=_l("Choose between 1 and 20 queues."))],
    )
