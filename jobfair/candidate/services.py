"""Candidate rules: what a profile needs before booking, its fields, and the CV file.

Plain functions on plain values: no request here. Each raises ``DomainError`` with the
form field it belongs to, so the view can put the message next to that field.
"""
import os
import re
import secrets
import unicodedata
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from ..errors import DomainError
from ..insertion import table as insertion_table
from ..models import utcnow

MAX_CV_BYTES = 5 * 1024 * 1024
MAX_PITCH_CHARS = 500
MAX_SKILLS = 30
MAX_SKILL_CHARS = 50


def missing_profile_items(candidate):
    """What a candidate must still fill in before booking, in the order of the form."""
    checks = [
        (candidate.phone, _l("phone number")),
        (candidate.city, _l("city")),
        (candidate.cohort_id or candidate.cohort, _l("cohort")),
        (candidate.cv_filename, _l("CV (PDF)")),
    ]
    return [label for value, label in checks if not value]


def profile_is_complete(candidate):
    return not missing_profile_items(candidate)


# --- Phone numbers ----------------------------------------------------------------------------

# Separators people type inside a number: spaces (also non-breaking), dots, dashes, slashes,
# and the parentheses of "+212 (0)6 …".
_PHONE_SEPARATORS = re.compile(r"[\s.\-/()\u00a0]")
# Moroccan numbers without the trunk 0: 5 (landlines), 6 and 7 (mobiles), then 8 digits.
_MOROCCAN_NATIONAL = re.compile(r"[567][0-9]{8}")


def normalise_phone(raw):
    """A phone number as E.164 (``+212612345678``), or None when empty.

    Moroccan forms: 06/07/05 + 8 digits, +212 or 00212 followed by the 9 digits (an optional
    0 after the country code is dropped). Other countries: + (or 00) and 8 to 15 digits.
    """
    text = (raw or "").strip()
    if not text:
        return None
    compact = _PHONE_SEPARATORS.sub("", text)
    # Digits typed on an Arabic keyboard (٠٦١٢…) are the same digits.
    compact = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in compact)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not re.fullmatch(r"\+?[0-9]+", compact):
        raise DomainError(_l("A phone number has only digits, spaces and a leading +."), field="phone")
    if compact.startswith("+212"):
        national = compact[4:]
        national = national.removeprefix("0")
        if not _MOROCCAN_NATIONAL.fullmatch(national):
            raise DomainError(
                _l("This is not a Moroccan number: after +212 come 9 digits starting with 5, 6 or 7."),
                field="phone",
            )
        return "+212" + national
    if compact.startswith("+"):
        digits = compact[1:]
        if digits.startswith("0") or not 8 <= len(digits) <= 15:
            raise DomainError(
                _l("An international number is + followed by the country code and 8 to 15 digits in all."),
                field="phone",
            )
        return compact
    if compact.startswith("0") and _MOROCCAN_NATIONAL.fullmatch(compact[1:]):
        return "+212" + compact[1:]
    raise DomainError(
        _l("Enter a Moroccan number (06, 07 or 05 and 8 digits) or an international one starting with +."),
        field="phone",
    )


def format_phone(stored):
    """A stored E.164 number as people read it: 06 12 34 56 78 for Moroccan numbers."""
    if not stored:
        return ""
    if stored.startswith("+212") and _MOROCCAN_NATIONAL.fullmatch(stored[4:]):
        national = "0" + stored[4:]
        return " ".join([national[:2]] + [national[i:i + 2] for i in range(2, 10, 2)])
    return stored


# --- Links ------------------------------------------------------------------------------------

_GITHUB_USER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")


def _split_https_url(raw, field):
    """(host, path) of an https address; a missing scheme is taken as https."""
    text = (raw or "").strip()
    if not text:
        return None
    if re.search(r"\s", text) or len(text) > 300:
        raise DomainError(_l("Paste the address alone, without spaces."), field=field)
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise DomainError(_l("This web address is not valid."), field=field) from None
    if parts.scheme.lower() != "https":
        raise DomainError(_l("The address must start with https://."), field=field)
    # "https://linkedin.com@evil.example" has the host evil.example: refuse any user part.
    if parts.username is not None or parts.password is not None or port is not None:
        raise DomainError(_l("This web address is not valid."), field=field)
    return (parts.hostname or "").lower(), parts.path


def normalise_linkedin_url(raw):
    """https://www.linkedin.com/<path>, or None when empty."""
    split = _split_https_url(raw, "linkedin_url")
    if split is None:
        return None
    host, path = split
    if host not in ("linkedin.com", "www.linkedin.com") or path.strip("/") == "":
        raise DomainError(
            _l("Give your LinkedIn profile's address, such as https://www.linkedin.com/in/your-name."),
            field="linkedin_url",
        )
    return "https://www.linkedin.com" + path


def normalise_github_url(raw):
    """https://github.com/<user>, or None when empty."""
    split = _split_https_url(raw, "github_url")
    if split is None:
        return None
    host, path = split
    user = path.strip("/")
    if host not in ("github.com", "www.github.com") or not _GITHUB_USER.fullmatch(user):
        raise DomainError(
            _l("Give your GitHub profile's address, such as https://github.com/your-name."),
            field="github_url",
        )
    return "https://github.com/" + user


