import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from registration_svc.adapters.spreadsheets import TooManyRows, UnreadableWorkbook, read_xlsx


def workbook(*rows, second_sheet=None) -> bytes:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    for values in rows:
        sheet.append(list(values))
    if second_sheet:
        other = book.create_sheet("Other")
        other.append(second_sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_first_sheet_is_read_as_text():
    data = workbook(("First Name", "Last Name", "Age"), ("Ada", "Lovelace", 36), second_sheet=("ignored",))
    table = read_xlsx(data, 100)
    assert table.headers == ["First Name", "Last Name", "Age"]
    assert table.rows == [["Ada", "Lovelace", "36"]]


def test_numbers_dates_and_booleans_read_as_a_person_sees_them():
    table = read_xlsx(
        workbook(
            ("n", "f", "d", "t", "b", "phone"),
            (3.0, 2.5, date(2025, 3, 1), datetime(2025, 3, 1, 9, 30), True, 4915112345678),
        ),
        100,
    )
    assert table.rows == [["3", "2.5", "2025-03-01", "2025-03-01T09:30:00", "TRUE", "4915112345678"]]


def test_a_number_format_with_decimals_keeps_them():
    book = Workbook()
    sheet = book.active
    sheet.append(["price", "share"])
    sheet.append([2, 0.25])
    sheet["A2"].number_format = "0.00"
    sheet["B2"].number_format = "0%"
    out = io.BytesIO()
    book.save(out)
    assert read_xlsx(out.getvalue(), 10).rows == [["2.00", "25%"]]


def test_blank_rows_are_dropped_and_short_rows_padded_to_the_header():
    table = read_xlsx(workbook(("a", "b", "c"), (None, None, None), ("1",), (" 2 ", None, "3")), 100)
    assert table.rows == [["1", "", ""], ["2", "", "3"]]


def test_blank_and_repeated_headers_are_named():
    assert read_xlsx(workbook(("Email", None, "Email"), ("x", "y", "z")), 10).headers == [
        "Email",
        "Column 2",
        "Email (2)",
    ]


def test_more_rows_than_allowed_stops_the_reading():
    with pytest.raises(TooManyRows):
        read_xlsx(workbook(("a",), ("1",), ("2",), ("3",)), 2)


def test_an_empty_workbook_has_no_headers():
    assert read_xlsx(workbook(), 10).headers == []


def test_bytes_that_are_no_workbook_are_unreadable():
    with pytest.raises(UnreadableWorkbook):
        read_xlsx(b"PK\x03\x04 not really a zip", 10)
