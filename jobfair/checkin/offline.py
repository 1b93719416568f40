"""The offline scanner's two server ends: the check-in manifest and the batch upload.

The manifest is what a staff device needs to decide a scan without the network, and nothing
more: per badge of the fair the SHA-256 of its token (never the token), the holder's name
(active badges of expected people only), whether the badge is active, revoked or not for this
fair, and whether its holder is checked in. It expires (``MANIFEST_TTL``); a delta (``since``)
holds the badges created, revoked or whose holder's check-in changed since then.

An upload is a list of scans decided on the device, each with its nonce: every one goes through
``services.scan`` — the same rules, the same nonce replay, the same unique index — so a batch
sent twice checks nobody in twice, and of two devices that checked one badge in offline the
first upload wins and the other is answered "already checked in". The answer compares, scan by
scan, what the device decided with what the server decided: the device's sync report.
"""
import hashlib
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_live
from ..models import Badge, Candidate, CheckIn, Participation, User, fair_cohorts, utcnow
from . import services

MANIFEST_TTL = timedelta(hours=12)
# A delta reaches back this far before its cursor: a check-in written by a transaction that
# began before the last manifest was read, and committed after, is still seen.
DELTA_OVERLAP = timedelta(minutes=2)
MAX_BATCH = 200
# How far back an offline scan's time is believed; anything else is "when it was uploaded".
OLDEST_OFFLINE_SCAN = timedelta(hours=24)
# What only a device says: a code whose hash is not in its manifest. A badge of another fair
# (tokens carry no fair, the manifest holds this fair's badges only), a badge made since the
# last delta or no badge at all look the same from there: the server tells them apart.
OFFLINE_LABELS = {"not_in_manifest": _l("Not in this fair’s list — checked when back online")}
DEVICE_STATUSES = set(services.STATUSES) | set(OFFLINE_LABELS)


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(moment):
    return moment.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


def parse_since(value):
    """The cursor of a delta (an ISO instant given by a previous manifest), or None."""
    try:
        moment = datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _expected_sets(fair):
    cohorts = set(db.session.scalars(
        select(fair_cohorts.c.cohort_id).where(fair_cohorts.c.fair_id == fair.id)))
    companies = set(db.session.scalars(select(Participation.company_id).where(
        Participation.fair_id == fair.id, Participation.status == "approved")))
    return cohorts, companies


def _is_expected(user, cohort_id, cohorts, companies):
    """services.is_expected, for many people at once (ids read in bulk)."""
    if not user.is_enabled:
        return False
    if user.role == "candidate":
        return cohort_id is not None and cohort_id in cohorts
    if user.role == "company_rep":
        return user.company_id is not None and user.company_id in companies
    return False


def manifest(fair, since=None, now=None):
    """The fair's check-in manifest (a delta when ``since`` is given), as JSON-ready data."""
    now = now or utcnow()
    query = (select(Badge, User, Candidate.cohort_id)
             .join(User, User.id == Badge.user_id)
             .outerjoin(Candidate, Candidate.user_id == User.id)
             .where(Badge.fair_id == fair.id))
    checked_in = select(CheckIn.user_id).where(
        CheckIn.fair_id == fair.id, CheckIn.kind == "entry", CheckIn.undone_at.is_(None))
    if since is not None:
        cutoff = since - DELTA_OVERLAP
        changed = select(CheckIn.user_id).where(
            CheckIn.fair_id == fair.id,
            # Written since, not scanned since: an offline scan uploaded late is still news.
            or_(CheckIn.recorded_at >= cutoff, CheckIn.undone_at >= cutoff))
        query = query.where(or_(Badge.created_at >= cutoff, Badge.revoked_at >= cutoff,
                                Badge.user_id.in_(changed)))
        checked_in = checked_in.where(CheckIn.user_id.in_(changed))
    present = set(db.session.scalars(checked_in))
    cohorts, companies = _expected_sets(fair)
    badges = []
    for badge, user, cohort_id in db.session.execute(query.order_by(Badge.id)):
        entry = {"h": token_hash(badge.token)}
        if badge.revoked_at is not None:
            entry["s"] = "revoked"
        elif not _is_expected(user, cohort_id, cohorts, companies):
            entry["s"] = "not_registered"
        else:
            entry.update(s="active", n=user.full_name, c=user.id in present)
        badges.append(entry)
    return {"fair": fair.id, "live": is_live(fair), "delta": since is not None,
            "generated_at": _iso(now), "expires_at": _iso(now + MANIFEST_TTL),
            "badges": badges}


def _scanned_at(value, now):
    """An offline scan's time (milliseconds since the epoch, from the device), if believable."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return now
    try:
        moment = datetime.fromtimestamp(value / 1000, timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return now
    return moment if now - OLDEST_OFFLINE_SCAN <= moment <= now else now


def _text(value, limit):
    return value.strip()[:limit] if isinstance(value, str) else ""


def _report_row(scan, result):
    device_said = scan.get("local") if scan.get("local") in DEVICE_STATUSES else None
    row = {"nonce": _text(scan.get("nonce"), 64), "status": result.status, "local": device_said,
           "conflict": device_said is not None and device_said != result.status,
           "name": result.person.full_name if result.person else None}
    if result.status == "already_checked_in" and result.checkin is not None:
        first = result.checkin
        row.update(checked_in_at=_iso(first.checked_in_at), device=first.device_name,
                   by=first.scanned_by.full_name if first.scanned_by else None)
    return row


def upload(fair, scans, staff_user, now=None):
    """Decide every scan of a batch decided offline; one report row per scan, in order."""
    if not isinstance(scans, list) or len(scans) > MAX_BATCH:
        raise DomainError(_l("A batch holds at most %(count)s scans.", count=MAX_BATCH))
    if not all(isinstance(scan, dict) and _text(scan.get("nonce"), 64) for scan in scans):
        raise DomainError(_l("Every scan of a batch needs its nonce."))
    now = now or utcnow()
    rows = [None] * len(scans)
    # Decided in the order of their codes (a stable sort: one badge's scans keep their order),
    # so that two doors' batches holding the same badges take the unique index's locks in one
    # order — on PostgreSQL, opposite orders deadlock (the batch then fails and is re-sent).
    # Scans of different badges do not depend on each other; the report keeps the batch's order.
    for index in sorted(range(len(scans)), key=lambda i: _text(scans[i].get("code"), 300)):
        scan = scans[index]
        result = services.scan(fair, _text(scan.get("code"), 300), staff_user,
                               _text(scan.get("device_name"), 100), _text(scan.get("nonce"), 64),
                               at=_scanned_at(scan.get("scanned_at"), now))
        rows[index] = _report_row(scan, result)
    return rows
