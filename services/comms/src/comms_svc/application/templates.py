"""Message templates: create, list, read, change, delete, clone and preview; every change is announced
(created, updated, deleted), the audit trail of who wrote which message when.

System templates are the platform's own messages (see ``system_templates``): a tenant can read and clone
them, never change or delete them (403 SYSTEM_TEMPLATE). An SMS template's body holds 160 characters at most.
"""

from typing import Any

from plenary_contracts.catalog import comms as contract
from plenary_contracts.enums import MessageChannel
from plenary_contracts.errors import NotFound, SystemTemplate
from plenary_kit.acting import actor, field_error, refuse, tenant
from plenary_kit.db import UnitOfWork

from ..adapters import template_repository as templates
from ..domain.channels import body_problem
from ..domain.rendering import SAMPLE, SAMPLE_EVENT, recipient_values, render_message, variables_of
from . import system_templates


def _publish(uow: UnitOfWork, spec: Any, template: contract.MessageTemplate) -> contract.MessageTemplate:
    uow.publish(spec, contract.TemplateChanged(template=template), subject=template.id)
    return template


def _check_body(channel: MessageChannel, body: str) -> None:
    problem = body_problem(channel, body)
    refuse("the body does not fit its channel", [field_error(["body", "body"], problem)] if problem else [])


async def _owned(uow: UnitOfWork, template_id: str, *, for_update: bool = False) -> contract.MessageTemplate:
    found = await templates.get(uow.session, tenant(), template_id, for_update=for_update)
    if found is None:
        raise NotFound(f"template {template_id} not found")
    return found


async def _changeable(uow: UnitOfWork, template_id: str) -> contract.MessageTemplate:
    found = await _owned(uow, template_id, for_update=True)
    if found.is_system:
        raise SystemTemplate("a system template cannot be changed or deleted; clone it to make your own")
    return found


async def create_template(request: contract.CreateTemplate, uow: UnitOfWork) -> contract.MessageTemplate:
    _check_body(request.channel, request.body)
    values = request.model_dump(by_alias=False)
    who, tenant_id = actor(), tenant()
    await system_templates.ensure(uow.session, tenant_id)  # a tenant older than comms gets them now
    saved = await templates.insert(
        uow.session,
        {
            **values,
            "tenant_id": tenant_id,
            "variables": variables_of(request.subject, request.body),
            "created_by": who,
            "updated_by": who,
        },
    )
    return _publish(uow, contract.TEMPLATE_CREATED, saved)


async def list_templates(request: contract.ListTemplates, uow: UnitOfWork) -> contract.TemplatePage:
    items, meta = await templates.page(uow.session, tenant(), request)
    return contract.TemplatePage(data=items, meta=meta)


async def get_template(request: contract.TemplateRef, uow: UnitOfWork) -> contract.MessageTemplate:
    return await _owned(uow, request.id)


async def update_template(request: contract.UpdateTemplate, uow: UnitOfWork) -> contract.MessageTemplate:
    current = await _changeable(uow, request.id)
    given = request.model_dump(by_alias=False, exclude={"id"}, exclude_unset=True)
    changes = {k: v for k, v in given.items() if v is not None or k == "subject"}
    subject = changes.get("subject", current.subject)
    body = changes.get("body", current.body)
    _check_body(changes.get("channel", current.channel), body)
    changes.update(variables=variables_of(subject, body), updated_by=actor())
    return _publish(uow, contract.TEMPLATE_UPDATED, await templates.update(uow.session, current.id, changes))


async def delete_template(request: contract.TemplateRef, uow: UnitOfWork) -> contract.TemplateRef:
    current = await _changeable(uow, request.id)
    await templates.delete(uow.session, current.id)
    _publish(uow, contract.TEMPLATE_DELETED, current)
    return contract.TemplateRef(id=current.id)


async def clone_template(request: contract.CloneTemplate, uow: UnitOfWork) -> contract.MessageTemplate:
    source = await _owned(uow, request.id)
    who = actor()
    saved = await templates.insert(
        uow.session,
        {
            "tenant_id": source.tenant_id,
            "name": request.name,
            "subject": source.subject,
            "body": source.body,
            "channel": source.channel,
            "variables": source.variables,
            "is_system": False,
            "created_by": who,
            "updated_by": who,
        },
    )
    return _publish(uow, contract.TEMPLATE_CREATED, saved)


async def preview_template(request: contract.PreviewTemplate, uow: UnitOfWork) -> contract.RenderedMessage:
    found = await _owned(uow, request.id)
    values = request.data if request.data is not None else recipient_values(SAMPLE, SAMPLE_EVENT)
    message = render_message(found.subject, found.body, values, html_email=found.channel is MessageChannel.EMAIL)
    return contract.RenderedMessage(subject=message.subject, body=message.body, unknown_variables=list(message.unknown))
