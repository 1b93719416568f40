from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from .services import NEXT_STEP_LABELS, NEXT_STEPS


class BoothScanForm(FlaskForm):
    code = StringField(
        _l("Badge code"),
        validators=[InputRequired(message=_l("Scan the badge or type its code.")), Length(max=300)],
        description=_l("Scan the QR code with a handheld scanner, or type the code printed under it."),
        render_kw={"autocomplete": "off", "autofocus": True, "inputmode": "text"},
    )


class LeadForm(FlaskForm):
    rating = RadioField(
        _l("Rating"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 5)],
        validators=[Optional()],
        description=_l("1 = weak, 4 = excellent."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    next_step = SelectField(
        _l("Next step"),
        choices=[SelectChoice("", _l("—"))]
        + [SelectChoice(code, NEXT_STEP_LABELS[code]) for code in NEXT_STEPS],
        validators=[Optional()],
    )

    def rating_value(self):
        return int(self.rating.data) if self.rating.data else None
