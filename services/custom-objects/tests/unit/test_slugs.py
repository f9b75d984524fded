"""Slug rules: the pattern, the slug made from a name, the suffix when a tenant already has it."""

import pytest
from custom_objects_svc.domain.slugs import FALLBACK, MAX_LENGTH, free_slug, is_slug, slug_from_name


@pytest.mark.parametrize("text", ["hotels", "press-passes", "v2_cars", "a"])
def test_a_slug_is_a_lowercase_letter_then_letters_digits_hyphens_underscores(text: str) -> None:
    assert is_slug(text)


@pytest.mark.parametrize("text", ["Bad Slug!", "123abc", "-hotels", "_x", "Hotels", "", "a" * (MAX_LENGTH + 1)])
def test_anything_else_is_not_a_slug(text: str) -> None:
    assert not is_slug(text)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Hotels", "hotels"),
        ("Press Passes", "press-passes"),
        ("Press  Passes", "press-passes"),
        ("Véhicules & Drivers!", "vehicules-drivers"),
        ("  VIP Cars 2026 ", "vip-cars-2026"),
        ("123 Cars", "cars"),
        ("--Hotel--", "hotel"),
        ("snake_case Name", "snake_case-name"),
        ("!!!", FALLBACK),
        ("2026", FALLBACK),
    ],
)
def test_a_slug_from_a_name_lowercases_hyphenates_spaces_and_strips_the_rest(name: str, slug: str) -> None:
    assert slug_from_name(name) == slug
    assert is_slug(slug_from_name(name))


def test_a_slug_from_a_long_name_is_cut_to_the_maximum_length() -> None:
    made = slug_from_name("Accommodation " * 20)
    assert len(made) <= MAX_LENGTH and is_slug(made) and not made.endswith("-")


def test_a_free_slug_is_the_base_itself_when_nobody_has_it() -> None:
    assert free_slug("hotels", {"cars"}) == "hotels"


def test_a_taken_slug_gets_the_first_free_numeric_suffix() -> None:
    assert free_slug("hotels", {"hotels"}) == "hotels-2"
    assert free_slug("hotels", {"hotels", "hotels-2", "hotels-3"}) == "hotels-4"


def test_a_suffixed_long_slug_still_fits() -> None:
    base = "a" * MAX_LENGTH
    made = free_slug(base, {base})
    assert made.endswith("-2") and len(made) == MAX_LENGTH and is_slug(made)
