"""comms: a participant's opt-out of broadcasts, through the signed link at the end of every broadcast e-mail.
Emergency broadcasts still reach them."""

from typing import Annotated

from pydantic import StringConstraints

from ...errors import ErrorCode
from ...model import Model
from ._common import TAG, _cmd, _route

Token = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class Unsubscribe(Model):
    token: Token


class Unsubscribed(Model):
    unsubscribed: bool


UNSUBSCRIBE = _cmd(
    "unsubscribe", Unsubscribe, Unsubscribed,
    "Stop non-emergency broadcasts to the participant the link's token names (400 for a token not ours).",
    errors=(ErrorCode.BAD_REQUEST,), public=True,
    http=_route("GET", "/unsubscribe", "Unsubscribe from broadcasts (the e-mail's link)", TAG),
)  # fmt: skip
