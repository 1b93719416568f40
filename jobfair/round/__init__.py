"""The booking round (issue 12): wishes during a window, company shortlists, one assignment.

problem.py (plain inputs and the booking rules on them) · assignment.py (CP-SAT solver) ·
simulation.py (first-come on the same wishes) · figures.py (fairness figures) ·
services.py (the rules and operations on the database) · queries.py · views.py · forms.py
"""
