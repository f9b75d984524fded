"""workflow: workflows, their details and status, and their published versions."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from ...enums import (
    WorkflowStatus,
)
from ...errors import ErrorCode
from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ._common import (
    _NOT_FOUND,
    _WF_CREATE,
    _WF_DELETE,
    _WF_READ,
    _WF_UPDATE,
    _WRITE_ERRORS,
    Description,
    _cmd,
    _event,
    _qry,
    _route,
)
from .steps import NewStep, Step

MAX_STEPS = 200


class Workflow(Model):
    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str | None = None
    name: str
    description: str | None = None
    status: WorkflowStatus
    current_version: int | None = None
    steps: list[Step] | None = Field(None, description="In step order; only when reading one workflow.")
    created_at: datetime
    updated_at: datetime


class CreateWorkflow(Model):
    event_id: Id
    name: Name
    description: Description | None = None
    participant_type_id: Id | None = Field(
        None, description="Participants of this type enter it; none = the event's default workflow."
    )
    steps: Annotated[list[NewStep], Field(max_length=MAX_STEPS)] | None = Field(
        None,
        description="Create the steps too, in one transaction. A target (nextStepId, rejectionTargetId, "
        "bypassTargetId, escalationTargetId, a route's targetStepId, a branch's branchStepId, joinStepId) "
        "names another step of this list by its `key`.",
    )


class UpdateWorkflow(Model):
    """A partial update; ``If-Match`` guards it. ARCHIVED stops new entries; DRAFT re-opens."""

    id: Id
    name: Name | None = None
    description: Description | None = None
    participant_type_id: Id | None = None
    status: Literal[WorkflowStatus.DRAFT, WorkflowStatus.ARCHIVED] | None = None


class WorkflowRef(Model):
    id: Id


class ListWorkflows(ListQuery):
    event_id: Id | None = None
    status: WorkflowStatus | None = None


class WorkflowPage(Page[Workflow]):
    pass


class PublishWorkflow(Model):
    id: Id
    change_description: Description | None = None


class WorkflowVersion(Model):
    id: str
    workflow_id: str
    version: int
    snapshot: dict[str, Any]
    snapshot_hash: str
    change_description: str | None = None
    created_by: str
    created_at: datetime


class Publication(Model):
    version: WorkflowVersion
    created: bool = Field(description="False when the steps did not change since the last version.")


class ListWorkflowVersions(ListQuery):
    workflow_id: Id


class WorkflowVersionPage(Page[WorkflowVersion]):
    pass


class GetWorkflowVersion(Model):
    workflow_id: Id
    version: Annotated[int, Field(ge=1)]


class WorkflowChanged(Model):
    workflow: Workflow


class WorkflowPublished(Model):
    workflow_id: str
    event_id: str
    name: str
    version_id: str
    version: int
    snapshot_hash: str
    step_count: int


# --- domain events -------------------------------------------------------------------------------

WORKFLOW_CREATED = _event("workflow", "created", WorkflowChanged, "A workflow was created.")
WORKFLOW_UPDATED = _event("workflow", "updated", WorkflowChanged, "A workflow's details or status changed.")
WORKFLOW_DELETED = _event("workflow", "deleted", WorkflowChanged, "A workflow was deleted (soft).")
WORKFLOW_PUBLISHED = _event("workflow", "published", WorkflowPublished, "A workflow's steps became a new version.")


# --- operations ----------------------------------------------------------------------------------

CREATE_WORKFLOW = _cmd(
    "create_workflow", CreateWorkflow, Workflow,
    "Create a DRAFT workflow for an event (404 when the tenant has no such event), with its steps if given.",
    errors=_WRITE_ERRORS, permission=_WF_CREATE,
    http=_route("POST", "/workflows", "Create a workflow", "workflows", 201),
)  # fmt: skip
LIST_WORKFLOWS = _qry(
    "list_workflows", ListWorkflows, WorkflowPage, "Workflows of the tenant, by event and status.",
    permission=_WF_READ, http=_route("GET", "/workflows", "List workflows", "workflows"),
)  # fmt: skip
GET_WORKFLOW = _qry(
    "get_workflow", WorkflowRef, Workflow, "A workflow with its steps in order.",
    errors=_NOT_FOUND, permission=_WF_READ, http=_route("GET", "/workflows/{id}", "Get a workflow", "workflows"),
)  # fmt: skip
UPDATE_WORKFLOW = _cmd(
    "update_workflow", UpdateWorkflow, Workflow, "Change a workflow's details or archive it (If-Match).",
    errors=(*_WRITE_ERRORS, ErrorCode.PRECONDITION_FAILED), permission=_WF_UPDATE,
    http=_route("PATCH", "/workflows/{id}", "Update a workflow", "workflows"),
)  # fmt: skip
DELETE_WORKFLOW = _cmd(
    "delete_workflow", WorkflowRef, WorkflowRef, "Soft-delete a workflow; participants already in it finish it.",
    errors=_NOT_FOUND, permission=_WF_DELETE,
    http=_route("DELETE", "/workflows/{id}", "Delete a workflow", "workflows", 204),
)  # fmt: skip
PUBLISH_WORKFLOW = _cmd(
    "publish_workflow", PublishWorkflow, Publication,
    "Validate the step graph and freeze it as a new version (only when it changed). One PUBLISHED workflow per "
    "event and participant type: publishing a second is a 409 naming the first.",
    errors=_WRITE_ERRORS, permission=_WF_UPDATE,
    http=_route("POST", "/workflows/{id}/publish", "Publish a workflow", "workflows"),
)  # fmt: skip
LIST_WORKFLOW_VERSIONS = _qry(
    "list_workflow_versions", ListWorkflowVersions, WorkflowVersionPage, "The published versions of a workflow.",
    errors=_NOT_FOUND, permission=_WF_READ,
    http=_route("GET", "/workflows/{workflowId}/versions", "List versions", "workflows"),
)  # fmt: skip
GET_WORKFLOW_VERSION = _qry(
    "get_workflow_version", GetWorkflowVersion, WorkflowVersion, "One published version and its snapshot.",
    errors=_NOT_FOUND, permission=_WF_READ,
    http=_route("GET", "/workflows/{workflowId}/versions/{version}", "Get a version", "workflows"),
)  # fmt: skip
