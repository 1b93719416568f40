"""Ids in URLs are database ids: one the database cannot hold names nothing (404).

Without a bound, /organizer/fairs/9223372036854775808 reached the database and SQLite raised
OverflowError (a 500). Primary keys are 32-bit integers on PostgreSQL, so that is the bound.
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route, bounded to the ids the database can hold."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's argument name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
