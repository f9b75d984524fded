from custom_objects_svc.domain.erasure import Blank, Delete, Person, erase_from

from plenary_contracts.enums import FieldDataType as T

ADA = Person("p1", "ada@example.org")
TYPES = {"participant": T.REFERENCE, "contact": T.EMAIL, "notes": T.LONG_TEXT, "extra": T.JSON, "name": T.TEXT}


def test_a_record_whose_reference_field_points_at_the_person_is_deleted():
    assert erase_from({"participant": "p1", "name": "Visa"}, TYPES, ADA) == Delete()


def test_the_id_in_a_field_that_is_no_reference_only_blanks_that_value():
    assert erase_from({"notes": "p1", "name": "Visa"}, TYPES, ADA) == Blank({"name": "Visa"})


def test_the_address_is_found_in_any_case_inside_text_and_nested_json():
    data = {"contact": "ADA@Example.org", "notes": "write to ada@example.org", "extra": {"to": ["ada@example.org"]}}
    assert erase_from({**data, "name": "Grand"}, TYPES, ADA) == Blank({"name": "Grand"})


def test_a_record_that_does_not_mention_the_person_is_left_alone():
    assert erase_from({"participant": "p2", "contact": "bob@example.org", "extra": [1, True]}, TYPES, ADA) is None


def test_without_an_address_only_the_id_counts():
    assert erase_from({"contact": "ada@example.org"}, TYPES, Person("p1")) is None


def test_a_reference_to_someone_else_whose_id_contains_the_persons_is_not_theirs():
    assert erase_from({"participant": "p10"}, TYPES, ADA) is None
