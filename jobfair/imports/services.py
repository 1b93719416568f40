"""Importing candidates: a parsed file becomes a plan (create / update / unchanged, or the
bad lines), and a plan without bad lines is applied in one transaction.

The plan is always built again from the file and the database when the organizer confirms:
nothing the browser sends back is trusted as data. Existing accounts are read with one
query per 5,000 addresses, never one per line.
"""
import hashlib
import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..audit import services as audit
from ..auth import services as auth_services
from ..candidate.services import format_phone
from ..errors import DomainError
from ..extensions import db
from ..insertion import table as insertion_table
from ..models import Candidate, Cohort, User
from . import parsing
from .parsing import FIELD_LABELS, simplify

EMAIL_QUERY_CHUNK = 5000


@dataclass
class ImportLine:
    number: int
    email: str
    first_name: str
    last_name: str
    phone: str | None
    city: str | None
    cohort: Cohort


@dataclass
class Update:
    line: ImportLine
    user: User
    changes: list  # (field label, old value, new value) as shown to people


@dataclass
class LineProblem:
    number: int
    reasons: list


@dataclass
class ImportPlan:
    parsed: parsing.ParsedFile
    cohort: Cohort | None  # the cohort chosen for every line, if any
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)  # (ImportLine, User)
    problems: list = field(default_factory=list)

    @property
    def has_changes(self):
        return bool(self.creates or self.updates)

    def counts(self):
        return {
            "lines": len(self.parsed.rows),
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": len(self.unchanged),
            "bad_lines": len(self.problems),
        }

    def fingerprint(self):
        """A digest of what the import would do: the confirmation must match the preview."""
        what = [("c", l.email, l.first_name, l.last_name, l.phone, l.city, l.cohort.id)
                for l in self.creates]
        what += [("u", u.line.email, [[str(c) for c in change] for change in u.changes])
                 for u in self.updates]
        return hashlib.sha256(json.dumps(what, ensure_ascii=False).encode()).hexdigest()[:32]


# --- Cohorts ---------------------------------------------------------------------------


def cohort_choices():
    """Every cohort with its operator and track, for the form's list."""
    return db.session.scalars(
        select(Cohort)
        .options(joinedload(Cohort.operator), joinedload(Cohort.track))
        .order_by(Cohort.name)
    ).all()


def _cohorts_by_name(cohorts):
    index = {}
    for cohort in cohorts:
        index.setdefault(simplify(cohort.name), []).append(cohort)
    return index


def _track_matches(value, track):
    wanted = simplify(value)
    return wanted in (simplify(track.name), simplify(track.slug))


def _line_cohort(row, index, chosen, reasons):
    value = row.get("cohort", "")
    if chosen is not None:
        if value and simplify(value) != simplify(chosen.name):
            reasons.append(_l("the line names the cohort “%(value)s” but you chose “%(chosen)s” "
                              "for every line.", value=parsing.shorten(value), chosen=chosen.name))
            return None
        return chosen
    if not value:
        reasons.append(_l("cohort is missing (or choose one cohort for every line on the form)."))
        return None
    found = index.get(simplify(value), [])
    if not found:
        reasons.append(_l("unknown cohort “%(value)s”: it must be the name of a cohort of the "
                          "Programme page.", value=parsing.shorten(value)))
        return None
    if len(found) > 1:
        reasons.append(_l("several cohorts are named “%(value)s” (%(operators)s): choose the "
                          "cohort on the form and import each operator's list on its own.",
                          value=parsing.shorten(value),
                          operators=", ".join(c.operator.name for c in found)))
        return None
    return found[0]


def _check_row(number, row, index, chosen):
    """(ImportLine, []) for a good row, (None, reasons) for a bad one."""
    reasons = []
    values = {}
    for name, value in row.items():
        problem = parsing.formula_problem(name, value) or parsing.length_problem(name, value)
        if problem:
            reasons.append(problem)
        else:
            values[name] = " ".join(value.split())
    # A value refused above is already explained: only empty values are "missing".
    if values.get("first_name") == "":
        reasons.append(_l("first name is missing."))
    if values.get("last_name") == "":
        reasons.append(_l("last name is missing."))
    email = phone = cohort = None
    if "email" in values:
        email, problem = parsing.check_email(values["email"])
        if problem:
            reasons.append(problem)
    if values.get("phone"):
        phone, problem = parsing.check_phone(values["phone"])
        if problem:
            reasons.append(problem)
    if "cohort" in values or "cohort" not in row:
        cohort = _line_cohort(values, index, chosen, reasons)
    if cohort is not None and values.get("track") and not _track_matches(values["track"], cohort.track):
        reasons.append(_l("the track “%(value)s” is not the track of the cohort “%(cohort)s” "
                          "(%(track)s).", value=parsing.shorten(values["track"]),
                          cohort=cohort.name, track=cohort.track.name))
    if reasons:
        return None, reasons
    return ImportLine(number, email, values["first_name"], values["last_name"], phone,
                      values.get("city") or None, cohort), []


def _existing_users(emails):
    users = {}
    emails = sorted(emails)
    for start in range(0, len(emails), EMAIL_QUERY_CHUNK):
        chunk = emails[start:start + EMAIL_QUERY_CHUNK]
        for user in db.session.scalars(
            select(User)
            .where(func.lower(User.email).in_(chunk))
            .options(selectinload(User.candidate).selectinload(Candidate.cohort))
        ):
            users[user.email.lower()] = user
    return users


