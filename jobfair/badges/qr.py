"""QR codes as PDF vector paths for the badges.

The matrix comes from zxing-cpp's encoder (C++), error correction M: it picks the version and
the mask by the standard's penalty rules in ~0.2 ms. The pure-Python ``qrcode`` took ~4 ms a
code, most of it choosing the mask: 90 % of the time of 2,000 badges.
"""
import re

import zxingcpp

_QR = zxingcpp.BarcodeFormat.QRCode
_DARK_RUNS = re.compile(b"\x00+")
QUIET = 4  # modules of light margin around a code, as the standard asks


def qr_matrix(data):
    """The modules of the QR code of ``data`` (error correction M, no quiet zone): its side
    ``n`` and ``n * n`` bytes, row by row, 0 for a dark module and 255 for a light one."""
    image = zxingcpp.create_barcode(data, _QR, ec_level="M").to_image(
        scale=1, add_quiet_zones=False)
    return image.shape[0], bytes(image)


def qr_path(data):
    """``(n, ops)``: the dark modules of the code of ``data`` as PDF path operators in module
    units, top row first (y grows downwards), one rectangle per horizontal run of dark
    modules, filled at once. Small integers keep the page stream short and fast to write."""
    n, modules = qr_matrix(data)
    ops = []
    add = ops.append
    for r in range(n):
        base = r * n
        for run in _DARK_RUNS.finditer(modules, base, base + n):
            add(f"{run.start() - base} {r} {run.end() - run.start()} 1 re")
    add("f")
    return n, "\n".join(ops)


def qr_ops(data, x, y, size):
    """The code of ``data`` in a ``size`` square whose lower-left corner is (x, y): the
    path in module units under one matrix (scale, and y flipped so row 0 is on top)."""
    n, path = qr_path(data)
    module = size / (n + 2 * QUIET)
    return (f"q {module:.5f} 0 0 {-module:.5f} {x + QUIET * module:.3f} "
            f"{y + size - QUIET * module:.3f} cm\n{path}\nQ")