# --- Skills and pitch -------------------------------------------------------------------------


def normalise_skills(raw):
    """Comma-separated skills, trimmed, without repeats (first spelling kept), or None."""
    skills, seen = [], set()
    for item in re.split(r"[,;\n]", raw or ""):
        skill = " ".join(item.split())
        if not skill or skill.casefold() in seen:
            continue
        if len(skill) > MAX_SKILL_CHARS:
            raise DomainError(
                _l("Each skill has at most %(count)d characters: separate them with commas.",
                   count=MAX_SKILL_CHARS),
                field="skills",
            )
        seen.add(skill.casefold())
        skills.append(skill)
    if len(skills) > MAX_SKILLS:
        raise DomainError(_l("List at most %(count)d skills.", count=MAX_SKILLS), field="skills")
    return ", ".join(skills) or None


def skill_list(stored):
    return [skill.strip() for skill in (stored or "").split(",") if skill.strip()]


def normalise_pitch(raw):
    # Browsers send line breaks as \r\n: count them as one character, as the counter does.
    text = (raw or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_PITCH_CHARS:
        raise DomainError(
            _l("Your pitch has %(count)d characters: keep it to %(max)d.",
               count=len(text), max=MAX_PITCH_CHARS),
            field="pitch",
        )
    return text or None


# --- The profile ------------------------------------------------------------------------------


def update_profile(candidate, *, first_name, last_name, phone, city, linkedin_url, github_url,
                   skills, pitch, cohort=None):
    """Save the candidate's own fields; raise DomainError on the first bad one.

    The cohort decides which fairs invite the candidate and which slots they may book: once
    it is set (by an organizer's import, or by the candidate when it was empty) only an
    organizer changes it. ``cohort`` is a Cohort or None (keep the current one).
    """
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not first_name:
        raise DomainError(_l("Enter your first name."), field="first_name")
    if not last_name:
        raise DomainError(_l("Enter your last name."), field="last_name")
    values = {
        "phone": normalise_phone(phone),
        "linkedin_url": normalise_linkedin_url(linkedin_url),
        "github_url": normalise_github_url(github_url),
        "skills": normalise_skills(skills),
        "pitch": normalise_pitch(pitch),
        "city": " ".join((city or "").split()) or None,
    }
    if cohort is not None and cohort.id != candidate.cohort_id:
        if candidate.cohort_id is not None:
            raise DomainError(
                _l("Your cohort is set by the organizers: ask them to change it."), field="cohort_id"
            )
        candidate.cohort = cohort
        insertion_table.refresh_membership(candidate_ids=[candidate.id])  # the fairs inviting it
    candidate.user.first_name, candidate.user.last_name = first_name, last_name
    for name, value in values.items():
        setattr(candidate, name, value)


# --- The CV -----------------------------------------------------------------------------------

# A PDF starts with its header "%PDF-1.x" (or 2.0) at the very first byte and ends with "%%EOF",
# which the format puts within the last 1024 bytes. Checking both on the content (never the
# file's name or the browser's type) refuses HTML, executables, archives and polyglots that
# start as something else.
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_EOF_WINDOW = 1024
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.pdf")


def check_cv(data):
    """Raise DomainError unless ``data`` (bytes) is a PDF of at most 5 MB."""
    if not data:
        raise DomainError(_l("The file is empty: choose your CV as a PDF file."), field="cv")
    if len(data) > MAX_CV_BYTES:
        raise DomainError(_l("The file is larger than 5 MB: send a lighter PDF."), field="cv")
    if not _PDF_HEADER.match(data) or b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise DomainError(
            _l("This file is not a PDF. Export your CV as PDF from your editor, then send it."),
            field="cv",
        )


def store_cv(candidate, data, folder, now=None):
    """Check ``data``, write it under ``folder`` with a random name and attach it.

    Returns the name of the file it replaces (to delete once the change is committed), or None.
    The user's file name never reaches the disk: the name is chosen here.
    """
    check_cv(data)
    os.makedirs(folder, exist_ok=True)
    name = secrets.token_hex(16) + ".pdf"
    # "x": never overwrite, even if 128 random bits ever repeated.
    with open(os.path.join(folder, name), "xb") as handle:
        handle.write(data)
    previous = candidate.cv_filename
    candidate.cv_filename = name
    candidate.cv_uploaded_at = now or utcnow()
    return previous


def detach_cv(candidate):
    """Forget the candidate's CV; returns the file name to delete once committed."""
    previous = candidate.cv_filename
    candidate.cv_filename = None
    candidate.cv_uploaded_at = None
    return previous


def delete_cv_file(folder, name):
    """Delete a stored CV; only names this module chose, so never a path outside ``folder``."""
    if not name or not _STORED_NAME.fullmatch(name):
        return False
    try:
        os.remove(os.path.join(folder, name))
    except FileNotFoundError:
        return False
    return True
