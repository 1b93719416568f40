"""Geometry of the dashboard's bar charts, drawn by the template as inline SVG.

No JavaScript and no chart library: the template writes <rect>/<text> with presentation
attributes (the CSP forbids style=""), and the same numbers are in a table beside each chart.
"""
from . import rates

LABEL_WIDTH = 220
BAR_AREA = 360
ROW_HEIGHT = 14
GROUP_GAP = 10
COLORS = {"knowledge": "#64748b", "insertion": "#1d4ed8", "in_field": "#15803d"}
STATUS_COLORS = {
    "employed": "#15803d", "own_business": "#0e7490", "education": "#7c3aed",
    "seeking": "#b45309", "not_seeking": "#6b7280", "no_answer": "#d1d5db",
}


def rate_bars(groups, label_of, locale="en"):
    """Three bars (knowledge, insertion, in-field) per group; width proportional to the rate."""
    items, y = [], 0
    for key, label, group_rates, _size in groups:
        bars = []
        for index, rate in enumerate(group_rates):
            value = rate.value or 0
            bars.append({"key": rate.key, "y": y + index * ROW_HEIGHT,
                         "width": round(value * BAR_AREA, 1), "color": COLORS[rate.key],
                         "text": rate.percent(locale), "label": rate.label})
        items.append({"label": label_of(key, label), "y": y, "bars": bars})
        y += ROW_HEIGHT * len(group_rates) + GROUP_GAP
    return {"groups": items, "height": max(y, 20), "width": LABEL_WIDTH + BAR_AREA + 70,
            "label_width": LABEL_WIDTH}


def status_stack(over_time):
    """One stacked bar per follow-up day: the share of each latest status."""
    rows, y = [], 0
    for day, counts in over_time.items():
        total = sum(counts.values())
        x, segments = LABEL_WIDTH, []
        for status in rates.FOLLOW_UP_STATUSES:
            width = 0 if total == 0 else counts[status] / total * BAR_AREA
            if width:
                segments.append({"status": status, "x": round(x, 1), "width": round(width, 1),
                                 "color": STATUS_COLORS[status], "count": counts[status]})
            x += width
        rows.append({"day": day, "y": y, "segments": segments, "total": total})
        y += 28
    return {"rows": rows, "height": y, "width": LABEL_WIDTH + BAR_AREA + 20,
            "label_width": LABEL_WIDTH, "colors": STATUS_COLORS}
