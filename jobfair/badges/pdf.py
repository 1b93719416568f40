"""Badge PDFs with reportlab: one badge (A6), A4 sheets (4 × A6, 8 × 105×74 mm) with cut
marks, and a label-printer size (62 × 100 mm).

- Text uses DejaVu Sans (Debian's fonts-dejavu-core, installed by ``make setup``): it has the
  glyphs of accented Latin and of Arabic (presentation forms). Arabic-script text is shaped
  (arabic-reshaper) and put in visual order (python-bidi) before drawing.
- The QR code is drawn as vector paths (one path per code, one rectangle per run of dark
  modules), error correction M, with a 4-module quiet zone: crisp at any printer resolution
  and light (2,000 badges in one PDF stay a few MB; the font subset is embedded once).
- Long names shrink to fit their box down to a minimum size, then wrap to two lines.
"""
import io
import os
import re
from dataclasses import dataclass

import zxingcpp
from arabic_reshaper import reshape
from babel.dates import format_date
from bidi import get_display
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = os.environ.get("JOBFAIR_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "BadgeSans": "DejaVuSans.ttf",
    "BadgeSans-Bold": "DejaVuSans-Bold.ttf",
    "BadgeMono": "DejaVuSansMono.ttf",
}
REGULAR, BOLD, MONO = "BadgeSans", "BadgeSans-Bold", "BadgeMono"

ACCENT = HexColor("#1d4ed8")
MUTED = HexColor("#444444")

# name -> (badge width, badge height, page size, columns, rows); None page = the badge itself
FORMATS = {
    "a6": (105 * mm, 148 * mm, None, 1, 1),
    "a4-4": (105 * mm, 148 * mm, A4, 2, 2),
    "a4-8": (105 * mm, 74 * mm, A4, 2, 4),
    "label": (62 * mm, 100 * mm, None, 1, 1),
}

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


class FontMissing(RuntimeError):
    pass


_registered = set()


def register_fonts():
    """Register the badge fonts once per process; a clear error if the TTF files are missing."""
    registered = pdfmetrics.getRegisteredFontNames()
    for name, filename in FONT_FILES.items():
        if name in registered:
            _registered.add(name)
            continue
        path = os.path.join(FONT_DIR, filename)
        if not os.path.exists(path):
            raise FontMissing(
                f"Badge font {path} is missing: install Debian's fonts-dejavu-core "
                "(sudo apt-get install fonts-dejavu-core, or `make chromium`), "
                "or set JOBFAIR_FONT_DIR to a folder holding the DejaVu TTF files."
            )
        pdfmetrics.registerFont(TTFont(name, path))
        _registered.add(name)


def font_face(name=REGULAR):
    register_fonts()
    return pdfmetrics.getFont(name).face


def visual(text):
    """Text as it must be drawn: Arabic shaped and in visual (right-to-left) order."""
    if _ARABIC.search(text):
        return get_display(reshape(text))
    return text


def text_width(text, font, size):
    if font not in _registered:
        register_fonts()
    return pdfmetrics.stringWidth(visual(text), font, size)


def _ellipsize(text, font, size, width):
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _two_lines(text, font, size):
    """The split of ``text`` at a space whose longer line is the shortest."""
    words = text.split()
    if len(words) < 2:
        return [text]
    best = None
    for i in range(1, len(words)):
        lines = [" ".join(words[:i]), " ".join(words[i:])]
        widest = max(text_width(line, font, size) for line in lines)
        if best is None or widest < best[0]:
            best = (widest, lines)
    return best[1]


def fit_text(text, font, width, max_size, min_size, max_lines=2, step=0.5):
    """(size, lines) for ``text`` in a box ``width`` wide.

    One line at the largest size from ``max_size`` down to ``min_size``; else two lines
    (split at the best space) at the largest size that fits; else the minimum size, with the
    lines cut short by an ellipsis. Every returned line fits: width(line, size) <= width.
    """
    size = max_size
    while size >= min_size:
        if text_width(text, font, size) <= width:
            return size, [text]
        size -= step
    if max_lines >= 2:
        size = max_size
        while size >= min_size:
            lines = _two_lines(text, font, size)
            if len(lines) == 2 and all(text_width(l, font, size) <= width for l in lines):
                return size, lines
            size -= step
        lines = _two_lines(text, font, min_size)
    else:
        lines = [text]
    return min_size, [_ellipsize(line, font, min_size, width) for line in lines]


