"""How the personal-data events read on the organizers' audit page, added to the one mapping
of jobfair/audit/describe.py (kept here, beside the rules that write them)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import describe

SHOWN = {"first_name": _l("the first name"), "full_name": _l("the full name")}


def _person(d, names):
    return names.candidate(d.get("candidate_id")) or _("a candidate")


def _consent_given(d, names, entry):
    return _("Consent given by %(person)s", person=_person(d, names)), [
        (_("Text version"), d.get("version") or "—")]


def _consent_withdrawn(d, names, entry):
    lines = []
    if d.get("downloaded_by"):
        lines.append((_("Copies already downloaded by"), ", ".join(d["downloaded_by"])))
    return _("Consent withdrawn by %(person)s", person=_person(d, names)), lines


def _settings(d, names, entry):
    changes = d.get("changes") or {}
    lines = []
    if "retention_months" in changes:
        old, new = changes["retention_months"]
        lines.append((_("Retention (months)"), f"{old} → {new}"))
    if "shown_without_consent" in changes:
        old, new = changes["shown_without_consent"]
        lines.append((_("Shown without consent"),
                      f"{SHOWN.get(old, old)} → {SHOWN.get(new, new)}"))
    return _("Changed the fair's personal-data settings"), lines


def _erasure_requested(d, names, entry):
    return _("Erasure asked by %(person)s", person=_person(d, names)), []


def _erased(d, names, entry):
    return _("Erased the data of a candidate (row kept, anonymised)"), []


def _retention_deleted(d, names, entry):
    return _("Retention: deleted the CV and contact details of %(person)s",
             person=_person(d, names)), []


def _retention_warned(d, names, entry):
    return _("Retention: warned %(person)s of the deletion on %(day)s",
             person=_person(d, names), day=d.get("due_on") or "—"), []


describe.KINDS.setdefault("privacy", _l("Personal data"))
describe.EXPORTS.setdefault("my-data", _l("their own data (My data)"))
describe.DESCRIBE.update({
    "privacy.consent_given": _consent_given,
    "privacy.consent_withdrawn": _consent_withdrawn,
    "privacy.settings_changed": _settings,
    "privacy.erasure_requested": _erasure_requested,
    "privacy.erased": _erased,
    "privacy.retention_deleted": _retention_deleted,
    "privacy.retention_warned": _retention_warned,
})
