"""Reading an uploaded CSV (P4-06): BOM, delimiter detection, RFC 4180 quoting including multi-line
fields (the original split on line breaks, so a quoted line break broke the row: ⚠ fix)."""

import csv
import io
from dataclasses import dataclass

DELIMITERS = (",", ";", "\t")
BOM = "\ufeff"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]  # every row as wide as the headers; missing cells are ""
    delimiter: str


def detect_delimiter(header_line: str) -> str:
    """Whichever of comma, semicolon and TAB the header holds most; a tie goes to the comma."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts.values())
    return "," if counts[","] == best else next(d for d in DELIMITERS if counts[d] == best)


def parse_csv(text: str) -> Table:
    text = text.removeprefix(BOM)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = detect_delimiter(first_line)
    records = (r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False) if _filled(r))
    header = next(records, None)
    if header is None:
        return Table([], [], delimiter)
    headers = [h.strip() for h in header]
    return Table(headers, [_fit(r, len(headers)) for r in records], delimiter)


def _filled(record: list[str]) -> bool:
    return any(cell.strip() for cell in record)


def _fit(record: list[str], width: int) -> list[str]:
    cells = [cell.strip() for cell in record[:width]]
    return cells + [""] * (width - len(cells))
