"""The organizer's live dashboard of a fair; its numbers block refreshes itself with htmx."""
from flask import Blueprint, abort

from ..auth.access import role_required
from ..extensions import db
from ..htmx import render
from ..models import Fair
from ..queues import services as queue_services
from . import queries

bp = Blueprint("dashboard", __name__)


@bp.route("/organizer/fairs/<int:fair_id>/live", methods=["GET"])
@role_required("organizer")
def live(fair_id):
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    return render("dashboard/live.html", block="numbers", fair=fair,
                  queues=queue_services.fair_figures(fair), **queries.live_numbers(fair))
