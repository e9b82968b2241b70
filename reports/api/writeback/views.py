"""Writeback reports: ``POST /v1/reports`` (ingest key in the body) and
``GET /v1/dashboard/<projectId>/reports`` (Bearer wk_sk_)."""

from __future__ import annotations

import json
from typing import Any, cast

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tokens import prefix_of
from config.api import idempotency
from config.api.errors import ApiError, ErrorCode, FieldError, validation_error
from config.api.exceptions import _challenge, normalise
from config.api.families import IdempotentResponseMixin, WritebackAPIView
from config.api.pagination import WritebackPagination
from config.api.parsers import AnyContentTypeJSONParser, loads_strict
from config.api.ratelimit import Bucket, enforce
from config.api.schema import pagination_parameters
from config.api.shapes import WRITEBACK
from projects.api.scoping import ProjectScopedMixin
from projects.selectors import IngestTarget, ingest_target_get
from reports import errors, selectors, services
from reports.api.writeback.serializers import (
    IngestOutput,
    ProjectReportsOutput,
    ReportIngestBody,
    ReportInput,
    report_out,
)
from reports.filters import ReportFilterSet
from reports.models import DETAILS_MAX, SOURCE_MAX, TOOL_NAME_MAX, Outcome


def _input_error(errors: Any) -> ApiError:
    """The first invalid field, in declaration order, with its own code (``invalid_outcome``
    for an unknown outcome, ``validation_error`` otherwise) as the error's code."""
    normalised = normalise(ValidationError(errors))
    first = normalised.first_field
    if first is None:
        return normalised
    return ApiError(first.code, first.message, 400, fields=normalised.fields)


