"""Field types every catalog shares: ids, names, aware times."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("a time needs a UTC offset")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
