"""Reading a training operator's list: CSV (`,` `;` or tab; UTF-8, UTF-16 or Excel's
Windows-1252) or XLSX, into numbered rows of text cells, and the checks of single cells.

Line numbers are the spreadsheet's row numbers (the header is usually line 1, blank lines
count), so an organizer finds the line the message names. The file's content decides how it
is read, never its name: a PDF or a program renamed ``.csv`` is refused as such.
"""
import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from ..candidate.services import normalise_phone
from ..errors import DomainError
from ..text import fold

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DATA_LINES = 20_000
# An .xlsx is a zip: refuse one that would unpack to far more than a list of candidates.
MAX_XLSX_UNPACKED_BYTES = 150 * 1024 * 1024
MAX_COLUMNS = 60

# Longest value accepted per field (the database's column sizes).
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 32,
    "cohort": 200,
    "track": 100,
    "city": 100,
}

FIELD_LABELS = {
    "first_name": _l("first name"),
    "last_name": _l("last name"),
    "email": _l("email"),
    "phone": _l("phone"),
    "cohort": _l("cohort"),
    "track": _l("track"),
    "city": _l("city"),
}

# Header names, French and English, compared without case, accents or punctuation.
HEADER_ALIASES = {
    "first_name": ["prenom", "prenoms", "first name", "firstname", "given name"],
    "last_name": ["nom", "nom de famille", "last name", "lastname", "surname", "family name"],
    "email": ["email", "e mail", "courriel", "mail", "adresse email", "adresse e mail",
              "adresse mail", "email address", "e mail address"],
    "phone": ["telephone", "tel", "phone", "phone number", "mobile", "gsm", "portable",
              "numero de telephone", "n telephone", "telephone mobile"],
    "cohort": ["promotion", "promo", "cohort", "cohorte"],
    "track": ["filiere", "track"],
    "city": ["ville", "city"],
}
REQUIRED_COLUMNS = ("first_name", "last_name", "email")

# A cell starting with one of these is run as a formula by spreadsheets that open a later
# export (CSV injection): such cells are refused, never stored.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def simplify(text):
    """Lower case, no accents, punctuation as single spaces: "Prénom" → "prenom"."""
    plain = fold(text)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


_HEADER_FIELDS = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


@dataclass
class ParsedFile:
    kind: str  # "csv" or "xlsx"
    encoding: str | None  # how a CSV was decoded
    delimiter: str | None
    header_line: int
    columns: list  # the fields found, in the file's order
    ignored_columns: list  # header cells that name no field
    rows: list = field(default_factory=list)  # (line number, {field: text})
    blank_lines: int = 0


# --- Reading the file --------------------------------------------------------------------


def _refuse(message):
    raise DomainError(message, field="file")