@dataclass
class BadgeData:
    name: str  # "First Last"
    subtitle: str  # cohort · track, or company name
    kind: str  # label shown on the band, e.g. "Candidat" / "Entreprise"
    fair_name: str
    fair_date: str
    url: str
    code: str


def fair_date_label(fair, locale="fr"):
    return format_date(fair.day, format="long", locale=locale)


# --- QR as vector ---------------------------------------------------------------------------


_QR = zxingcpp.BarcodeFormat.QRCode
_DARK_RUNS = re.compile(b"\\x00+")


def qr_matrix(data):
    """The modules of the QR code of ``data`` (error correction M, no quiet zone): its side
    ``n`` and ``n * n`` bytes, row by row, 0 for a dark module and 255 for a light one.

    zxing-cpp's encoder (C++) picks the version and the mask by the standard's penalty
    rules in ~0.2 ms; the pure-Python ``qrcode`` took ~4 ms per code, most of it choosing
    the mask, which was half the time of 2,000 badges.
    """
    image = zxingcpp.create_barcode(data, _QR, ec_level="M").to_image(
        scale=1, add_quiet_zones=False)
    n = image.shape[0]
    return n, bytes(image)


def qr_path(data):
    """``(n, ops)``: the dark modules of the code of ``data`` as PDF path operators in module
    units, top row first (y grows downwards), one rectangle per horizontal run of dark
    modules, then a fill. Small integers keep the page stream short and fast to write."""
    n, modules = qr_matrix(data)
    ops = []
    add = ops.append
    for r in range(n):
        for run in _DARK_RUNS.finditer(modules, r * n, r * n + n):
            start = run.start() - r * n
            add(f"{start} {r} {run.end() - run.start()} 1 re")
    add("f")
    return n, "\n".join(ops)


def draw_qr(canvas, data, x, y, size, quiet=4):
    """The QR code of ``data`` in a ``size`` square whose lower-left corner is (x, y)."""
    n, ops = qr_path(data)
    module = size / (n + 2 * quiet)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.saveState()
    canvas.translate(x + quiet * module, y + size - quiet * module)
    canvas.scale(module, -module)
    canvas.setFillColor(black)
    # The rectangles as PDF path operators, filled at once: the same as
    # canvas.beginPath()/path.rect()/drawPath(), without formatting floats.
    canvas.addLiteral(ops)
    canvas.restoreState()


# --- One badge ------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where things go in a badge of a given size (computed once per format)."""
    margin: float
    band_h: float
    name_width: float
    name_max: float
    name_min: float
    qr_size: float
    landscape: bool


def layout_for(w, h):
    landscape = w > h
    margin = min(w, h) * 0.07
    band_h = h * (0.14 if landscape else 0.1)
    if landscape:
        qr_size = min(h - band_h - 2 * margin - 8, w * 0.4)
        name_width = w - 3 * margin - qr_size
        name_max, name_min = 18, 9
    else:
        qr_size = min(w - 2 * margin, h * 0.42)
        name_width = w - 2 * margin
        name_max, name_min = (24, 12) if w > 80 * mm else (18, 10)
    return Layout(margin, band_h, name_width, name_max, name_min, qr_size, landscape)


def _draw_line(canvas, text, font, size, x, y, align="left"):
    canvas.setFont(font, size)
    shown = visual(text)
    if align == "center":
        canvas.drawCentredString(x, y, shown)
    elif align == "right":
        canvas.drawRightString(x, y, shown)
    else:
        canvas.drawString(x, y, shown)


