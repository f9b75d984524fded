from datetime import UTC, datetime

import pytest
from registration_svc.domain.export_csv import BOM, UnknownFields, cell, columns, encode, header, row

DYNAMIC = [("dietary", "Dietary needs"), ("size", "T-shirt size")]


def test_the_columns_are_the_fixed_ones_then_the_dynamic_fields_by_label():
    assert header(columns(DYNAMIC)) == [
        "First Name",
        "Last Name",
        "Email",
        "Organization",
        "Job Title",
        "Nationality",
        "Registration Code",
        "Status",
        "Participant Type",
        "Created At",
        "Dietary needs",
        "T-shirt size",
    ]


def test_fields_select_fixed_and_dynamic_columns_in_their_usual_order():
    chosen = columns(DYNAMIC, ["size", "email", "firstName"])
    assert header(chosen) == ["First Name", "Email", "T-shirt size"]


def test_an_unknown_field_is_refused_with_the_ones_there_are():
    with pytest.raises(UnknownFields) as raised:
        columns(DYNAMIC, ["email", "shoeSize"])
    assert raised.value.unknown == ["shoeSize"]
    assert "dietary" in raised.value.known


def test_every_cell_is_quoted_quotes_are_doubled_and_lines_end_with_lf():
    text = encode([["Ada", 'say "hi"', ""], ["multi\nline", "a,b", "x"]])
    assert text == '"Ada","say ""hi""",""\n"multi\nline","a,b","x"\n'


def test_dynamic_values_come_from_extras_by_field_name():
    chosen = columns(DYNAMIC, ["firstName", "createdAt", "dietary", "size"])
    created = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    values = row(chosen, {"firstName": "Ada", "createdAt": created}, {"dietary": "vegan"})
    assert values == ["Ada", "2025-03-01T09:30:00+00:00", "vegan", ""]


def test_cells_render_lists_booleans_and_objects_readably():
    assert [cell(None), cell(True), cell(["a", "b"]), cell({"b": 1, "a": "é"}), cell(3.5)] == [
        "",
        "true",
        "a; b",
        '{"a": "é", "b": 1}',
        "3.5",
    ]


def test_the_file_starts_with_a_utf8_byte_order_mark():
    assert (BOM + encode([["Zoë"]])).encode().startswith(b"\xef\xbb\xbf")
