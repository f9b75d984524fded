"""Suggesting which upload column fills which participant field, in three passes."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

MAX_DISTANCE = 2

ALIASES: Mapping[str, str] = {
    **dict.fromkeys(("first name", "first_name", "firstname", "given name", "prenom"), "firstName"),
    **dict.fromkeys(("last name", "last_name", "lastname", "family name", "surname", "nom"), "lastName"),
    **dict.fromkeys(("email address", "email_address", "e-mail", "mail"), "email"),
    **dict.fromkeys(("org", "organisation", "company"), "organization"),
    **dict.fromkeys(("job title", "job_title", "title", "position", "role"), "jobTitle"),
    **dict.fromkeys(("country", "nation"), "nationality"),
    **dict.fromkeys(("registration code", "registration_code", "reg code", "reg_code", "code"), "registrationCode"),
}


@dataclass(frozen=True)
class Target:
    name: str
    label: str | None = None
    required: bool = False


FIXED_TARGETS: tuple[Target, ...] = (
    Target("firstName", "First Name", required=True),
    Target("lastName", "Last Name", required=True),
    Target("email", "Email"),
    Target("organization", "Organization"),
    Target("jobTitle", "Job Title"),
    Target("nationality", "Nationality"),
    Target("registrationCode", "Registration Code"),
)


def suggest_mapping(headers: Sequence[str], targets: Sequence[Target]) -> dict[str, str]:
    """header → target name. Pass 1: name or label (case-insensitive); 2: aliases; 3: Levenshtein ≤ 2,
    closest first. Each header and each target is used at most once."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()

    def take(header: str, target: str) -> None:
        mapping[header] = target
        taken.add(target)

    by_word = {}
    for target in targets:
        for word in (target.name, target.label):
            if word:
                by_word.setdefault(word.strip().lower(), target.name)
    known = {t.name for t in targets}
    for header in headers:
        target = by_word.get(header.strip().lower())
        if target and target not in taken and header not in mapping:
            take(header, target)
    for header in headers:
        target = ALIASES.get(header.strip().lower())
        if target in known and target not in taken and header not in mapping:
            take(header, target)
    pairs = sorted(
        (Levenshtein.distance(header.strip().lower(), word), index, header, target)
        for index, header in enumerate(headers)
        if header not in mapping
        for word, target in by_word.items()
        if target not in taken
    )
    for distance, _, header, target in pairs:
        if distance <= MAX_DISTANCE and header not in mapping and target not in taken:
            take(header, target)
    return mapping


def missing_required(mapping: Mapping[str, str], targets: Sequence[Target]) -> list[str]:
    mapped = set(mapping.values())
    return [t.name for t in targets if t.required and t.name not in mapped]


def with_dynamic(dynamic: Sequence[Target]) -> list[Target]:
    """The fixed targets, then the event's dynamic fields (one named like a fixed target is left out:
    the fixed column already fills it)."""
    fixed = {t.name for t in FIXED_TARGETS}
    return [*FIXED_TARGETS, *(t for t in dynamic if t.name not in fixed)]


def mapping_problems(
    mapping: Mapping[str, str], headers: Sequence[str], targets: Sequence[Target]
) -> list[tuple[str, str]]:
    """(header, message) for each column a supplied mapping cannot use: a header the file lacks, a target
    that does not exist, a target filled by two columns."""
    known = {t.name for t in targets}
    present = set(headers)
    used: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for header, target in mapping.items():
        if header not in present:
            problems.append((header, "the file has no such column"))
        elif target not in known:
            problems.append((header, f"unknown field {target!r}; map to one of: {', '.join(sorted(known))}"))
        elif target in used:
            problems.append((header, f"{target} is already filled by column {used[target]!r}"))
        else:
            used[target] = header
    return problems
