"""Pages outside any role: health check and the front-end packages."""
from flask import Blueprint, abort, current_app, jsonify, send_from_directory
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("main", __name__)

# Files served from node_modules (installed from the npm registry, never committed).
VENDOR_FILES = {
    "htmx.min.js": ("htmx.org", "dist/htmx.min.js"),
    "jsQR.js": ("jsqr", "dist/jsQR.js"),
    "idb.js": ("idb", "build/umd.js"),  # the offline scanner's IndexedDB (window.idb)
}


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/vendor/<name>")
def vendor(name):
    if name not in VENDOR_FILES:
        abort(404)
    package, path = VENDOR_FILES[name]
    directory = current_app.config["NODE_MODULES"] / package
    return send_from_directory(directory, path, max_age=86400)
