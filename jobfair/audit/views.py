"""The organizers' audit log: who did what and when, newest first, filtered and paginated."""
from flask import Blueprint, render_template, request, url_for

from ..auth.access import ROLE_LABELS, role_required
from . import queries
from .describe import describe
from .forms import AuditFilterForm

bp = Blueprint("audit", __name__)


@bp.route("/organizer/audit", methods=["GET"])
@role_required("organizer")
def log():
    form = AuditFilterForm(request.args)
    form.set_choices(queries.fair_choices(), queries.actor_choices(),
                     lambda role: ROLE_LABELS.get(role, role))
    form.validate()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) <= 100_000 else 1
    entries, has_next = queries.events(form.filters(), page)
    names = queries.names_for(entries)
    rows = [(entry, *describe(entry, names)) for entry in entries]
    args = form.as_args()
    return render_template(
        "audit/log.html", form=form, rows=rows, page=page,
        newer=url_for("audit.log", page=page - 1, **args) if page > 1 else None,
        older=url_for("audit.log", page=page + 1, **args) if has_next else None,
        filtered=bool(args),
    )
