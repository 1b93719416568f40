"""The XLSX writer of the insertion exports (jobfair/insertion/xlsx.py): what a spreadsheet
reads back, awkward text included."""
import io

from openpyxl import load_workbook

from jobfair.insertion import xlsx


def read_back(chunks):
    book = load_workbook(io.BytesIO(b"".join(chunks)))
    return book, list(book.active.iter_rows(values_only=True))


def test_values_come_back_as_written():
    header = [f"Column {i}" for i in range(30)]  # past Z: AA, AB…
    awkward = ["<b>Benali & fils</b>", "  spaces kept  ", "Aït Ouahmane", "يوسف العمراني",
               "tab\there", "line\nbreak", "bell\x07gone", '"quoted" \'both\'']
    rows = [header, [1, 2.5, "", None, *awkward, 0, *range(17)]]
    book, back = read_back(xlsx.stream(iter(rows), "Candidates & co"))
    assert book.active.title == "Candidates & co"
    assert list(back[0]) == header
    values = list(back[1])
    assert values[:4] == [1, 2.5, None, None]  # "" and None leave the cell empty
    assert values[4:12] == ["<b>Benali & fils</b>", "  spaces kept  ", "Aït Ouahmane",
                            "يوسف العمراني", "tab\there", "line\nbreak", "bellgone",
                            '"quoted" \'both\'']
    assert values[12:] == [0, *range(17)]


def test_text_that_looks_like_a_formula_number_or_link_stays_text():
    rows = [["a", "b", "c"], ["=1+1", "0612345678", "http://example.ma"]]
    _book, back = read_back(xlsx.stream(iter(rows), "Sheet"))
    assert back[1] == ("=1+1", "0612345678", "http://example.ma")
