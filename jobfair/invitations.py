"""Accepting an invitation, across the two domains it touches.

``auth.services`` makes (or activates) the account; for a company representative,
``companies.services`` then creates or joins the company invited by name and its
participation in the invitation's fair. Orchestrating both here keeps the two
services modules from importing each other.
"""
from .auth import services as auth_services
from .companies.services import accept_company_invitation
from .extensions import db
from .models import Invitation


def accept(token, first_name, last_name, password):
    """The account made from the invitation behind ``token``, ready to log in (caller commits)."""
    user = auth_services.accept_invitation(token, first_name, last_name, password)
    if user.role == "company_rep":
        invitation = db.session.scalar(db.select(Invitation).where(Invitation.user_id == user.id)
                                       .order_by(Invitation.id.desc()))
        accept_company_invitation(invitation, user)
        db.session.flush()
    return user
