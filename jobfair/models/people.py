"""Accounts: users and their roles, invitations, candidate profiles."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .base import one_of, utcnow
from ..text import fold

ROLES = ("organizer", "company_rep", "staff", "candidate", "kiosk")
# A kiosk (a device, models/kiosks.py) is never invited.
INVITABLE_ROLES = ROLES[:4]


def new_session_nonce():
    return secrets.token_hex(8)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES, "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    # fold("<first> <last>"), kept by _keep_folded_name for every writer of the names, so
    # that the scanner's name search runs in SQL (checkin.services.search_people).
    folded_name: Mapped[str] = mapped_column(String(201), default="", server_default="")
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(5))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie's id: changing it (logout, new password) ends
    # every session of this user, on every device.
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    company = relationship("Company", back_populates="representatives")
    candidate = relationship("Candidate", back_populates="user", uselist=False)

    @validates("first_name", "last_name")
    def _keep_folded_name(self, key, value):
        names = {"first_name": self.first_name, "last_name": self.last_name, key: value}
        self.folded_name = fold(f"{names['first_name'] or ''} {names['last_name'] or ''}")
        return value

    def get_id(self):
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_active(self):
        return self.is_enabled

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def has_role(self, *roles):
        return self.role in roles

    def end_sessions(self):
        self.session_nonce = new_session_nonce()


class Invitation(db.Model):
    """A signed, expiring, single-use link that creates an account."""

    __tablename__ = "invitations"
    __table_args__ = (one_of("role", INVITABLE_ROLES, "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash of the token is stored: a database leak gives no usable link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(20))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    # A company invited by name: created when the invitation is accepted.
    company_name: Mapped[str | None] = mapped_column(String(200))
    fair_id: Mapped[int | None] = mapped_column(ForeignKey("fairs.id"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    company = relationship("Company")
    fair = relationship("Fair")
    invited_by = relationship("User", foreign_keys=[invited_by_id])


class Candidate(db.Model):
    """A graduate of a cohort: the profile behind a candidate account."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(100))
    linkedin_url: Mapped[str | None] = mapped_column(String(300))
    github_url: Mapped[str | None] = mapped_column(String(300))
    skills: Mapped[str | None] = mapped_column(Text)
    pitch: Mapped[str | None] = mapped_column(Text)
    # CVs are stored outside static/ and served through an authorising view.
    cv_filename: Mapped[str | None] = mapped_column(String(255))
    cv_uploaded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", back_populates="candidate")
    cohort = relationship("Cohort", back_populates="candidates")

