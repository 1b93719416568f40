from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SearchField, SelectField
from wtforms.validators import Length, ValidationError

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".xlsx")


class ImportForm(FlaskForm):
    file = FileField(
        _l("List of candidates"),
        validators=[FileRequired(message=_l("Choose the file to import."))],
        description=_l("CSV (comma or semicolon) or Excel .xlsx, at most 5 MB and 20,000 lines."),
        render_kw={"accept": ".csv,.txt,.xlsx,text/csv,"
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )
    # Choices are set by the view; 0 means "the cohort column of each line".
    cohort_id = SelectField(
        _l("Cohort"),
        coerce=int,
        description=_l("Leave “cohort column of the file” to read each line's cohort, or choose "
                       "the cohort every line belongs to."),
    )

    def validate_file(self, field):
        name = (getattr(field.data, "filename", "") or "").lower()
        if not name.endswith(ACCEPTED_EXTENSIONS):
            raise ValidationError(_l("Choose a .csv or .xlsx file."))


class ConfirmImportForm(FlaskForm):
    # Not data: a digest of the preview, so that what is imported is what was shown.
    fingerprint = HiddenField()


class CandidateFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = SearchField(_l("Search"), validators=[Length(max=100)],
                    description=_l("Name or email address."))
    cohort = SelectField(_l("Cohort"), coerce=int)
