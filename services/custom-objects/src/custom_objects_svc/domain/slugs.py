"""Slugs: how a definition is named in URLs. ``^[a-z][a-z0-9_-]*$``, unique in a tenant, made from the name
when none is given and suffixed when the tenant already has it."""

import re
import unicodedata
from collections.abc import Collection

SLUG = re.compile(r"^[a-z][a-z0-9_-]*$")
MAX_LENGTH = 64
FALLBACK = "object"  # a name with no letter left (``"123"``, ``"!!!"``) still gets a slug


def is_slug(text: str) -> bool:
    return len(text) <= MAX_LENGTH and SLUG.match(text) is not None


def slug_from_name(name: str) -> str:
    """Lowercase, accents dropped (é → e), spaces to hyphens, every other character stripped; a slug starts
    with a letter, so leading digits, hyphens and underscores go; runs of hyphens are one."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    hyphened = re.sub(r"\s+", "-", ascii_name.strip().lower())
    kept = re.sub(r"[^a-z0-9_-]", "", hyphened)
    collapsed = re.sub(r"-{2,}", "-", kept)
    started = re.sub(r"^[^a-z]+", "", collapsed)
    return started[:MAX_LENGTH].rstrip("-_") or FALLBACK


def free_slug(base: str, taken: Collection[str]) -> str:
    """``base`` when free, else the first free ``base-2``, ``base-3``… (cut so the suffix still fits)."""
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_LENGTH - len(suffix)].rstrip("-_") + suffix
        if candidate not in taken:
            return candidate
        n += 1
