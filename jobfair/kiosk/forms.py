from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length


class KioskForm(FlaskForm):
    name = StringField(_l("Kiosk name"), validators=[
        DataRequired(message=_l("Give the kiosk a name, e.g. “Entrée A — borne 1”.")),
        Length(max=100, message=_l("At most 100 characters."))],
        description=_l("Where it stands, e.g. “Entrée A — borne 1”."))


class BadgeForm(FlaskForm):
    code = StringField(_l("Scan your badge's QR code (or type the code under it)"), validators=[
        DataRequired(message=_l("Scan your badge, or type the code printed under its QR code.")),
        Length(max=300)], render_kw={"autocomplete": "off", "autofocus": True})


class NameCodeForm(FlaskForm):
    name = StringField(_l("Your first and last name"), validators=[
        DataRequired(message=_l("Type your first and last name.")), Length(max=200)],
        render_kw={"autocomplete": "off"})
    kiosk_code = StringField(_l("Your kiosk code (6 characters, in your email)"), validators=[
        DataRequired(message=_l("Type the 6-character code from your email.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"})


class CheckInForm(FlaskForm):
    nonce = HiddenField()
