"""Finding a company that already exists: one company, one row, whatever the spelling.

Organizers type company names by hand ("Atlas Digital S.A.R.L", "ATLAS DIGITAL
Maroc", "Groupe Atlas Digital"): they all mean one company. A name is reduced to
its *normalised* form, which ``Company.normalized_name`` stores under a UNIQUE
index — the database's last word when two organizers invite at once. Near
misses (typos) and a shared email domain are offered to the organizer as
"Did you mean …?" instead of being merged silently.

How a name is normalised (``normalise_company_name``):

1. lower case; accents and other diacritics removed (é → e, ç → c);
2. dotted abbreviations joined ("S.A.R.L." → "sarl", "S.A" → "sa");
3. "&", "and", "et" dropped ("Ernst & Young" = "Ernst et Young");
4. everything that is not a letter or a digit becomes one space;
5. the words of ``GROUP_WORDS`` dropped wherever they are ("Group", "Groupe",
   "Grp": "Groupe OCP" = "OCP Group");
6. at the end of the name, legal forms (``LEGAL_FORMS``: SA, SARL, SARL AU,
   SARLAU, SAS, SASU, SNC, SCS, SCA, EURL, GIE, Ltd, LLC, Inc, PLC, GmbH, Corp,
   BV, NV, AG, SpA, SRL …) and country words (``COUNTRY_SUFFIXES``: "Maroc",
   "Morocco" and their usual misspellings) dropped, repeatedly, so "Atlas Maroc
   SARL" and "Atlas SA Maroc" both give "atlas";
7. at the start, a legal form dropped too ("SARL Atlas Digital"), but only when
   at least two words remain ("SAS Institute" keeps its name);
8. if nothing is left (a company really named "Groupe Maroc"), the result of
   step 4 is kept, so a name never normalises to an empty string unless it has
   no letter or digit at all.

Legal forms and country words in the middle of a name are kept: they are part
of it there ("Banque SA Populaire" is not "Banque Populaire").

No Flask request here: these are plain functions, tested without HTTP.
"""
import difflib
import re

from sqlalchemy import select

from ..extensions import db
from ..models import Company
from ..text import ascii_fold

LEGAL_FORMS = frozenset({
    "sa", "sarl", "sarlau", "sarlu", "sas", "sasu", "snc", "scs", "sca", "eurl", "gie",
    "ltd", "limited", "llc", "inc", "incorporated", "plc", "gmbh", "corp", "corporation",
    "bv", "nv", "ag", "spa", "srl",
})
# "SARL AU" (à associé unique) is written as two words as often as one.
LEGAL_FORM_PHRASES = (("sarl", "au"), ("s", "a", "r", "l"))
GROUP_WORDS = frozenset({"group", "groupe", "grp"})
COUNTRY_SUFFIXES = frozenset({"maroc", "morocco", "morroco", "marocco"})
CONNECTIVES = frozenset({"and", "et"})

# Addresses anyone can open: their domain says nothing about the company.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "outlook.fr", "hotmail.com", "hotmail.fr",
    "live.com", "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "ymail.com", "icloud.com",
    "me.com", "mac.com", "aol.com", "gmx.com", "gmx.fr", "proton.me", "protonmail.com",
    "menara.ma", "laposte.net", "orange.fr", "free.fr", "mail.com", "yandex.com",
})

# How close two normalised names must be (difflib's ratio) to be offered as a match.
SIMILAR_NAME_RATIO = 0.85
MAX_MATCHES = 5

_DOTTED_ABBREVIATION = re.compile(r"\b(?:[a-z]\.)+[a-z]?\b\.?")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def _join_legal_phrases(words):
    """Legal forms written in several words ("SARL AU", "S A R L") as one word."""
    result, index = [], 0
    while index < len(words):
        for phrase in LEGAL_FORM_PHRASES:
            if tuple(words[index:index + len(phrase)]) == phrase:
                result.append("".join(phrase))
                index += len(phrase)
                break
        else:
            result.append(words[index])
            index += 1
    return result


