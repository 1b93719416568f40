"""On-site staff: the fairs they scan at."""
from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import role_required
from ..extensions import db
from ..models import Fair, fair_staff

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/")
@role_required("staff")
def home():
    fairs = db.session.scalars(
        select(Fair)
        .join(fair_staff, fair_staff.c.fair_id == Fair.id)
        .where(fair_staff.c.user_id == current_user.id)
        .order_by(Fair.day)
    ).all()
    return render_template("staff/home.html", fairs=fairs)
