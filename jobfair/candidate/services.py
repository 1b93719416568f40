"""Candidate rules: what a profile needs before booking."""
from flask_babel import lazy_gettext as _l


def missing_profile_items(candidate):
    """What a candidate must still fill in before booking, in the order of the form."""
    checks = [
        (candidate.phone, _l("phone number")),
        (candidate.city, _l("city")),
        (candidate.cohort_id, _l("cohort")),
        (candidate.cv_filename, _l("CV (PDF)")),
    ]
    return [label for value, label in checks if not value]


def profile_is_complete(candidate):
    return not missing_profile_items(candidate)