def draw_badge(canvas, badge, x, y, w, h, layout=None):
    """One badge in the box whose lower-left corner is (x, y)."""
    lay = layout or layout_for(w, h)
    m = lay.margin
    top = y + h
    # Band: the fair's name and the person's kind.
    canvas.setFillColor(ACCENT)
    canvas.rect(x, top - lay.band_h, w, lay.band_h, stroke=0, fill=1)
    canvas.setFillColor(white)
    band_size = min(11, lay.band_h * 0.36)
    kind_w = text_width(badge.kind, BOLD, band_size * 0.85)
    fair_size, fair_lines = fit_text(badge.fair_name, BOLD, w - 2 * m - kind_w - 6,
                                     band_size, 6, max_lines=1)
    _draw_line(canvas, fair_lines[0], BOLD, fair_size, x + m,
               top - lay.band_h / 2 - fair_size * 0.35)
    _draw_line(canvas, badge.kind, BOLD, band_size * 0.85, x + w - m,
               top - lay.band_h / 2 - band_size * 0.3, align="right")

    canvas.setFillColor(black)
    cursor = top - lay.band_h - m
    text_x = x + m
    align = "left" if lay.landscape else "center"
    anchor = text_x if lay.landscape else x + w / 2
    # Name: shrink to fit, then two lines.
    size, lines = fit_text(badge.name, BOLD, lay.name_width, lay.name_max, lay.name_min)
    for line in lines:
        cursor -= size
        _draw_line(canvas, line, BOLD, size, anchor, cursor, align)
        cursor -= size * 0.25
    # Subtitle: cohort / track, or the company.
    sub_size, sub_lines = fit_text(badge.subtitle, REGULAR, lay.name_width,
                                   lay.name_min, 7, max_lines=2)
    cursor -= sub_size * 0.4
    canvas.setFillColor(MUTED)
    for line in sub_lines:
        cursor -= sub_size
        _draw_line(canvas, line, REGULAR, sub_size, anchor, cursor, align)
        cursor -= sub_size * 0.25
    date_size = max(7, sub_size - 1)
    cursor -= date_size * 0.6
    _draw_line(canvas, badge.fair_date, REGULAR, date_size, anchor, cursor - date_size, align)
    canvas.setFillColor(black)

    # QR and the human-readable code under it.
    code_size, code_lines = fit_text(badge.code, MONO, lay.qr_size, 7, 4, max_lines=1)
    if lay.landscape:
        qr_x = x + w - m - lay.qr_size
        qr_y = y + m + code_size + 2
    else:
        qr_x = x + (w - lay.qr_size) / 2
        qr_y = y + m + code_size + 2
    draw_qr(canvas, badge.url, qr_x, qr_y, lay.qr_size)
    canvas.setFillColor(MUTED)
    _draw_line(canvas, code_lines[0], MONO, code_size, qr_x + lay.qr_size / 2, y + m,
               align="center")
    canvas.setFillColor(black)


# --- Sheets ---------------------------------------------------------------------------------


def draw_cut_marks(canvas, page_w, page_h, w, h, cols, rows, length=4 * mm):
    """Short marks where the sheet is cut: at the page edges and crosses inside."""
    canvas.saveState()
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.3)
    left = (page_w - cols * w) / 2
    bottom = (page_h - rows * h) / 2
    xs = [left + i * w for i in range(cols + 1)]
    ys = [bottom + j * h for j in range(rows + 1)]
    for cx in xs:
        for cy in ys:
            canvas.line(cx - length / 2, cy, cx + length / 2, cy)
            canvas.line(cx, cy - length / 2, cx, cy + length / 2)
    canvas.restoreState()


def render(badges, fmt="a6", title="Badges"):
    """One PDF (bytes) holding every badge of ``badges`` (a list of BadgeData) in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown badge format {fmt!r}")
    register_fonts()
    w, h, page, cols, rows = FORMATS[fmt]
    page = page or (w, h)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=page, pageCompression=1, invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("jobfair")
    layout = layout_for(w, h)
    per_page = cols * rows
    left = (page[0] - cols * w) / 2
    bottom = (page[1] - rows * h) / 2
    if not badges:
        canvas.showPage()
    for start in range(0, len(badges), per_page):
        for i, badge in enumerate(badges[start:start + per_page]):
            col, row = i % cols, i // cols
            bx = left + col * w
            by = bottom + (rows - 1 - row) * h
            draw_badge(canvas, badge, bx, by, w, h, layout)
        if per_page > 1:
            draw_cut_marks(canvas, page[0], page[1], w, h, cols, rows)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
