"""The streamed XLSX writer of the insertion exports (jobfair/insertion/xlsx.py): what a
spreadsheet reads back, awkward text included, and bytes sent before every row is read."""
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


def test_bytes_go_out_before_the_rows_are_all_read():
    read = []

    def rows():
        yield ["Name", "Count"]
        for i in range(2000):
            read.append(i)
            yield [f"Person {i}", i]

    chunks = xlsx.stream(rows(), "Candidates", rows_per_chunk=500)
    first = next(chunks)
    assert first.startswith(b"PK") and read == []  # the zip has begun, no row read yet
    sent = [first]
    for chunk in chunks:
        sent.append(chunk)
        if len(read) < 2000:
            break
    assert len(read) < 2000  # a chunk left while rows were still to come
    sent.extend(chunks)
    _book, back = read_back(sent)
    assert len(back) == 2001 and back[-1] == ("Person 1999", 1999)
