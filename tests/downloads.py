"""What a downloaded file must be, beyond a 200: a PDF that a PDF reader opens (its text and QR
codes read back), a workbook that openpyxl opens, a CSV that parses, a calendar that icalendar
reads.

Each checker takes a test client's response (or the bytes), asserts, and returns what it read,
so a test can go on to look inside.
"""
import csv
import io

import pypdfium2
import zxingcpp
from icalendar import Calendar
from openpyxl import load_workbook


def _body(response_or_data):
    if isinstance(response_or_data, (bytes, bytearray)):
        return bytes(response_or_data)
    return response_or_data.get_data()


def pdf_pages(response_or_data):
    """The number of pages of a PDF that pypdfium2 opens (at least one)."""
    data = _body(response_or_data)
    assert data.startswith(b"%PDF-"), data[:80]
    document = pypdfium2.PdfDocument(data)
    try:
        pages = len(document)
    finally:
        document.close()
    assert pages >= 1
    return pages


def pdf_text(response_or_data):
    """The text of every page of the PDF, one page after the other."""
    document = pypdfium2.PdfDocument(_body(response_or_data))
    text = []
    try:
        for page in document:
            textpage = page.get_textpage()
            text.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    return "\n".join(text)


def decoded_qr_texts(response_or_data, scale=3):
    """Every QR code found on every page of the PDF, rendered (zxing-cpp reads them)."""
    texts = []
    document = pypdfium2.PdfDocument(_body(response_or_data))
    try:
        for page in document:
            image = page.render(scale=scale).to_pil()
            texts += [result.text for result in zxingcpp.read_barcodes(image)
                      if result.format == zxingcpp.BarcodeFormat.QRCode]
    finally:
        document.close()
    return texts


def xlsx_rows(response_or_data):
    """The rows (tuples of values) of the first sheet of a workbook openpyxl opens."""
    data = _body(response_or_data)
    assert data.startswith(b"PK"), data[:80]  # an XLSX is a zip
    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [tuple(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()


def csv_rows(response_or_data, delimiter=None):
    """The rows of a UTF-8 CSV (a byte-order mark allowed); the delimiter found if not given.

    Every row has as many cells as the header.
    """
    text = _body(response_or_data).decode("utf-8-sig")
    assert text.strip(), "an empty CSV"
    if delimiter is None:
        header = text.splitlines()[0]
        delimiter = max(",;\t", key=header.count)  # the header's separator
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert all(len(row) == len(rows[0]) for row in rows), rows
    return rows


def ics_events(response_or_data):
    """The VEVENTs of a calendar icalendar reads."""
    calendar = Calendar.from_ical(_body(response_or_data))
    assert calendar.name == "VCALENDAR"
    return calendar.walk("VEVENT")