def _json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or a 400 naming ``body``."""
    try:
        data = request.data
    except ParseError as exc:
        raise validation_error("body", str(exc.detail), ErrorCode.INVALID_JSON) from exc
    if isinstance(data, QueryDict) and not data:
        raise validation_error(
            "body",
            "The request body is empty: send a JSON object with ingest_key, outcome and details.",
            ErrorCode.INVALID_JSON,
        )
    if not isinstance(data, dict):
        raise validation_error("body", "The request body must be a JSON object.")
    return data


class ReportIngest(IdempotentResponseMixin, APIView):
    """Submit a report. The project's ingest key (``wk_``) travels in the body; there is no
    Authorization header, so the endpoint is public and CORS-enabled for agents in browsers.

    Checks run in this order, and the first failure answers: body is a JSON object (400) ->
    ingest key (401) -> rate limit per ingest key (429) -> Idempotency-Key (replay / 400 /
    409) -> fields (400) -> store -> 200 ``{"ok": true, "id": ...}``.
    """

    family = WRITEBACK
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    parser_classes = [AnyContentTypeJSONParser]  # `curl -d '{...}'` without Content-Type works

    @extend_schema(
        operation_id="wb_reports_create",
        tags=["writeback"],
        request=ReportIngestBody,
        responses=IngestOutput,
        auth=[],
    )
    def post(self, request: Request) -> Response:
        body = _json_object(request)
        raw_key = body.get("ingest_key")
        target = self.authenticate_ingest_key(raw_key)
        enforce(
            request,
            [
                Bucket(
                    group="wb:ingest",
                    # One live ingest key per project: counting per project keeps the count
                    # across a rotation instead of resetting it.
                    value=f"project:{target.project_id}",
                    rate_setting="RATE_WRITEBACK_INGEST_PER_KEY",
                    reason="Rate limit exceeded: {rate} per ingest key.",
                )
            ],
            fail_open=True,
        )
        idempotency_key = request.headers.get(idempotency.HEADER)
        if idempotency_key is not None:
            self._idempotency_claim = idempotency.begin(
                scope=f"writeback:ingest:{target.project_id}",
                key=idempotency_key,
                method="POST",
                path=request.path,
                body=json.dumps(body, sort_keys=True, default=str).encode(),
            )
        data = ReportInput(data=body)
        if not data.is_valid():
            raise _input_error(data.errors)
        report = services.report_create(
            project_id=target.project_id,
            ingest_key_digest=target.key_digest,
            **data.validated_data,
        )
        return Response({"ok": True, "id": report.pk}, status=200)

    @staticmethod
    def authenticate_ingest_key(raw: Any) -> IngestTarget:
        if raw is None or raw == "":
            raise errors.missing_ingest_key()
        if not isinstance(raw, str):
            raise validation_error("ingest_key", "ingest_key must be a string.")
        if prefix_of(raw) == "wk_sk_":
            raise errors.api_key_as_ingest_key()
        target = ingest_target_get(raw)
        if target is None:
            raise errors.unknown_ingest_key()
        if target.workspace_deleted:
            raise errors.workspace_deleted()
        return target


def _filter_error(filterset: ReportFilterSet) -> ApiError:
    name, message, _ = filterset.first_error() or ("query", "Invalid query parameters.", "")
    return ApiError(ErrorCode.BAD_REQUEST, message, 400, fields=[FieldError(name, message)])


class ProjectReports(ProjectScopedMixin, WritebackAPIView):
    """Reports and stats of one project of the API key's workspace, newest first.

    ``stats`` count the whole filtered set (not only the page), and ``pagination.total`` is
    the same filtered count. Another workspace's, an unknown or a malformed project id: 404.
    """

    @extend_schema(
        operation_id="wb_dashboard_reports",
        tags=["writeback"],
        parameters=[
            OpenApiParameter("outcome", str, enum=Outcome.values),
            OpenApiParameter("tool_name", str),
            OpenApiParameter("source", str),
            OpenApiParameter("from", str, description="ISO 8601 date or date-time, inclusive"),
            OpenApiParameter(
                "to", str, description="ISO 8601, inclusive (a date covers that whole UTC day)"
            ),
            *pagination_parameters(WritebackPagination),
        ],
        responses=ProjectReportsOutput,
    )
    def get(self, request: Request, project_id: str) -> Response:
        project = self.get_project(project_id)
        filterset = ReportFilterSet(
            request.query_params, queryset=selectors.report_queryset(project=project)
        )
        if not filterset.is_valid():
            raise _filter_error(filterset)
        pages = cast(WritebackPagination, self.paginator)
        pages.paginate_request(request)
        queryset = filterset.qs
        stats = selectors.report_stats(project=project, cleaned=filterset.form.cleaned_data)
        rows: list[dict[str, Any]] = []
        if pages.offset < stats["total"]:  # no query for a page past the end
            rows = selectors.report_page(queryset, page=pages.page, limit=pages.limit)
        return Response(
            {
                "project": {"id": project.pk, "name": project.name},
                "stats": stats,
                "reports": [report_out(row) for row in rows],
                "pagination": pages.body(stats["total"]),
            }
        )


# --- The lean ingest path (issue 15) ------------------------------------------------------------
_ingest_drf = ReportIngest.as_view()
_JSON_ACCEPT = ("*/*", "application/json", "application/*")
_OUTCOMES = frozenset(Outcome.values)
_OPTIONAL_TEXT = (("tool_name", TOOL_NAME_MAX), ("source", SOURCE_MAX))


def _fast_fields(body: dict[str, Any]) -> dict[str, str] | None:
    """``ReportInput``'s result for a body it accepts, or None for anything else (the DRF
    view then answers, with its exact error). Deliberately narrower, never wider."""
    outcome, details = body.get("outcome"), body.get("details")
    if not isinstance(outcome, str) or outcome not in _OUTCOMES:
        return None
    if not isinstance(details, str) or not details.strip() or len(details) > DETAILS_MAX:
        return None
    fields = {"outcome": outcome, "details": details}
    for name, limit in _OPTIONAL_TEXT:
        value = body.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            return None
        value = value.strip()
        if len(value) > limit:
            return None
        fields[name] = value
    return fields


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    # DRF's JSONRenderer bytes (compact, UTF-8) and the headers its APIView adds.
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )
    response["Vary"] = "Accept"
    response["Allow"] = "POST, OPTIONS"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@csrf_exempt
def report_ingest(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """``POST /v1/reports`` without DRF's per-request machinery for the common request: a
    JSON object with a live ingest key and valid fields, no ``Idempotency-Key``. It runs the
    same steps in the same order (key, rate limit, fields, one INSERT) through the same
    functions; everything else - another method, an Idempotency-Key, an Accept that is not
    JSON, a body or key or field the fast checks do not accept - goes to ``ReportIngest``,
    which answers exactly as before. Nothing is counted or written before that hand-over.
    PERFORMANCE.md: DRF's dispatch, negotiation, parser and serializer were about half of
    this endpoint's CPU."""
    accept = request.META.get("HTTP_ACCEPT", "")
    if (
        request.method != "POST"
        or "HTTP_IDEMPOTENCY_KEY" in request.META
        or (accept and ("indent" in accept or not any(a in accept for a in _JSON_ACCEPT)))
    ):
        return _ingest_drf(request, *args, **kwargs)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return _ingest_drf(request, *args, **kwargs)
    try:
        body = loads_strict(request.body)
    except Exception:
        return _ingest_drf(request, *args, **kwargs)  # request.body stays readable for DRF
    raw_key = body.get("ingest_key") if isinstance(body, dict) else None
    if not isinstance(raw_key, str) or prefix_of(raw_key) == "wk_sk_":
        return _ingest_drf(request, *args, **kwargs)
    fields = _fast_fields(body)
    if fields is None:
        return _ingest_drf(request, *args, **kwargs)
    try:
        target = ingest_target_get(raw_key)
        if target is None or target.workspace_deleted:
            return _ingest_drf(request, *args, **kwargs)
        enforce(
            request,
            [
                Bucket(
                    group="wb:ingest",
                    value=f"project:{target.project_id}",
                    rate_setting="RATE_WRITEBACK_INGEST_PER_KEY",
                    reason="Rate limit exceeded: {rate} per ingest key.",
                )
            ],
            fail_open=True,
        )
        report = services.report_create(
            project_id=target.project_id, ingest_key_digest=target.key_digest, **fields
        )
    except (ApiError, OperationalError, InterfaceError) as exc:
        error = normalise(exc)
        status, payload = WRITEBACK.render(error)
        headers = dict(error.headers)
        if status == 401:  # as render_error: a 401 always carries its challenge
            headers.setdefault("WWW-Authenticate", _challenge(error.message))
        return _json(status, payload, headers)
    return _json(200, {"ok": True, "id": report.pk})


# drf-spectacular and the URL checks find the APIView behind the path, as before.
report_ingest.__dict__.update({k: v for k, v in _ingest_drf.__dict__.items() if k != "__wrapped__"})
