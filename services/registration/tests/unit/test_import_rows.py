from registration_svc.domain.extras import FieldSpec
from registration_svc.domain.import_rows import Known, check_rows, extras_of, registration_code

from plenary_contracts.enums import BulkItemStatus as S
from plenary_contracts.enums import FieldDataType as T

HEADERS = ["First", "Last", "Mail", "Code"]
MAPPING = {"First": "firstName", "Last": "lastName", "Mail": "email", "Code": "registrationCode"}


def check(*rows, known=Known(), dynamic=(), headers=HEADERS, mapping=MAPPING, extra=()):  # type: ignore[no-untyped-def]
    return check_rows([list(r) for r in rows], headers, mapping, list(dynamic), known, list(extra))


def test_a_complete_row_is_valid_and_keeps_only_its_filled_cells():
    (row,) = check(("Ada", "Lovelace", "ada@example.org", ""))
    assert (row.row_number, row.status, row.message) == (1, S.VALID, None)
    assert row.data == {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.org"}


def test_missing_names_and_a_malformed_email_are_errors_listed_field_by_field():
    (row,) = check(("", "", "ada@example", ""))
    assert row.status is S.ERROR
    assert row.message == "firstName: is required; lastName: is required; email: is not a valid e-mail address"


def test_a_code_twice_in_the_file_is_an_error_naming_the_first_row():
    rows = check(("Ada", "L", "", "C-1"), ("Bob", "M", "", "C-2"), ("Cy", "N", "", "C-1"))
    assert [r.status for r in rows] == [S.VALID, S.VALID, S.ERROR]
    assert rows[2].message == "registrationCode: same as row 1"


def test_a_code_the_event_already_uses_is_an_error():
    (row,) = check(("Ada", "L", "", "C-1"), known=Known(codes={"C-1"}))
    assert row.message == "registrationCode: already used in this event"


def test_an_email_twice_in_the_file_or_in_the_event_is_a_warning_whatever_its_case():
    rows = check(
        ("Ada", "L", "ada@example.org", ""),
        ("Ada", "L", "ADA@Example.org", ""),
        ("Bob", "M", "bob@example.org", ""),
        known=Known(emails={"bob@example.org"}),
    )
    assert [r.status for r in rows] == [S.VALID, S.WARNING, S.WARNING]
    assert rows[1].message == "email: same as row 1"
    assert rows[2].message == "email: already registered in this event"


def test_an_error_outranks_a_warning_and_is_listed_first():
    rows = check(("Ada", "L", "ada@example.org", ""), ("", "L", "ada@example.org", ""))
    assert rows[1].status is S.ERROR
    assert rows[1].message == "firstName: is required; email: same as row 1"


def test_dynamic_values_are_checked_for_their_type_and_required_fields_must_be_there():
    dynamic = [
        FieldSpec("age", "Age", T.NUMBER),
        FieldSpec("diet", "Diet", T.ENUM, required=True, options=("vegan", "none")),
        FieldSpec("vip", "VIP", T.BOOLEAN),
    ]
    headers = ["First", "Last", "Age", "Diet", "VIP"]
    mapping = {"First": "firstName", "Last": "lastName", "Age": "age", "Diet": "diet", "VIP": "vip"}
    good, bad, missing = check(
        ("Ada", "L", "36", "vegan", "yes"),
        ("Bob", "M", "old", "meat", "maybe"),
        ("Cy", "N", "", "", ""),
        headers=headers,
        mapping=mapping,
        dynamic=dynamic,
    )
    assert good.status is S.VALID
    assert bad.message == "age: must be a number; diet: must be one of: vegan, none; vip: must be true or false"
    assert missing.message == "diet: Diet is required"


def test_extra_checks_add_errors_for_fields_not_already_in_error():
    def too_long(data):  # type: ignore[no-untyped-def]
        return [("firstName", "is too long"), ("lastName", "is too long")]

    (row,) = check(("", "Lovelace", "", ""), extra=[too_long])
    assert row.message == "firstName: is required; lastName: is too long"


def test_extras_take_the_non_fixed_values_typed_for_their_fields():
    dynamic = [FieldSpec("age", "Age", T.NUMBER), FieldSpec("tags", "Tags", T.MULTI_ENUM, options=("a", "b"))]
    data = {"firstName": "Ada", "age": "36", "tags": "a; b", "passportNumber": "X123"}
    assert extras_of(data, dynamic) == {"age": 36, "tags": ["a", "b"], "passportNumber": "X123"}


def test_a_row_without_a_code_gets_one_from_the_operation_and_its_row():
    assert registration_code("clx0abcdefghijk123456", 7) == "BULK-123456-0007"
    assert registration_code("clx0abcdefghijk123456", 12345) == "BULK-123456-12345"
