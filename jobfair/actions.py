"""The sequence every form view repeats: call a service, then commit — or roll back and say why.

    form = ProfileForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            services.update_profile(company, form.name.data, ...)
        if done.ok:
            flash(_("Saved."), "success")
            return redirect(url_for("company.home"), code=303)
    return render_template("company/profile.html", form=form)

A ``DomainError`` raised in the block rolls the transaction back and its message goes next to
its form field (several, for an error carrying ``errors``), or is flashed when it belongs to no
field; the form re-renders with what the user typed. Any other exception propagates (the app's
error handlers roll back and answer 500/503).
"""
from contextlib import contextmanager

from flask import flash

from .errors import DomainError
from .extensions import db


def attach_error(form, error, default=None, unplaced="flash", category="error"):
    """Show ``error`` on ``form``: each message next to its field (or ``default``'s), unless that
    field already shows an error of its own.

    Messages that belong to no field are flashed (``unplaced="flash"``), put above the form
    (``"form"``: ``form.form_errors``) or only returned (``None``). Returns those messages.
    """
    errors = getattr(error, "errors", None) or {error.field: error.message}
    unplaced_messages = []
    for name, message in errors.items():
        field = None
        if form is not None:
            field = getattr(form, name, None) if name else None
            if field is None and default:
                field = getattr(form, default, None)
        if field is None:
            unplaced_messages.append(message)
        elif not field.errors:  # a field shows one message: its own validator's comes first
            field.errors = [message]
    for message in unplaced_messages:
        if unplaced == "flash":
            flash(message, category)
        elif unplaced == "form":
            form.form_errors.append(message)
    return unplaced_messages


class Attempt:
    """What happened in an ``attempt`` block: ``ok`` (committed) or ``error`` (rolled back)."""

    def __init__(self):
        self.ok = False
        self.error = None
        self.unplaced = []


@contextmanager
def attempt(form=None, default=None, unplaced="flash", category="error"):
    """Commit when the block ends normally; on ``DomainError`` roll back and attach it."""
    done = Attempt()
    try:
        yield done
    except DomainError as error:
        db.session.rollback()
        done.error = error
        done.unplaced = attach_error(form, error, default, unplaced, category)
    else:
        db.session.commit()
        done.ok = True
