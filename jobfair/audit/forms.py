"""The audit log's filters: a GET form (no CSRF), so a filtered log is a shareable URL."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from .describe import KINDS
from .queries import AuditFilters


def _int(value):
    return int(value) if value and str(value).isdigit() else None


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    fair = SelectField(_l("Fair"), validators=[Optional()])
    kind = SelectField(_l("Kind of action"), validators=[Optional()])
    actor = SelectField(_l("Person"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def set_choices(self, fairs, actors, role_label):
        self.fair.choices = [SelectChoice("", _l("All fairs"))] + [
            SelectChoice(str(fair_id), f"{name} ({day.isoformat()})")
            for fair_id, name, day in fairs]
        self.kind.choices = [SelectChoice("", _l("All actions"))] + [
            SelectChoice(code, label) for code, label in KINDS.items()]
        self.actor.choices = [SelectChoice("", _l("Everyone"))] + [
            SelectChoice(str(user.id), f"{user.full_name} ({role_label(user.role)})")
            for user in actors]

    def filters(self):
        """The valid filters only: an unknown value (an old link) is ignored, not an error."""
        def ok(field):
            return field.data if field.data and not field.errors else None

        return AuditFilters(
            fair_id=_int(ok(self.fair)),
            kind=ok(self.kind) if ok(self.kind) in KINDS else None,
            actor_id=_int(ok(self.actor)),
            date_from=ok(self.date_from),
            date_to=ok(self.date_to),
        )

    def as_args(self):
        """The query-string values of the valid filters (for the page links)."""
        filters = self.filters()
        args = {"fair": filters.fair_id, "kind": filters.kind, "actor": filters.actor_id,
                "date_from": filters.date_from.isoformat() if filters.date_from else None,
                "date_to": filters.date_to.isoformat() if filters.date_to else None}
        return {key: value for key, value in args.items() if value}
