from registration_svc.domain.merge import FIXED_FIELDS, Person, resolve, unknown_fields

SURVIVOR = Person(
    fields={"first_name": "Ada", "last_name": "Lovelace", "email": "ada@old.example", "organization": "AE"},
    extras={"dietary": "veg", "badgeName": "Ada"},
)
MERGED = Person(
    fields={
        "first_name": "Adah",
        "last_name": "Lovelace",
        "email": None,
        "organization": "RS",
        "job_title": "Countess",
    },
    extras={"dietary": "none", "passportNumber": "GB123"},
)


def test_surviving_is_the_default_and_changes_nothing():
    assert resolve({}, SURVIVOR, MERGED) == {}
    assert resolve({name: "surviving" for name in FIXED_FIELDS}, SURVIVOR, MERGED) == {}


def test_merged_fixed_fields_copy_the_merged_value_even_an_empty_one():
    changes = resolve({"firstName": "merged", "email": "merged", "jobTitle": "merged"}, SURVIVOR, MERGED)
    assert changes == {"first_name": "Adah", "email": None, "job_title": "Countess"}


def test_a_merged_field_with_the_same_value_is_no_change():
    assert resolve({"lastName": "merged"}, SURVIVOR, MERGED) == {}


def test_merged_extras_keys_go_into_the_survivors_extras_and_a_missing_one_is_removed():
    changes = resolve({"dietary": "merged", "passportNumber": "merged", "badgeName": "merged"}, SURVIVOR, MERGED)
    assert changes == {"extras": {"dietary": "none", "passportNumber": "GB123"}}
    assert SURVIVOR.extras == {"dietary": "veg", "badgeName": "Ada"}  # not mutated


def test_keys_that_are_neither_fields_nor_extras_of_either_are_unknown():
    resolution = {"email": "merged", "badgeName": "merged", "passportNumber": "surviving", "shoeSize": "merged"}
    assert unknown_fields(resolution, SURVIVOR, MERGED) == ["shoeSize"]
    assert unknown_fields({"first_name": "merged"}, SURVIVOR, MERGED) == ["first_name"]  # wire names only
