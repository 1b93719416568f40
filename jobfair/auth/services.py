"""Account rules: log in, invitations, password reset. No Flask request here."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from .. import mail
from ..errors import DomainError
from ..extensions import db
from ..models import Candidate, Invitation, User, utcnow
from ..models.people import new_session_nonce
from .passwords import hash_password, needs_rehash, verify_password


def normalise_email(email):
    return (email or "").strip().lower()


def user_by_email(email):
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email, password):
    """The user whose email and password match, or None (never says which was wrong)."""
    user = user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or not user.is_enabled:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def set_password(user, password):
    user.password_hash = hash_password(password)
    user.end_sessions()


# --- Invitations -----------------------------------------------------------


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(email, role, invited_by=None, company=None, fair=None, company_name=None,
                      template="invitation"):
    """Store an invitation and queue its email; returns (invitation, token).

    A representative's invitation names an existing ``company`` or, for a
    company that does not exist yet, a ``company_name`` (created on acceptance).

    The token is random (256 bits) and only its hash is stored, so the link
    works once, for ``INVITATION_MAX_AGE_DAYS`` days, and cannot be rebuilt
    from the database.
    """
    email = normalise_email(email)
    if user_by_email(email):
        raise DomainError(_l("An account already exists for this email address."), field="email")
    if role == "company_rep" and company is None and not company_name:
        raise DomainError(_l("Choose the company of this representative."), field="company_id")
    invitation, token = _new_invitation(
        email=email,
        role=role,
        company=company,
        company_name=company_name,
        fair=fair,
        invited_by=invited_by,
    )
    mail.queue(
        email,
        template,
        invitation=invitation,
        link=mail.absolute_url("auth.accept_invitation", token=token),
        inviter=invited_by,
    )
    return invitation, token


def _new_invitation(**fields):
    """An invitation with a fresh token, added to the session; returns (invitation, token)."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=_token_hash(token),
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]),
        **fields,
    )
    db.session.add(invitation)
    return invitation, token


def invite_to_activate(user, invited_by=None, template="candidate_invitation", **context):
    """Invite the person behind ``user``, an account made without a password (an imported
    candidate), to activate it; queues the email and returns (invitation, token).

    The same single-use, expiring link as other invitations; ``Invitation.user_id`` names
    the account, so accepting it sets this account's password instead of creating one.
    ``user`` must have an id (flushed).
    """
    if user.password_hash is not None:
        raise DomainError(_l("This account is already activated."))
    invitation, token = _new_invitation(
        email=user.email, role=user.role, user_id=user.id, invited_by=invited_by
    )
    mail.queue(
        user.email,
        template,
        locale=user.locale,
        user=user,
        invitation=invitation,
        link=mail.absolute_url("auth.accept_invitation", token=token),
        inviter=invited_by,
        **context,
    )
    return invitation, token


def account_to_activate(invitation):
    """The existing account ``invitation`` activates (one made without a password), or None."""
    if invitation.user_id is None:
        return None
    user = db.session.get(User, invitation.user_id)
    if user is None or user.password_hash is not None:
        return None
    return user


def invitation_for_token(token):
    """The invitation behind a link, or a DomainError saying why it cannot be used."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _token_hash(token or ""))
    )
    if invitation is None:
        raise DomainError(_l("This invitation link is not valid. Check that you copied it whole."))
    if invitation.used_at is not None:
        raise DomainError(_l("This invitation has already been used. Log in with your password."))
    if invitation.expires_at < utcnow():
        raise DomainError(_l("This invitation has expired. Ask the organizer for a new one."))
    return invitation


def accept_invitation(token, first_name, last_name, password):
    invitation = invitation_for_token(token)
    account = account_to_activate(invitation)
    if account is None and user_by_email(invitation.email):
        raise DomainError(_l("An account already exists for this email address."))
    # Claim the invitation with a conditional UPDATE: of two simultaneous
    # submissions of the same link, only one creates an account.
    claimed = db.session.execute(
        Invitation.__table__.update()
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise DomainError(_l("This invitation has already been used. Log in with your password."))
    if account is not None:
        return _activate(account, first_name, last_name, password)
    user = User(
        email=invitation.email,
        role=invitation.role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        company_id=invitation.company_id,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    if invitation.role == "candidate":
        db.session.add(Candidate(user=user))
    if invitation.role == "staff" and invitation.fair is not None:
        invitation.fair.staff.append(user)
    # A representative's company side is jobfair/invitations.py's (it calls this function).
    db.session.flush()
    invitation.user_id = user.id
    return user


def _activate(user, first_name, last_name, password):
    """Give an account made without a password (an imported candidate) its password.

    Conditional on the account still having no password: of two invitations to the same
    account used at once, only the first activates it. The names typed on the form (shown
    filled with the account's) replace the stored ones: the person knows their own name.
    """
    activated = db.session.execute(
        User.__table__.update()
        .where(User.id == user.id, User.password_hash.is_(None))
        .values(password_hash=hash_password(password), session_nonce=new_session_nonce())
    ).rowcount
    if activated != 1:
        raise DomainError(_l("This account is already activated. Log in with your password."))
    db.session.expire(user, ["password_hash", "session_nonce"])
    user.first_name = first_name.strip() or user.first_name
    user.last_name = last_name.strip() or user.last_name
    if user.role == "candidate" and user.candidate is None:
        db.session.add(Candidate(user=user))
    return user


# --- Password reset ----------------------------------------------------------


def _reset_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user):
    # Part of the signed token: once the password changes, the link stops working.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def request_password_reset(email):
    """Queue a reset email if the account exists; say nothing either way."""
    user = user_by_email(email)
    if user is None or not user.is_enabled:
        return
    token = _reset_serializer().dumps({"u": user.id, "f": _password_fingerprint(user)})
    mail.queue(
        user.email,
        "password_reset",
        locale=user.locale,
        user=user,
        link=mail.absolute_url("auth.reset_password", token=token),
    )


def user_for_reset_token(token):
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except SignatureExpired:
        raise DomainError(_l("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise DomainError(_l("This link is not valid. Ask for a new one.")) from None
    user = db.session.get(User, data.get("u"))
    if user is None or _password_fingerprint(user) != data.get("f"):
        raise DomainError(_l("This link has already been used. Ask for a new one."))
    return user


def reset_password(token, password):
    user = user_for_reset_token(token)
    set_password(user, password)
    return user
