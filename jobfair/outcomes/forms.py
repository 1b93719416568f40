"""One small form per row of the outcomes table, the bulk change and the filters."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import DateField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..labels import CONTRACT, OUTCOME_STATUS
from ..models.outcomes import OUTCOME_STATUSES


def status_choices(blank):
    return [SelectChoice("", blank)] + [SelectChoice(code, OUTCOME_STATUS[code])
                                        for code in OUTCOME_STATUSES]


class OutcomeForm(FlaskForm):
    """A row's form. Its inputs sit in the table's cells and name the row's <form> with the
    ``form`` attribute; ids carry the candidate's id so every row's ids are unique."""

    status = SelectField(_l("Outcome"), validators=[Optional()])
    contract_type = SelectField(_l("Contract type"), validators=[Optional()])
    position_id = SelectField(_l("Position"), validators=[Optional()])
    start_date = DateField(_l("Start date"), validators=[Optional()])

    def __init__(self, candidate_id, positions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_id = f"outcome-form-{candidate_id}"
        self.status.choices = status_choices(_l("Not yet"))
        self.contract_type.choices = [SelectChoice("", _l("—"))] + [
            SelectChoice(code, label) for code, label in CONTRACT.items()]
        self.position_id.choices = [SelectChoice("", _l("—"))] + [
            SelectChoice(str(p.id), p.title) for p in positions]
        for field in (self.status, self.contract_type, self.position_id, self.start_date):
            field.id = f"{field.name}-{candidate_id}"
            field.label.field_id = field.id
            field.render_kw = {"form": self.form_id}

    def position_value(self):
        return int(self.position_id.data) if self.position_id.data else None


class BulkForm(FlaskForm):
    status = SelectField(_l("Set the status of the selected candidates to"), id="bulk-status",
                         validators=[Optional()])
    submit = SubmitField(_l("Apply to the selection"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = status_choices(_l("Choose a status"))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Outcome"), id="filter-status", validators=[Optional()])
    recorded = SelectField(_l("Recorded"), id="filter-recorded", validators=[Optional()])
    track = SelectField(_l("Track"), id="filter-track", validators=[Optional()])

    def __init__(self, tracks, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = status_choices(_l("Any"))
        self.recorded.choices = [SelectChoice("", _l("Any")),
                                 SelectChoice("yes", _l("Outcome recorded")),
                                 SelectChoice("no", _l("Not yet recorded"))]
        self.track.choices = [SelectChoice("", _l("Any"))] + [
            SelectChoice(str(t.id), t.name) for t in tracks]

    def values(self):
        """The filters as plain values, invalid ones ignored."""
        valid = {c.value for c in self.status.choices}
        status = self.status.data if self.status.data in valid else None
        recorded = self.recorded.data if self.recorded.data in ("yes", "no") else None
        tracks = {c.value for c in self.track.choices}
        track_id = int(self.track.data) if self.track.data and self.track.data in tracks else None
        return {"status": status or None, "recorded": recorded, "track_id": track_id}
