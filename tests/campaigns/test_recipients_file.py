"""The campaign's recipients file (issue 23, point 2): read from CSV or XLSX, every refusal on its line, nothing
half-read."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from metaops.campaigns.recipient_list import check_sheet
from metaops.campaigns.sheet import Malformed, read
from metaops.templates.values import needs_of

PROMO = needs_of([{"type": "BODY", "text": "Hi {{1}}, {{2}} off today", "example": {"body_text": [["Ana", "20%"]]}}])


def checked(text: str):
    return check_sheet(read(text.encode(), "list.csv"), PROMO)


def test_rows_duplicates_and_bad_lines():
    c = checked("Phone,body_1,body_2\n+54 9 11 5555-1234,Ana,20%\n\nnot a number,Bo,10%\n5491155551234,Ana again,5%\n"
                "US.13491208655302741918,Cy,\n4312345678," + "x" * 1025 + ",1%\n")
    assert c.read == 5
    assert [(r.line, r.phone, r.bsuid) for r in c.rows] == [(2, "5491155551234", None)]
    assert c.duplicates == [(5, 2)]
    assert [line for line, _ in c.invalid] == [4, 6, 7]
    assert "not a number" in c.invalid[0][1]
    assert "body {{2}}: A value is required." in c.invalid[1][1]
    assert "body {{1}}: At most 1024 characters." in c.invalid[2][1]


def test_semicolons_and_a_bom_are_read():
    c = check_sheet(read("\ufeffphone;body_1;body_2\n5491155551234;Ana;20%\n".encode(), "l.csv"), PROMO)
    assert c.rows[0].values == {"body_1": "Ana", "body_2": "20%"}


@pytest.mark.parametrize(("data", "says"), [
    (b"phone,body_1\n5491155551234,Ana\n", "Line 1: the template needs the column(s) `body_2`"),
    (b"name,body_1,body_2\nAna,a,b\n", "Line 1: the file needs a `phone` or a `bsuid` column"),
    ("phone,body_1,body_2\n5491155551234,José,a\n".encode("latin-1"), "Line 2: the file is not UTF-8"),
    (b"", "Line 1: the file is empty"),
    (b'phone,body_1,body_2\n1,"a\n', "Line 2: the CSV cannot be read"),
])
def test_a_malformed_file_is_refused_whole_with_its_line(data, says):
    with pytest.raises(Malformed) as e:
        check_sheet(read(data, "list.csv"), PROMO)
    assert str(e.value).startswith(says)


def test_too_many_rows_names_the_first_line_over():
    body = "phone,body_1,body_2\n" + "".join(f"54911{i:08d},a,b\n" for i in range(100_000))
    with pytest.raises(Malformed) as e:
        read(body.encode(), "list.csv")
    assert str(e.value).startswith("Line 50002: more than 50,000 recipients")


def test_xlsx_numbers_typed_as_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["phone", "body_1", "body_2"])
    sheet.append([5491155551234, "Ana", 20])
    buf = io.BytesIO()
    book.save(buf)
    c = check_sheet(read(buf.getvalue(), "list.xlsx"), PROMO)
    assert [(r.line, r.phone, r.values["body_2"]) for r in c.rows] == [(2, "5491155551234", "20")]
    with pytest.raises(Malformed, match="not an Excel workbook"):
        read(b"PK\x03\x04 broken", "list.xlsx")
