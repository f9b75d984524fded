"""Reading an uploaded XLSX workbook: the first sheet, every cell as the text a person sees."""

import io
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl import load_workbook

from ..domain.tabular import Table, unique_headers

_DECIMALS = re.compile(r"^[#,]*0(?:\.(0+))?(%?)$")


class UnreadableWorkbook(ValueError):
    pass


class TooManyRows(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} rows")
        self.limit = limit


def read_xlsx(data: bytes, max_rows: int) -> Table:
    """The first sheet as a table; blank rows are dropped like a CSV's blank lines. More than
    ``max_rows`` data rows raise ``TooManyRows`` without reading the rest."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zip, XML and openpyxl's own errors alike: the upload is not a workbook
        raise UnreadableWorkbook(f"not a readable XLSX workbook ({type(error).__name__})") from error
    try:
        if not workbook.worksheets:
            return Table([], [], ",")
        records = (
            [_text(c.value, getattr(c, "number_format", None)) for c in cells]
            for cells in workbook.worksheets[0].iter_rows()
        )
        filled = (r for r in records if any(r))
        header = next(filled, None)
        if header is None:
            return Table([], [], ",")
        width = _width(header)
        headers = unique_headers(header[:width])
        rows: list[list[str]] = []
        for record in filled:
            if len(rows) == max_rows:
                raise TooManyRows(max_rows)
            cells = record[:width]
            rows.append(cells + [""] * (width - len(cells)))
        return Table(headers, rows, ",")
    except (TooManyRows, UnreadableWorkbook):
        raise
    except Exception as error:
        raise UnreadableWorkbook(f"not a readable XLSX workbook ({type(error).__name__})") from error
    finally:
        workbook.close()


def _width(header: list[str]) -> int:
    """The header up to its last named column: sheets often report trailing empty columns."""
    return max(i for i, h in enumerate(header) if h) + 1


def _text(value: Any, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int | float):
        return _number(value, number_format or "General")
    return str(value).strip()


def _number(value: int | float, number_format: str) -> str:
    shape = _DECIMALS.match(number_format)
    if shape:
        decimals = len(shape.group(1) or "")
        if shape.group(2):
            return f"{value * 100:.{decimals}f}%"
        return f"{value:.{decimals}f}"
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"