def file_kind(data):
    """ "xlsx" or "csv" from the content; refuses what is neither."""
    if not data:
        _refuse(_l("The file is empty."))
    if data.startswith(b"%PDF"):
        _refuse(_l("This file is a PDF. Send the list as a CSV file or an Excel .xlsx file."))
    if data.startswith((b"MZ", b"\x7fELF")):
        _refuse(_l("This file is a program, not a list. Send a CSV file or an Excel .xlsx file."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse(_l("This is an old Excel file (.xls). In Excel, save it as .xlsx or CSV, then send it again."))
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "csv"
    if b"\x00" in data[:65536]:
        _refuse(_l("This file is not a text or Excel file. Send a CSV file or an Excel .xlsx file."))
    return "csv"


def decode_text(data):
    """(text, encoding name): UTF-8 (BOM or not), UTF-16 with a BOM, else Excel's Windows-1252."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            _refuse(_l("This file could not be read as text."))
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        # Five bytes have no character in Windows-1252; Latin-1 reads every byte.
        return data.decode("latin-1"), "ISO-8859-1"


def cell_text(value):
    """A cell as text, the way a person reads it in the spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    # Non-breaking spaces from copy-pasting count as spaces.
    return str(value).replace("\u00a0", " ").strip()


def _csv_rows(text, delimiter):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # The spreadsheet's row number is the record's number: a blank line is a row too.
        yield from enumerate(reader, start=1)
    except csv.Error:
        _refuse(_l("This CSV file is malformed (a quote is not closed, or a cell is huge)."))


def _choose_delimiter(text):
    """The delimiter that makes the most known column names out of the first non-blank line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_score = ",", (-1, -1)
    for delimiter in (";", ",", "\t"):
        cells = next(csv.reader([first], delimiter=delimiter), [])
        known = sum(1 for cell in cells if simplify(cell) in _HEADER_FIELDS)
        score = (known, len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _xlsx_rows(data):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        _refuse(_l("This Excel file is damaged or is not an Excel file."))
    if "xl/workbook.xml" not in names:
        _refuse(_l("This file is an archive but not an Excel .xlsx workbook. Send a CSV file or an Excel .xlsx file."))
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        _refuse(_l("This Excel file is too large once unpacked. Split the list into several files."))
    try:
        # Not data_only: a formula cell reads as its "=…" text and is refused as a formula.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds of errors on damaged files)
        _refuse(_l("This Excel file is damaged or is not an Excel file."))
    try:
        sheet = workbook.worksheets[0]
        # Some programs write wrong dimensions; read what is really there.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values[:MAX_COLUMNS]]
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 (as above, while reading the rows)
        _refuse(_l("This Excel file is damaged or is not an Excel file."))
    finally:
        workbook.close()


def _header(cells, number):
    columns, ignored, seen = [], [], {}
    for position, cell in enumerate(cells):
        name = _HEADER_FIELDS.get(simplify(cell))
        if name is None:
            if cell.strip():
                ignored.append(cell.strip()[:60])
            columns.append(None)
            continue
        if name in seen:
            _refuse(_l("Line %(line)d: two columns are the %(field)s (“%(a)s” and “%(b)s”). Keep only one.",
                       line=number, field=FIELD_LABELS[name], a=seen[name], b=cell.strip()))
        seen[name] = cell.strip()
        columns.append(name)
    missing = [FIELD_LABELS[name] for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        _refuse(_l(
            "Line %(line)d should name the columns. Missing: %(missing)s. Accepted names include "
            "prénom / first name, nom / last name, email / courriel, téléphone / phone, "
            "promotion / cohort, filière / track, ville / city.",
            line=number, missing=", ".join(str(m) for m in missing)))
    return columns, ignored


def read_rows(data):
    """Read ``data`` (bytes) into a ParsedFile; a DomainError (field "file") when it cannot."""
    if len(data) > MAX_FILE_BYTES:
        _refuse(_l("The file is larger than %(size)d MB. Split the list into several files.",
                   size=MAX_FILE_BYTES // (1024 * 1024)))
    kind = file_kind(data)
    encoding = delimiter = None
    if kind == "xlsx":
        numbered = _xlsx_rows(data)
    else:
        text, encoding = decode_text(data)
        delimiter = _choose_delimiter(text)
        numbered = _csv_rows(text, delimiter)
    parsed = None
    for number, cells in numbered:
        if not any(cell.strip() for cell in cells):
            if parsed is not None:
                parsed.blank_lines += 1
            continue
        if parsed is None:
            columns, ignored = _header(cells, number)
            parsed = ParsedFile(kind, encoding, delimiter, number, columns, ignored)
            continue
        if len(parsed.rows) >= MAX_DATA_LINES:
            _refuse(_l("The file has more than %(max)s lines. Split it into several files.",
                       max=f"{MAX_DATA_LINES:,}".replace(",", " ")))
        # Every column has a value, even on a line shorter than the header.
        row = {name: "" for name in parsed.columns if name is not None}
        for name, cell in zip(parsed.columns, cells):
            if name is not None:
                cell = cell.strip()
                # "-" (or "--") is how lists often say "nothing here": an empty cell.
                row[name] = "" if set(cell) == {"-"} else cell
        parsed.rows.append((number, row))
    if parsed is None:
        _refuse(_l("The file is empty."))
    if not parsed.rows:
        _refuse(_l("The file has a header line but no candidate."))
    return parsed


# --- Checking cells ------------------------------------------------------------------------


def shorten(value, limit=60):
    return value if len(value) <= limit else value[: limit - 1] + "…"


def formula_problem(name, value):
    """A message when ``value`` would run as a formula in a spreadsheet, else None.

    A phone number legitimately starts with "+": it is checked as a number instead.
    """
    if not value or not value.startswith(FORMULA_STARTS):
        return None
    if name == "phone" and value.startswith("+"):
        return None
    return _l("%(field)s “%(value)s” looks like a spreadsheet formula (it starts with %(char)s): "
              "formulas are refused, type the value itself.",
              field=FIELD_LABELS[name], value=shorten(value), char=value[:1].strip() or "⇥")


def length_problem(name, value):
    limit = MAX_LENGTHS[name]
    if len(value) > limit:
        return _l("%(field)s is too long (%(count)d characters, at most %(max)d).",
                  field=FIELD_LABELS[name], count=len(value), max=limit)
    return None


def check_email(value):
    """(normalised email, None) or (None, message)."""
    if not value:
        return None, _l("email is missing.")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None, _l("“%(value)s” is not a valid email address.", value=shorten(value))
    return value.lower(), None


_NATIONAL_WITHOUT_ZERO = re.compile(r"[567]\d{8}")


def check_phone(value):
    """(E.164 number or None when empty, None) or (None, message)."""
    if not value:
        return None, None
    compact = re.sub(r"[\s.\-/()]", "", value)
    # A spreadsheet that took the number for a number dropped its leading 0 or its +.
    if _NATIONAL_WITHOUT_ZERO.fullmatch(compact):
        value = "0" + compact
    elif re.fullmatch(r"212[567]\d{8}", compact):
        value = "+" + compact
    try:
        return normalise_phone(value), None
    except DomainError as error:
        return None, _l("phone “%(value)s”: %(reason)s", value=shorten(value), reason=error.message)
