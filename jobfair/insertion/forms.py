"""The dashboard's filters: a GET form (no CSRF), so a filtered view is a shareable URL."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..timeutil import local_today
from .queries import Filters

GROUP_LABELS = {
    "fair": _l("Fair"),
    "cohort": _l("Cohort"),
    "operator": _l("Training operator"),
    "region": _l("Region"),
    "track": _l("Track"),
    "sector": _l("Sector (employer)"),
    "company": _l("Company (employer)"),
}


class InsertionFilterForm(FlaskForm):
    class Meta:
        csrf = False

    fairs = SelectMultipleField(_l("Fairs"), validators=[Optional()],
                                description=_l("None selected (and no dates): every fair already "
                                            "held, up to yesterday."))
    date_from = DateField(_l("Fair day from"), validators=[Optional()])
    date_to = DateField(_l("Fair day to"), validators=[Optional()])
    group = SelectField(_l("Group by"), validators=[Optional()], default="fair")

    def set_choices(self, fairs):
        self.fairs.choices = [SelectChoice(str(fair_id), f"{name} ({day.isoformat()})")
                              for fair_id, name, day in fairs]
        self.group.choices = [SelectChoice(key, label) for key, label in GROUP_LABELS.items()]

    def filters(self):
        """The valid filters only: an unknown value (an old link) is ignored, not an error."""
        fair_ids = [int(v) for v in (self.fairs.data or []) if str(v).isdigit()] \
            if not self.fairs.errors else []
        filters = Filters(
            fair_ids=fair_ids,
            date_from=self.date_from.data if not self.date_from.errors else None,
            date_to=self.date_to.data if not self.date_to.errors else None,
        )
        if not (filters.fair_ids or filters.date_from or filters.date_to):
            filters.held_before = local_today()
        return filters

    def group_by(self):
        return self.group.data if self.group.data in GROUP_LABELS and not self.group.errors \
            else "fair"
