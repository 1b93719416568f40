"""Forms of the candidate's booking pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..labels import CONTRACT, SECTOR
from ..models import CONTRACT_TYPES, SECTORS


class DirectoryFilterForm(FlaskForm):
    """A GET form (no CSRF): the filters live in the URL, so a filtered list can be shared."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)],
                    description=_l("A company, a city, a position…"))
    sector = SelectField(_l("Sector"), validators=[Optional()])
    track = SelectField(_l("Track sought"), validators=[Optional()])
    contract = SelectField(_l("Contract type"), validators=[Optional()])
    free = BooleanField(_l("Only companies with free slots"))

    def set_choices(self, tracks):
        self.sector.choices = [SelectChoice("", _l("All sectors"))] + [
            SelectChoice(code, SECTOR[code]) for code in SECTORS]
        self.track.choices = [SelectChoice("", _l("All tracks"))] + [
            SelectChoice(str(t.id), t.name) for t in tracks]
        self.contract.choices = [SelectChoice("", _l("All contracts"))] + [
            SelectChoice(code, CONTRACT[code]) for code in CONTRACT_TYPES]

    def filters(self):
        """The valid filters only: an unknown value (an old link) is ignored, not an error."""
        def valid(field):
            return field.data if field.data and not field.errors else None

        track = valid(self.track)
        return {
            "sector": valid(self.sector),
            "track_id": int(track) if track else None,
            "contract": valid(self.contract),
            "free_only": bool(self.free.data),
            "search": valid(self.q),
        }


class MoveForm(FlaskForm):
    # The server checks the slot (same fair, same company, every rule): a stale
    # choice gets a clear message instead of "Not a valid choice".
    target = SelectField(_l("New time"), coerce=int, validate_choice=False,
                         validators=[InputRequired(message=_l("Choose the new time."))])

    def set_choices(self, slots, time_label):
        self.target.choices = [SelectChoice(s.id, time_label(s)) for s in slots]
