"""Reading an uploaded CSV: BOM, delimiter detection, RFC 4180 quoting including multi-line fields (a
quoted line break stays inside its field, never splitting the row); and telling a CSV from an XLSX by
name, type and content."""

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

DELIMITERS = (",", ";", "\t")
BOM = "\ufeff"
ZIP_MAGIC = b"PK\x03\x04"  # an XLSX is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # a legacy .xls (BIFF in OLE2)

Format = Literal["csv", "xlsx"]

_CSV_NAMES = frozenset({".csv", ".tsv", ".txt"})
_XLSX_NAMES = frozenset({".xlsx", ".xlsm"})
_CSV_TYPES = frozenset({"text/csv", "text/plain", "text/tab-separated-values", "application/csv"})
_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_EXCEL_TYPE = "application/vnd.ms-excel"
_UNTYPED = frozenset({"", "application/octet-stream"})


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
    headers = unique_headers(header)
    return Table(headers, [_fit(r, len(headers)) for r in records], delimiter)


def _filled(record: list[str]) -> bool:
    return any(cell.strip() for cell in record)


def _fit(record: list[str], width: int) -> list[str]:
    cells = [cell.strip() for cell in record[:width]]
    return cells + [""] * (width - len(cells))


def file_format(file_name: str, content_type: str, head: bytes) -> Format | None:
    """What an upload is, or None when it is neither a CSV nor an XLSX. The content decides first (a
    zip is a workbook; NUL bytes or an OLE header are no CSV), then the name or declared type must say
    CSV — browsers send ``application/vnd.ms-excel`` for CSV files too — or say nothing at all."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC) or b"\x00" in head:
        return None
    extension = os.path.splitext(file_name.lower())[1]
    declared = content_type.split(";")[0].strip().lower()
    if extension in _CSV_NAMES or declared in _CSV_TYPES or declared == _EXCEL_TYPE:
        return "csv"
    if extension in _XLSX_NAMES or declared == _XLSX_TYPE:
        return None  # named a workbook but not a zip: no readable one
    return "csv" if not extension and declared in _UNTYPED else None


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM); otherwise Windows-1252, the encoding Excel saves CSV in."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def unique_headers(headers: Sequence[str]) -> list[str]:
    """Headers as mapping keys: a blank one becomes ``Column N`` and a repeated one ``Name (2)``."""
    seen: set[str] = set()
    named: list[str] = []
    for index, header in enumerate(headers, start=1):
        base = header.strip() or f"Column {index}"
        name, copy = base, 1
        while name.lower() in seen:
            copy += 1
            name = f"{base} ({copy})"
        seen.add(name.lower())
        named.append(name)
    return named
