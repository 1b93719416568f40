"""Every model, importable from one place (and seen by Alembic's autogenerate)."""
from .audit import AuditEvent
from .base import utcnow
from .booking import Booking, Slot, WaitlistEntry, slot_cohorts, slot_tracks
from .checkin import Badge, CheckIn
from .companies import CONTRACT_TYPES, SECTORS, SIZES, Company, Position
from .fairs import REGIONS, Booth, Fair, InterviewTable, Participation, fair_cohorts, fair_staff
from .insertion import (
    InsertionCompanyTotal,
    InsertionFollowUpTotal,
    InsertionOutcome,
    InsertionTotal,
)
from .kiosks import Kiosk
from .mail import OutboxMessage
from .outcomes import FollowUpAnswer, FollowUpRequest, Lead, Outcome
from .people import ROLES, Candidate, Invitation, User
from .privacy import Consent, CvAccess, ErasureRequest, FairPrivacy, RetentionWarning
from .programme import Cohort, TrainingOperator, Track
from .queues import QueueEntry, WalkInSettings
from .round import AssignmentRun, BookingRound, RoundInvitation, ShortlistMark, Wish

__all__ = [
    "AssignmentRun", "BookingRound", "RoundInvitation", "ShortlistMark", "Wish",
    "Consent", "CvAccess", "ErasureRequest", "FairPrivacy", "RetentionWarning",
    "AuditEvent", "Badge", "Booking", "Booth", "CONTRACT_TYPES", "Candidate", "CheckIn",
    "Cohort", "Company", "Fair", "FollowUpAnswer", "FollowUpRequest", "InsertionCompanyTotal",
    "InsertionFollowUpTotal", "InsertionOutcome", "InsertionTotal", "InterviewTable",
    "Invitation", "Kiosk", "Lead", "OutboxMessage", "Outcome", "Participation", "Position", "REGIONS",
    "QueueEntry", "ROLES", "SECTORS", "SIZES", "Slot", "Track", "TrainingOperator", "User",
    "WaitlistEntry", "WalkInSettings",
    "fair_cohorts", "fair_staff", "slot_cohorts", "slot_tracks", "utcnow",
]
