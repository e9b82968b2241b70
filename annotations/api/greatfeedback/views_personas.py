"""greatfeedback personas and persona runs (docs/personas.md).

Reads are GUEST, writes MEMBER (403 ``Insufficient role``); every lookup starts from the
caller's workspace, so another workspace's persona or annotation is a 404. POSTs replay
under an Idempotency-Key (config.api.families).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role, Workspace
from annotations.api.greatfeedback.serializers_personas import (
    PersonaCreateInput,
    PersonaOutput,
    PersonaRunOutput,
    PersonaUpdateInput,
    ResetDefaultsInput,
    ResetDefaultsOutput,
    RunPersonasInput,
    RunPersonasOutput,
)
from annotations.api.greatfeedback.views import AnnotationScopedView
from annotations.models import Persona
from annotations.personas import errors, selectors, services
from config.api.families import GreatfeedbackAPIView

TAGS = ["greatfeedback"]


class PersonaView(GreatfeedbackAPIView):
    serializer_class = PersonaOutput
    list_keys = selectors.LIST_KEYS  # the documented order, ascending (selectors)
    list_descending = False

    def scoped_queryset(self, workspace: Workspace) -> Any:
        return selectors.persona_list(workspace=workspace)

    def get_persona(self, persona_id: str) -> Persona:
        persona = selectors.persona_get(workspace=self.caller.workspace, persona_id=persona_id)
        if persona is None:
            raise errors.persona_not_found()
        persona.workspace = self.caller.workspace  # the same row: no query to read it
        return persona

    def list_response(self, queryset: Any) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(PersonaOutput(page, many=True).data)


class PersonaMine(PersonaView):
    """Defaults and customs of the caller's workspace, in the documented order."""

    cursor_salt = "gf:personas"

    @extend_schema(operation_id="gf_personas_mine", tags=TAGS, responses=PersonaOutput(many=True))
    def get(self, request: Request) -> Response:
        return self.list_response(self.get_queryset())


class PersonaCategory(PersonaView):
    cursor_salt = "gf:personas:category"

    @extend_schema(
        operation_id="gf_personas_category", tags=TAGS, responses=PersonaOutput(many=True)
    )
    def get(self, request: Request, category: str) -> Response:
        queryset = selectors.persona_list(
            workspace=self.caller.workspace, category=category.strip().lower()
        )
        return self.list_response(queryset)


class PersonaCreate(PersonaView):
    required_roles = {"POST": Role.MEMBER}

    @extend_schema(
        operation_id="gf_personas_create",
        tags=TAGS,
        request=PersonaCreateInput,
        responses={201: PersonaOutput},
    )
    def post(self, request: Request) -> Response:
        data = PersonaCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        persona = services.persona_create(
            workspace=self.caller.workspace, actor=self.caller.actor, **data.validated_data
        )
        return Response(PersonaOutput(persona).data, status=201)


class PersonaDetail(PersonaView):
    required_roles = {"PATCH": Role.MEMBER, "DELETE": Role.MEMBER}

    @extend_schema(operation_id="gf_personas_retrieve", tags=TAGS)
    def get(self, request: Request, persona_id: str) -> Response:
        return Response(PersonaOutput(self.get_persona(persona_id)).data)

    @extend_schema(
        operation_id="gf_personas_update",
        tags=TAGS,
        request=PersonaUpdateInput,
        responses=PersonaOutput,
    )
    def patch(self, request: Request, persona_id: str) -> Response:
        persona = self.get_persona(persona_id)
        data = PersonaUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.persona_update(persona=persona, actor=self.caller.actor, **data.validated_data)
        return Response(PersonaOutput(persona).data)

    @extend_schema(operation_id="gf_personas_delete", tags=TAGS, responses={204: None})
    def delete(self, request: Request, persona_id: str) -> Response:
        services.persona_delete(persona=self.get_persona(persona_id), actor=self.caller.actor)
        return Response(status=204)


class PersonaResetDefaults(PersonaView):
    required_roles = {"POST": Role.MEMBER}

    @extend_schema(
        operation_id="gf_personas_reset_defaults",
        tags=TAGS,
        request=ResetDefaultsInput,
        responses=ResetDefaultsOutput,
    )
    def post(self, request: Request) -> Response:
        data = ResetDefaultsInput(data=request.data)
        data.is_valid(raise_exception=True)
        slug = data.validated_data.get("slug")
        try:
            count = services.persona_reset_defaults(
                workspace=self.caller.workspace, actor=self.caller.actor, slug=slug
            )
        except KeyError:
            raise errors.default_not_found(slug or "") from None
        return Response({"reset_count": count})


# --- runs ----------------------------------------------------------------------------------
class AnnotationPersonaView(AnnotationScopedView):
    serializer_class = PersonaRunOutput
    list_keys = ("created_at", "id")  # oldest first
    list_descending = False
    cursor_salt = "gf:persona-runs"


class RunPersonas(AnnotationPersonaView):
    """Queue one run per persona; cost-bearing (one credit per run, 402 at the cap)."""

    required_role = Role.MEMBER

    @extend_schema(
        operation_id="gf_annotation_run_personas",
        tags=TAGS,
        request=RunPersonasInput,
        responses={202: RunPersonasOutput},
    )
    def post(self, request: Request, annotation_id: str) -> Response:
        annotation = self.get_annotation(annotation_id)
        data = RunPersonasInput(data=request.data)
        data.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(data.validated_data.get("persona_ids") or []))
        personas = selectors.personas_to_run(workspace=self.caller.workspace, ids=ids)
        runs = services.persona_runs_start(
            annotation=annotation, personas=personas, actor=self.caller.actor
        )
        return Response({"runs": PersonaRunOutput(runs, many=True).data}, status=202)


class PersonaRunList(AnnotationPersonaView):
    """The annotation's persona runs, oldest first (cursor pagination)."""

    @extend_schema(
        operation_id="gf_annotation_persona_runs",
        tags=TAGS,
        responses=PersonaRunOutput(many=True),
    )
    def get(self, request: Request, annotation_id: str) -> Response:
        annotation = self.get_annotation(annotation_id)
        page = self.paginate_queryset(selectors.persona_runs(annotation=annotation))
        return self.get_paginated_response(PersonaRunOutput(page, many=True).data)
