"""Helpers shared by the model modules."""
from datetime import datetime, timezone

from sqlalchemy import CheckConstraint


def utcnow():
    """Naive UTC: every timestamp is stored in UTC and shown in Africa/Casablanca."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def one_of(column, values, name):
    """A CHECK that a text column holds one of ``values`` (portable enum)."""
    quoted = ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)
