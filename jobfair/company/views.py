"""The company representative's pages."""
from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.access import role_required
from ..extensions import db
from ..models import Company, Participation, Position

bp = Blueprint("company", __name__, url_prefix="/company")


def own_company_or_404():
    """The representative's own company: the only one this blueprint ever shows."""
    company = db.session.scalar(
        select(Company)
        .where(Company.id == current_user.company_id)
        .options(
            selectinload(Company.positions).selectinload(Position.track),
            selectinload(Company.participations).selectinload(Participation.fair),
            selectinload(Company.participations).selectinload(Participation.booth),
        )
    )
    if company is None:
        abort(404)
    return company


@bp.route("/")
@role_required("company_rep")
def home():
    return render_template("company/home.html", company=own_company_or_404())
