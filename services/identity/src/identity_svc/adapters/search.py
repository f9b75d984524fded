import sqlalchemy as sa


def contains_any(text: str, *columns: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """Case-insensitive substring match on any column; ``%`` and ``_`` in ``text`` match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))
