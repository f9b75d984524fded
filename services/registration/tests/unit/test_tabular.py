from registration_svc.domain.column_mapping import FIXED_TARGETS, Target, missing_required, suggest_mapping
from registration_svc.domain.tabular import detect_delimiter, parse_csv


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