def _changes(line, user):
    """What the line would change on an existing candidate. An empty cell changes nothing."""
    candidate = user.candidate
    changes = []
    if line.first_name != user.first_name:
        changes.append((FIELD_LABELS["first_name"], user.first_name, line.first_name))
    if line.last_name != user.last_name:
        changes.append((FIELD_LABELS["last_name"], user.last_name, line.last_name))
    old_cohort = candidate.cohort if candidate else None
    if old_cohort is None or old_cohort.id != line.cohort.id:
        changes.append((FIELD_LABELS["cohort"], old_cohort.name if old_cohort else "", line.cohort.name))
    old_phone = candidate.phone if candidate else None
    if line.phone and line.phone != old_phone:
        changes.append((FIELD_LABELS["phone"], format_phone(old_phone), format_phone(line.phone)))
    old_city = candidate.city if candidate else None
    if line.city and line.city != old_city:
        changes.append((FIELD_LABELS["city"], old_city or "", line.city))
    return changes


def plan_import(data, cohort=None):
    """Read ``data`` (the file's bytes) and say what importing it would do.

    ``cohort``: a Cohort every line goes to, or None to read each line's cohort column.
    Raises DomainError (field "file") when the file itself cannot be read.
    """
    parsed = parsing.read_rows(data)
    if cohort is None and "cohort" not in parsed.columns:
        raise DomainError(_l("The file has no cohort column: choose the cohort of every line on "
                             "the form, or add a “promotion” column."), field="cohort_id")
    plan = ImportPlan(parsed, cohort)
    index = _cohorts_by_name(cohort_choices()) if cohort is None else {}
    good, problems = [], {}
    for number, row in parsed.rows:
        line, reasons = _check_row(number, row, index, cohort)
        if reasons:
            problems[number] = reasons
        else:
            good.append(line)

    by_email = {}
    for line in good:
        by_email.setdefault(line.email, []).append(line.number)
    for email, numbers in by_email.items():
        if len(numbers) > 1:
            for number in numbers:
                others = ", ".join(str(n) for n in numbers if n != number)
                problems.setdefault(number, []).append(_l(
                    "the email %(email)s is also on line %(lines)s: each candidate must appear "
                    "once.", email=email, lines=others))

    existing = _existing_users(by_email)
    for line in good:
        if line.number in problems:
            continue
        user = existing.get(line.email)
        if user is None:
            plan.creates.append(line)
        elif user.role != "candidate":
            problems[line.number] = [_l("%(email)s is the address of an account that is not a "
                                        "candidate's.", email=line.email)]
        else:
            changes = _changes(line, user)
            if changes:
                plan.updates.append(Update(line, user, changes))
            else:
                plan.unchanged.append((line, user))
    plan.problems = [LineProblem(n, reasons) for n, reasons in sorted(problems.items())]
    return plan


def apply_import(plan, actor, filename, ip_address=None):
    """Create and update the candidates of a plan without bad lines; invite the new ones.

    Everything is added to the current transaction: the caller commits once, so a failure
    leaves nothing (no account, no invitation, no email). Returns the plan's counts.
    """
    if plan.problems:
        raise DomainError(_l("Nothing was imported: correct the lines listed below first."))
    created = []
    for line in plan.creates:
        user = User(email=line.email, role="candidate", first_name=line.first_name,
                    last_name=line.last_name, password_hash=None)
        user.candidate = Candidate(cohort_id=line.cohort.id, phone=line.phone, city=line.city)
        created.append((user, line.cohort))
    db.session.add_all(user for user, _cohort in created)
    for update in plan.updates:
        line, user = update.line, update.user
        user.first_name, user.last_name = line.first_name, line.last_name
        if user.candidate is None:
            user.candidate = Candidate()
        candidate = user.candidate
        candidate.cohort_id = line.cohort.id
        if line.phone:
            candidate.phone = line.phone
        if line.city:
            candidate.city = line.city
    db.session.flush()  # the new accounts' ids, for their invitations
    # Their cohort decides the fairs they count at (the insertion dashboard's table).
    insertion_table.refresh_membership(candidate_ids=[
        *(user.candidate.id for user, _cohort in created),
        *(update.user.candidate.id for update in plan.updates)])
    for user, cohort in created:
        auth_services.invite_to_activate(user, invited_by=actor, cohort=cohort)
    counts = plan.counts()
    audit.record("candidates.import", actor, obj=plan.cohort, ip_address=ip_address,
                 file=filename, **counts)
    return counts


# --- The organizer's list of candidates ------------------------------------------------------


def candidates_query(search="", cohort_id=None):
    """Candidates with their account and cohort, for one page of the list (no query per row)."""
    query = (
        select(Candidate)
        .join(Candidate.user)
        .outerjoin(Candidate.cohort)
        .options(
            contains_eager(Candidate.user),
            contains_eager(Candidate.cohort).joinedload(Cohort.track),
            contains_eager(Candidate.cohort).joinedload(Cohort.operator),
        )
        .order_by(User.last_name, User.first_name, User.id)
    )
    words = (search or "").strip().lower().split()
    for word in words[:5]:
        query = query.where(or_(
            func.lower(User.first_name).contains(word, autoescape=True),
            func.lower(User.last_name).contains(word, autoescape=True),
            func.lower(User.email).contains(word, autoescape=True),
        ))
    if cohort_id:
        query = query.where(Candidate.cohort_id == cohort_id)
    return query


def reinvite(user, actor):
    """A new activation link for a candidate who has not activated the account yet."""
    if user.password_hash is not None:
        raise DomainError(_l("%(name)s has already activated the account.", name=user.full_name))
    cohort = user.candidate.cohort if user.candidate else None
    return auth_services.invite_to_activate(user, invited_by=actor, cohort=cohort)
