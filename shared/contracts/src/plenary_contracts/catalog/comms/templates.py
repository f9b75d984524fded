"""comms: message templates, a subject and body per channel with ``{{variables}}`` rendered per recipient.

A variable is ``{{name}}`` with a name of letters, digits and underscores (no spaces); one the recipient's
data lacks stays as written. The built-ins are name, firstName, lastName, email, eventName, eventDate (in the
event's timezone), status and participantType, plus every key of the participant's extras. In an e-mail the
values are HTML-escaped when the body is HTML. System templates (the platform's own messages: waitlist offers,
reviewer assignments...) can be cloned, never changed or deleted.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...enums import MessageChannel
from ...fields import Id
from ...listing import ListQuery, Page
from ...model import Model
from ._common import _HUB, _NOT_FOUND, _TEMPLATE_ERRORS, _WRITE_ERRORS, TAG, _cmd, _event, _qry, _route

TemplateName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Subject = Annotated[str, StringConstraints(max_length=200)]
TemplateBody = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
Variable = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]+$", max_length=100)]


class MessageTemplate(Model):
    id: str
    tenant_id: str
    name: str
    subject: str | None = None
    body: str
    channel: MessageChannel
    is_system: bool
    variables: list[str] = Field(description="The variables the subject and body use, found when saved.")
    created_by: str | None = None
    updated_by: str | None = None
    created_at: datetime
    updated_at: datetime


class CreateTemplate(Model):
    name: TemplateName
    subject: Subject | None = None
    body: TemplateBody
    channel: MessageChannel


class UpdateTemplate(Model):
    """Only the fields given change; ``subject: null`` clears the subject."""

    id: Id
    name: TemplateName | None = None
    subject: Subject | None = None
    body: TemplateBody | None = None
    channel: MessageChannel | None = None


class TemplateRef(Model):
    id: Id


class CloneTemplate(Model):
    id: Id
    name: TemplateName = Field(description="The copy's name; the copy is never a system template.")


class ListTemplates(ListQuery):
    channel: MessageChannel | None = None
    q: Annotated[str, StringConstraints(max_length=100)] | None = Field(None, description="Name contains (any case).")


class TemplatePage(Page[MessageTemplate]):
    pass


class PreviewTemplate(Model):
    id: Id
    data: dict[str, Any] | None = Field(
        None, description="Values of the variables; left out: a sample participant (Ada Lovelace, ...)."
    )


class RenderedMessage(Model):
    subject: str | None = None
    body: str
    unknown_variables: list[str] = Field(description="Variables the data had no value for (left as written).")


class TemplateChanged(Model):
    template: MessageTemplate


# --- domain events -------------------------------------------------------------------------------

TEMPLATE_CREATED = _event("template", "created", TemplateChanged, "A message template was created or cloned.")
TEMPLATE_UPDATED = _event("template", "updated", TemplateChanged, "A message template changed.")
TEMPLATE_DELETED = _event("template", "deleted", TemplateChanged, "A message template was deleted.")

# --- operations ----------------------------------------------------------------------------------

CREATE_TEMPLATE = _cmd(
    "create_template", CreateTemplate, MessageTemplate, "A template (name unique per channel in the tenant).",
    errors=_WRITE_ERRORS, **_HUB, http=_route("POST", "/message-templates", "Create a template", TAG, 201),
)  # fmt: skip
LIST_TEMPLATES = _qry(
    "list_templates", ListTemplates, TemplatePage, "The tenant's templates, system ones included.",
    **_HUB, http=_route("GET", "/message-templates", "List templates", TAG),
)  # fmt: skip
GET_TEMPLATE = _qry(
    "get_template", TemplateRef, MessageTemplate, "One template.",
    errors=_NOT_FOUND, **_HUB, http=_route("GET", "/message-templates/{id}", "Get a template", TAG),
)  # fmt: skip
UPDATE_TEMPLATE = _cmd(
    "update_template", UpdateTemplate, MessageTemplate, "Change a template; a system template: 403 SYSTEM_TEMPLATE.",
    errors=_TEMPLATE_ERRORS, **_HUB, http=_route("PATCH", "/message-templates/{id}", "Update a template", TAG),
)  # fmt: skip
DELETE_TEMPLATE = _cmd(
    "delete_template", TemplateRef, TemplateRef, "Delete a template; a system template: 403 SYSTEM_TEMPLATE.",
    errors=_TEMPLATE_ERRORS, **_HUB, http=_route("DELETE", "/message-templates/{id}", "Delete a template", TAG, 204),
)  # fmt: skip
CLONE_TEMPLATE = _cmd(
    "clone_template", CloneTemplate, MessageTemplate, "Copy a template (system ones too) under a new name.",
    errors=_WRITE_ERRORS, **_HUB, http=_route("POST", "/message-templates/{id}/clone", "Clone a template", TAG, 201),
)  # fmt: skip
PREVIEW_TEMPLATE = _qry(
    "preview_template", PreviewTemplate, RenderedMessage, "Render a template's subject and body with sample data.",
    errors=_NOT_FOUND, **_HUB,
    http=_route("POST", "/message-templates/{id}/preview", "Preview a template", TAG),
)  # fmt: skip
