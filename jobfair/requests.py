"""The request class: form and query values without NUL characters.

Nobody types a NUL, but a forged request can carry one, and PostgreSQL refuses NUL in text
(SQLite stores it): the same form would be a 400 on one database and stored garbage on the
other. Dropping it where values enter the app makes both behave the same and keeps the rest
of what the user sent.
"""
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

NUL = "\x00"


def _without_nul(values):
    if not any(NUL in value for value in values.values() if isinstance(value, str)):
        return values
    return ImmutableMultiDict(
        (key.replace(NUL, ""), value.replace(NUL, "") if isinstance(value, str) else value)
        for key, value in values.items(multi=True))


class JobfairRequest(Request):
    def _load_form_data(self):
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])

    @property
    def args(self):
        if "_clean_args" not in self.__dict__:
            self.__dict__["_clean_args"] = _without_nul(super().args)
        return self.__dict__["_clean_args"]
