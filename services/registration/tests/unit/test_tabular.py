from registration_svc.domain.column_mapping import (
    FIXED_TARGETS,
    Target,
    mapping_problems,
    missing_required,
    suggest_mapping,
    with_dynamic,
)
from registration_svc.domain.tabular import decode_text, detect_delimiter, file_format, parse_csv, unique_headers


def test_the_byte_order_mark_is_stripped_and_blank_lines_dropped():
    table = parse_csv("\ufeffFirst Name,Last Name\r\n\r\nAda,Lovelace\r\n  \r\nGrace,Hopper\n")
    assert table.headers == ["First Name", "Last Name"]
    assert table.rows == [["Ada", "Lovelace"], ["Grace", "Hopper"]]


def test_the_delimiter_is_the_one_the_header_holds_most_and_a_tie_is_a_comma():
    assert detect_delimiter("a;b;c,d") == ";"
    assert detect_delimiter("a\tb\tc") == "\t"
    assert detect_delimiter("a;b,c") == ","
    assert detect_delimiter("single") == ","
    assert parse_csv("a;b\n1;2\n").rows == [["1", "2"]]


def test_quoted_fields_keep_delimiters_doubled_quotes_and_line_breaks():
    table = parse_csv('name,notes\n"Lovelace, Ada","said ""hello""\nand left"\nGrace,x\n')
    assert table.rows == [["Lovelace, Ada", 'said "hello"\nand left'], ["Grace", "x"]]


def test_cells_are_trimmed_missing_cells_are_empty_and_extra_cells_dropped():
    table = parse_csv("a,b,c\n 1 ,2\n4,5,6,7\n")
    assert table.rows == [["1", "2", ""], ["4", "5", "6"]]


def test_an_empty_upload_has_no_headers_and_no_rows():
    assert parse_csv("\ufeff\n\n").headers == []


def test_mapping_takes_names_and_labels_first_then_aliases_then_close_spellings():
    targets = [*FIXED_TARGETS, Target("passportNumber", "Passport Number")]
    headers = ["FIRST NAME", "surname", "E-mail", "Company", "Pasport Number", "Notes"]
    assert suggest_mapping(headers, targets) == {
        "FIRST NAME": "firstName",
        "surname": "lastName",
        "E-mail": "email",
        "Company": "organization",
        "Pasport Number": "passportNumber",
    }


def test_each_target_and_each_header_is_used_once():
    mapping = suggest_mapping(["email", "mail", "e-mail"], FIXED_TARGETS)
    assert mapping == {"email": "email"}


def test_required_targets_left_unmapped_are_named():
    assert missing_required({"Email": "email"}, FIXED_TARGETS) == ["firstName", "lastName"]


def test_a_semicolon_file_with_a_bom_and_crlf_reads_like_a_comma_file():
    table = parse_csv('\ufeffFirst Name;Last Name;Notes\r\nAda;Lovelace;"a; b"\r\n')
    assert table.delimiter == ";"
    assert table.rows == [["Ada", "Lovelace", "a; b"]]


def test_a_tab_separated_file_is_read_by_its_header():
    table = parse_csv("First Name\tLast Name\nAda\tLovelace\n")
    assert (table.delimiter, table.rows) == ("\t", [["Ada", "Lovelace"]])


def test_a_quoted_field_may_span_a_blank_line_without_losing_it():
    table = parse_csv('name,notes\nAda,"first\n\nthird"\n')
    assert table.rows == [["Ada", "first\n\nthird"]]


def test_blank_and_repeated_headers_get_names_a_mapping_can_use():
    assert parse_csv("Email,,email,Email\n1,2,3,4\n").headers == ["Email", "Column 2", "email (2)", "Email (3)"]
    assert unique_headers([" A ", "a"]) == ["A", "a (2)"]


def test_a_file_that_is_not_utf8_is_read_as_windows_1252():
    assert decode_text("Zoë;Müller".encode("cp1252")) == "Zoë;Müller"
    assert decode_text("\ufeffZoë".encode()) == "Zoë"


def test_the_content_decides_a_workbook_and_the_name_or_type_a_csv():
    workbook = b"PK\x03\x04rest"
    assert file_format("people.csv", "text/csv", workbook) == "xlsx"
    assert file_format("people.csv", "text/csv", b"a,b\n") == "csv"
    assert file_format("people", "application/vnd.ms-excel", b"a,b\n") == "csv"
    assert file_format("people", "application/octet-stream", b"a,b\n") == "csv"
    assert file_format("people.xlsx", "application/octet-stream", b"a,b\n") is None
    assert file_format("people.xls", "application/vnd.ms-excel", b"\xd0\xcf\x11\xe0...") is None
    assert file_format("photo.png", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00") is None
    assert file_format("notes.pdf", "application/pdf", b"%PDF-1.7") is None


def test_mapping_suggestions_cover_every_alias_of_each_fixed_field():
    headers = ["given name", "family name", "email_address", "organisation", "position", "country", "reg code"]
    assert suggest_mapping(headers, FIXED_TARGETS) == {
        "given name": "firstName",
        "family name": "lastName",
        "email_address": "email",
        "organisation": "organization",
        "position": "jobTitle",
        "country": "nationality",
        "reg code": "registrationCode",
    }


def test_a_close_misspelling_maps_but_a_distant_one_does_not():
    assert suggest_mapping(["Frist Name", "Organizaton", "Jbo"], FIXED_TARGETS) == {
        "Frist Name": "firstName",
        "Organizaton": "organization",
    }


def test_dynamic_fields_are_targets_after_the_fixed_ones_and_never_replace_them():
    targets = with_dynamic([Target("email", "Work e-mail"), Target("dietary", "Dietary needs", required=True)])
    assert [t.name for t in targets][-1] == "dietary"
    assert [t.name for t in targets].count("email") == 1
    assert missing_required({"First": "firstName", "Last": "lastName"}, targets) == ["dietary"]


def test_a_supplied_mapping_names_unknown_columns_unknown_fields_and_fields_filled_twice():
    problems = mapping_problems(
        {"Email": "email", "Mail": "email", "Shoe": "shoeSize", "Ghost": "firstName"},
        ["Email", "Mail", "Shoe"],
        FIXED_TARGETS,
    )
    assert [header for header, _ in problems] == ["Mail", "Shoe", "Ghost"]
    assert "already filled by column 'Email'" in problems[0][1]
    assert "unknown field 'shoeSize'" in problems[1][1]
    assert problems[2][1] == "the file has no such column"