def normalise_company_name(name):
    """The form under which two spellings of one company are equal (see the module's doc)."""
    text = ascii_fold(name)
    text = _DOTTED_ABBREVIATION.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    text = text.replace("&", " ")
    words = [w for w in _NOT_ALPHANUMERIC.sub(" ", text).split() if w not in CONNECTIVES]
    plain = list(words)
    words = [w for w in _join_legal_phrases(words) if w not in GROUP_WORDS]
    while words and (words[-1] in LEGAL_FORMS or words[-1] in COUNTRY_SUFFIXES):
        words.pop()
    if len(words) > 2 and words[0] in LEGAL_FORMS:
        words.pop(0)
    return " ".join(words or plain)


def email_domain(email):
    """The company part of an address, or None for a free-mail (or malformed) address."""
    _local, at, domain = (email or "").strip().lower().rpartition("@")
    domain = domain.strip(".")
    if not at or not _local or "." not in domain or domain in FREE_MAIL_DOMAINS:
        return None
    return domain


def name_similarity(a, b):
    """difflib's ratio of two normalised names, 0 … 1."""
    return difflib.SequenceMatcher(None, a, b).ratio()


class Match:
    """An existing company that may be the one meant, and why it was found."""

    SAME_NAME, SAME_DOMAIN, SIMILAR_NAME = "same_name", "same_domain", "similar_name"

    def __init__(self, company, reasons, similarity):
        self.company = company
        self.reasons = reasons
        self.similarity = similarity

    @property
    def same_name(self):
        return self.SAME_NAME in self.reasons

    def __repr__(self):
        return f"<Match {self.company.name!r} {sorted(self.reasons)} {self.similarity:.2f}>"


def find_matches(name, email=None, exclude_id=None, limit=MAX_MATCHES):
    """Existing companies that may be ``name`` (or own ``email``'s domain), best first.

    A company matches when its normalised name is the same, when its
    ``email_domain`` is the address's domain, or when the normalised names are
    at least ``SIMILAR_NAME_RATIO`` alike. Same name first, then same domain,
    then by likeness.
    """
    normalised = normalise_company_name(name)
    domain = email_domain(email)
    rows = db.session.execute(
        select(Company.id, Company.normalized_name, Company.email_domain)
    ).all()
    found = {}
    for company_id, other_name, other_domain in rows:
        if company_id == exclude_id:
            continue
        reasons = set()
        similarity = name_similarity(normalised, other_name) if normalised else 0.0
        if normalised and other_name == normalised:
            reasons.add(Match.SAME_NAME)
        elif similarity >= SIMILAR_NAME_RATIO:
            reasons.add(Match.SIMILAR_NAME)
        if domain and other_domain == domain:
            reasons.add(Match.SAME_DOMAIN)
        if reasons:
            found[company_id] = (reasons, similarity)
    if not found:
        return []
    companies = {
        c.id: c for c in db.session.scalars(select(Company).where(Company.id.in_(found)))
    }
    matches = [Match(companies[i], reasons, sim) for i, (reasons, sim) in found.items()]
    matches.sort(key=lambda m: (not m.same_name, Match.SAME_DOMAIN not in m.reasons,
                                -m.similarity, m.company.name))
    return matches[:limit]


def company_with_normalised_name(name, exclude_id=None):
    query = select(Company).where(Company.normalized_name == normalise_company_name(name))
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    return db.session.scalar(query)


def unique_slug(name, exclude_id=None):
    """A URL slug for ``name``, suffixed (-2, -3 …) if another company has it."""
    base = _NOT_ALPHANUMERIC.sub("-", ascii_fold(name)).strip("-")[:180] or "company"
    query = select(Company.slug).where(Company.slug.like(f"{base}%"))
    if exclude_id is not None:
        query = query.where(Company.id != exclude_id)
    taken = set(db.session.scalars(query))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug
