"""The round's forms. Types and presence are checked here; the rules live in services.py."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from ..fairs.forms import BAD_NUMBER, _local_datetime


class RoundForm(FlaskForm):
    wishes_open_at = _local_datetime(_l("Wishes open"), _l("Enter when wishes open."))
    wishes_close_at = _local_datetime(_l("Wishes close"), _l("Enter when wishes close."),
                                      description=_l("Nothing is booked while wishes are open."))
    publish_at = _local_datetime(
        _l("Publication of the interviews"), _l("Enter when the interviews are published."),
        description=_l("First-come booking of the places left opens after it, at the "
                       "fair's booking window."))
    max_wishes = IntegerField(
        _l("Companies a candidate may rank"), default=5,
        validators=[InputRequired(message=BAD_NUMBER), NumberRange(min=1, max=20)])


class RunForm(FlaskForm):
    seed = IntegerField(
        _l("Lottery seed"), validators=[Optional(), NumberRange(min=0, max=2 ** 31 - 1)],
        description=_l("Leave empty for a new draw. The same seed and wishes give the same "
                       "result."))


class PublishForm(FlaskForm):
    run_id = HiddenField()


class WishesForm(FlaskForm):
    wishes = FieldList(SelectField(coerce=int, validate_choice=True), min_entries=1)

    def set_choices(self, choices, count, label):
        while len(self.wishes) < count:
            self.wishes.append_entry()
        for number, entry in enumerate(self.wishes, start=1):
            entry.choices = [SelectChoice(0, _l("— no company —"))] + [
                SelectChoice(value, label) for value, label in choices]
            entry.label.text = label(number)

    def chosen(self):
        return [entry.data for entry in self.wishes if entry.data]


class DecisionForm(FlaskForm):
    decision = SelectField(choices=[SelectChoice(v, v) for v in ("meet", "no", "")], validate_choice=True)


class AnswerForm(FlaskForm):
    answer = SelectField(choices=[SelectChoice(v, v) for v in ("accept", "decline")], validate_choice=True)


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Find a candidate to invite"),
                    description=_l("Part of a first or last name."))
