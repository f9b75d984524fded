"""Files that travel beside the bus: the gateway stores an upload in the NATS object store and passes a
``StoredFile`` in the request; a service writes a file there and answers a download route with one."""

from typing import Annotated

from pydantic import Field, StringConstraints

from .model import Model

TENANT_HEADER = "Plenary-Tenant"  # object metadata: whose file it is; the gateway serves it to no one else


class StoredFile(Model):
    key: Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[A-Za-z0-9_.\-/]+$")] = Field(
        description="The object's name in the files bucket."
    )
    file_name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    content_type: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    size: Annotated[int, Field(ge=0)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
