"""The candidate's forms: the profile, and the CV upload (a form of its own: multipart)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length

from .services import MAX_PITCH_CHARS


class ProfileForm(FlaskForm):
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(message=_l("Enter your first name.")), Length(max=100)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(message=_l("Enter your last name.")), Length(max=100)],
        render_kw={"autocomplete": "family-name"},
    )
    # Checked and normalised by services.normalise_phone (the message names what is wrong).
    phone = TelField(
        _l("Phone"),
        validators=[Length(max=32)],
        description=_l("A Moroccan number (06 12 34 56 78, +212 5 22 …) or an international one (+33 6 …)."),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    city = StringField(_l("City"), validators=[Length(max=100)],
                       render_kw={"autocomplete": "address-level2"})
    # Choices are set by the view; removed from the form once the cohort is set.
    cohort_id = SelectField(
        _l("Cohort"), coerce=int,
        description=_l("Your track is your cohort's. Once chosen, only the organizers can change it."),
    )
    linkedin_url = StringField(
        _l("LinkedIn profile"),
        validators=[Length(max=300)],
        description=_l("For example https://www.linkedin.com/in/your-name"),
        render_kw={"inputmode": "url", "autocomplete": "url"},
    )
    github_url = StringField(
        _l("GitHub profile"),
        validators=[Length(max=300)],
        description=_l("For example https://github.com/your-name"),
        render_kw={"inputmode": "url"},
    )
    skills = StringField(
        _l("Skills"),
        validators=[Length(max=2000)],
        description=_l("Separate them with commas: Java, Spring Boot, SQL, Git"),
    )
    pitch = TextAreaField(
        _l("Your pitch"),
        description=_l("In a few sentences, who you are and what you are looking for: at most %(max)d characters.",
                       max=MAX_PITCH_CHARS),
        # No maxlength attribute: the server's message (with the count) is clearer than a
        # browser that silently stops typing or truncates a paste.
        render_kw={"rows": 5, "data-max-chars": MAX_PITCH_CHARS},
    )


class CvForm(FlaskForm):
    # Only "accept" helps the file picker; the content is what the server checks.
    cv = FileField(
        _l("Your CV (PDF, at most 5 MB)"),
        render_kw={"accept": "application/pdf,.pdf"},
    )
