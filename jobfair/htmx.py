"""One template per page; an htmx request gets only the block it asked for."""
from flask import request
from jinja2_fragments.flask import render_block
from flask import render_template


def is_htmx():
    # A boosted link wants the whole page (htmx swaps the <body>), not a fragment.
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def render(template, block=None, **context):
    """Render ``block`` of ``template`` for an htmx request, the whole page otherwise."""
    if block and is_htmx():
        return render_block(template, block, **context)
    return render_template(template, **context)
