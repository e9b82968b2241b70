"""greatfeedback's MCP tools (the document's "MCP tools", docs/mcp.md), served at
``/mcp/<mcp_token>``.

The site's MCP token is the credential: every call is scoped to that one site (another
site's annotation is "Annotation not found.", like a REST 404), acts with MEMBER rights (it
can attach resolutions and run personas, as the document's tools do), and is audited as
``mcp:<site_id>``. Rotating the token stops it at once (the endpoint looks the token up on
every request). Each tool calls the service or selector its REST route calls; a refusal
comes back as a tool error with the REST message. Visitor-written text is returned inside
the response's untrusted-content boundary (``config.untrusted``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from rest_framework import serializers

from accounts.audit import Actor
from annotations import resolutions, selectors, services, uploads
from annotations.api.greatfeedback.resolution_serializers import (
    ResolutionInput,
    ResolutionOutput,
    UploadUrlInput,
)
from annotations.api.greatfeedback.serializers import (
    annotation_api_out,
    annotation_detail_out,
    reply_api_out,
)
from annotations.api.greatfeedback.serializers_personas import PersonaRunOutput
from annotations.filters import AnnotationFilter
from annotations.markdown import annotation_markdown
from annotations.models import Annotation, AnnotationKind, AnnotationStatus, ReplyAuthorKind
from annotations.personas import selectors as persona_selectors
from annotations.personas import services as persona_services
from config.api.pagination import GreatfeedbackPagination
from config.mcp.transport import Call, Tool, ToolError
from config.untrusted import Boundary
from projects.models import Project


@dataclass(frozen=True)
class SiteContext:
    """The caller of ``/mcp/<mcp_token>``: one site, acting as ``mcp:<site_id>``."""

    project: Project

    @property
    def actor(self) -> Actor:
        return Actor.for_mcp(self.project.pk)


def _site(call: Call) -> Project:
    return call.context.project


def _annotation(call: Call, annotation_id: str, *, detail: bool = False) -> Annotation:
    site = _site(call)
    annotation = selectors.annotation_get(
        workspace=site.workspace, annotation_id=annotation_id, detail=detail
    )
    if annotation is None or annotation.project_id != site.pk:
        raise ToolError("Annotation not found.")
    return annotation


def _validated(serializer: serializers.Serializer) -> dict[str, Any]:
    if not serializer.is_valid():
        name, messages = next(iter(serializer.errors.items()))
        message = messages[0] if isinstance(messages, list) else messages
        raise ToolError(f"{name}: {message}")
    return dict(serializer.validated_data)


def _provenance(annotation: Annotation | dict[str, Any]) -> dict[str, Any]:
    get = annotation.get if isinstance(annotation, dict) else annotation.__getattribute__
    return {
        "channel": get("channel"),
        "submitter": get("submitter_kind"),
        "auto_fix_consent": get("auto_fix"),
        "created_at": get("created_at"),
    }


def _guard(out: dict[str, Any], boundary: Boundary, path: str) -> dict[str, Any]:
    """Wrap what the visitor wrote: the comment, their name, the element's text (from the
    visited page), and replies by submitters."""
    provenance = _provenance(out)
    for name in ("body", "submitter_name"):
        out[name] = boundary.wrap(out[name], field_path=f"{path}.{name}", provenance=provenance)
    element = out.get("element")
    if isinstance(element, dict) and element.get("text"):
        element["text"] = boundary.wrap(
            element["text"],
            field_path=f"{path}.element.text",
            provenance={**provenance, "channel": "page content"},
        )
    for i, reply in enumerate(out.get("replies") or []):
        if reply["author_kind"] == ReplyAuthorKind.SUBMITTER:
            reply["body"] = boundary.wrap(
                reply["body"],
                field_path=f"{path}.replies[{i}].body",
                provenance={**provenance, "created_at": reply["created_at"]},
            )
    return out


# --- tools ----------------------------------------------------------------------------------
def list_annotations(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    limit = args.pop("limit", GreatfeedbackPagination.default_limit)
    if not 1 <= limit <= GreatfeedbackPagination.max_limit:
        raise ToolError(f"limit must be between 1 and {GreatfeedbackPagination.max_limit}.")
    params = QueryDict(mutable=True)
    for name, value in args.items():
        params[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    filterset = AnnotationFilter(params, queryset=selectors.annotation_list(project=_site(call)))
    if not filterset.is_valid():
        error = filterset.first_error()
        raise ToolError(error.message if error else "Invalid filters.")
    rows = list(filterset.qs.order_by("-created_at", "-id")[: limit + 1])
    boundary = Boundary()
    items = [
        _guard(annotation_api_out(a), boundary, f"items[{i}]") for i, a in enumerate(rows[:limit])
    ]
    return {"items": items, "has_more": len(rows) > limit, "untrusted_content": boundary.summary()}


def read_annotation(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    annotation = _annotation(call, args["id"], detail=True)
    boundary = Boundary()
    out = _guard(
        annotation_detail_out(annotation, request=call.http, show_images=True),
        boundary,
        "annotation",
    )
    # The blob quotes the visitor's text too: the whole of it stands inside the boundary.
    markdown = annotation_markdown(annotation, request=call.http, show_images=True)
    out["markdown"] = boundary.wrap(
        markdown, field_path="annotation.markdown", provenance=_provenance(annotation)
    )
    return {"annotation": out, "untrusted_content": boundary.summary()}


def _patched(call: Call, annotation: Annotation, **changes: Any) -> dict[str, Any]:
    services.annotation_update(annotation=annotation, actor=call.context.actor, **changes)
    boundary = Boundary()
    out = _guard(annotation_api_out(annotation), boundary, "annotation")
    return {"annotation": out, "untrusted_content": boundary.summary()}


def acknowledge(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    return _patched(call, _annotation(call, args["id"]), status=AnnotationStatus.ACK)


def resolve(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    return _patched(
        call,
        _annotation(call, args["id"]),
        status=AnnotationStatus.RESOLVED,
        summary=args["summary"],
    )


def patch_annotation(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    annotation = _annotation(call, args.pop("id"))
    if not args:
        raise ToolError("Nothing to change: pass status, summary and/or assignee_id.")
    return _patched(call, annotation, **args)


def reply(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    annotation = _annotation(call, args["id"])
    created = services.reply_create(
        annotation=annotation, actor=call.context.actor, body=args["message"]
    )
    return {"reply": reply_api_out(created)}


def get_resolution_upload_url(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    annotation = _annotation(call, args["annotation_id"])
    data = _validated(UploadUrlInput(data={k: args[k] for k in ("kind", "content_type")}))
    return uploads.upload_mint(
        project=annotation.project,
        annotation=annotation,
        kind=data["kind"],
        content_type=data["content_type"],
        request=call.http,
    )


def attach_resolution(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    annotation = _annotation(call, args.pop("annotation_id"))
    data = _validated(ResolutionInput(data=args))
    resolution = resolutions.resolution_create(
        annotation=annotation, actor=call.context.actor, **data
    )
    context = {"request": call.http, "show_images": True}
    return {"resolution": ResolutionOutput(resolution, context=context).data}


def list_resolutions(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    annotation = _annotation(call, args["annotation_id"])
    rows = resolutions.resolution_list(annotation=annotation)
    context = {"request": call.http, "show_images": True}
    return {"items": ResolutionOutput(rows, many=True, context=context).data}


def run_personas(call: Call, args: dict[str, Any]) -> dict[str, Any]:
    annotation = _annotation(call, args["id"])
    ids = list(dict.fromkeys(args.get("persona_ids") or []))
    personas = persona_selectors.personas_to_run(workspace=_site(call).workspace, ids=ids)
    runs = persona_services.persona_runs_start(
        annotation=annotation, personas=personas, actor=call.context.actor
    )
    return {"runs": PersonaRunOutput(runs, many=True).data}


ID = {"type": "string", "description": "The annotation id (32 hex characters)."}
ANNOTATION_ID = {"type": "string", "description": "The annotation id (32 hex characters)."}
STATUS = {"type": "string", "enum": AnnotationStatus.values}


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


TOOLS = [
    Tool(
        "list_annotations",
        "Discover open work on this site, newest first. Pass auto_fix=true to pick only "
        "submissions the submitter authorised for unattended automated change.",
        _schema(
            {
                "status": {**STATUS, "description": "Only this status."},
                "kind": {"type": "string", "enum": AnnotationKind.values},
                "since": {
                    "type": "integer",
                    "description": "Epoch milliseconds: annotations created at or after it.",
                },
                "auto_fix": {"type": "boolean"},
                "limit": {"type": "integer", "description": "1-200, default 50."},
            },
            [],
        ),
        list_annotations,
        read_only=True,
    ),
    Tool(
        "read_annotation",
        "Full body, screenshot (signed link), computed styles, replies, resolutions, persona "
        "reviews and the markdown blob of one annotation.",
        _schema({"id": ID}, ["id"]),
        read_annotation,
        read_only=True,
    ),
    Tool(
        "acknowledge",
        "Flip the annotation's status to ack (we saw it; no work yet).",
        _schema({"id": ID}, ["id"]),
        acknowledge,
    ),
    Tool(
        "reply",
        "Post an agent reply on the annotation's thread.",
        _schema({"id": ID, "message": {"type": "string"}}, ["id", "message"]),
        reply,
    ),
    Tool(
        "resolve",
        "Flip the annotation's status to resolved with a summary of what changed.",
        _schema({"id": ID, "summary": {"type": "string"}}, ["id", "summary"]),
        resolve,
    ),
    Tool(
        "patch_annotation",
        "Generalised write: status, summary and/or assignee_id (a workspace member's id, or "
        "null to unassign).",
        _schema(
            {
                "id": ID,
                "status": STATUS,
                "summary": {"type": "string", "description": "At most 4 KB."},
                "assignee_id": {"type": ["integer", "null"]},
            },
            ["id"],
        ),
        patch_annotation,
    ),
    Tool(
        "get_resolution_upload_url",
        "Presign a before/after screenshot upload. Returns {url, method, headers, key, "
        "expires_in_seconds}: PUT the bytes to url with headers, then pass key to "
        "attach_resolution.",
        _schema(
            {
                "annotation_id": ANNOTATION_ID,
                "kind": {"type": "string", "enum": ["before", "after"]},
                "content_type": {
                    "type": "string",
                    "enum": ["image/png", "image/jpeg", "image/webp"],
                },
            },
            ["annotation_id", "kind", "content_type"],
        ),
        get_resolution_upload_url,
    ),
    Tool(
        "attach_resolution",
        "Append a resolution recording what changed. At least one of the four fields; "
        "diff_url must be https://; explanation is markdown, 4 KB cap. Notifies the submitter "
        "(email when an address is on file, otherwise a thread reply).",
        _schema(
            {
                "annotation_id": ANNOTATION_ID,
                "before_key": {"type": "string"},
                "after_key": {"type": "string"},
                "diff_url": {"type": "string"},
                "explanation": {"type": "string"},
            },
            ["annotation_id"],
        ),
        attach_resolution,
    ),
    Tool(
        "list_resolutions",
        "List the resolutions already attached, oldest first. Use this to avoid duplicating work.",
        _schema({"annotation_id": ANNOTATION_ID}, ["annotation_id"]),
        list_resolutions,
        read_only=True,
    ),
    Tool(
        "run_personas",
        "Kick off the AI persona pipeline (cost-bearing: one credit per persona). Without "
        "persona_ids the workspace's default set runs.",
        _schema({"id": ID, "persona_ids": {"type": "array", "items": {"type": "string"}}}, ["id"]),
        run_personas,
    ),
]
