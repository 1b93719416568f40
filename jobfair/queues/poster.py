"""The booth's queue poster: the join URL as a QR code drawn as one SVG path."""
from ..badges.qr import QUIET, qr_matrix


def qr_svg_path(data):
    """``(side, d)``: the code's side in modules and an SVG path of its dark modules, one
    rectangle per horizontal run (module units, top row first)."""
    side, modules = qr_matrix(data)
    parts = []
    for y in range(side):
        row = modules[y * side:(y + 1) * side]
        x = 0
        while x < side:
            if row[x] == 0:
                start = x
                while x < side and row[x] == 0:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return side, "".join(parts)


__all__ = ["QUIET", "qr_svg_path"]  # QUIET: the margin the poster draws around it
