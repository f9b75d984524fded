"""Event contracts: facts, past tense, published through the producer's outbox.

Subject ``evt.<producer>.<entity>.<verb>``; CloudEvents type ``plenary.<producer>.<entity>.<verb>.v<N>``.
A breaking change to a payload is a new version, hence a new type on the same subject.
"""

from dataclasses import dataclass

from pydantic import BaseModel

from .personal import Personal
from .services import SERVICES


@dataclass(frozen=True)
class EventSpec:
    producer: str
    entity: str
    verb: str
    payload: type[BaseModel]
    description: str
    version: int = 1
    personal: Personal | None = None  # where the payload holds a person's data, sealed with their key

    def __post_init__(self) -> None:
        if self.producer not in SERVICES:
            raise ValueError(f"unknown producer {self.producer!r}")

    @property
    def subject(self) -> str:
        return f"evt.{self.producer}.{self.entity}.{self.verb}"

    @property
    def type(self) -> str:
        return f"plenary.{self.producer}.{self.entity}.{self.verb}.v{self.version}"

    @property
    def source(self) -> str:
        return f"/plenary/{self.producer}"

    @property
    def dataschema(self) -> str:
        return f"urn:plenary:schema:{self.type}"
