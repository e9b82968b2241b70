"""Pagination is a family policy: each family base view declares it once, and the OpenAPI
schema takes every list's query parameters and body from it."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.api.families import (
    FamilyMixin,
    FluisterAPIView,
    GreatfeedbackAPIView,
    MinolithAPIView,
    WritebackAPIView,
)
from config.api.pagination import GreatfeedbackPagination, MinolithPagination, WritebackPagination
from projects.api.writeback.views import ProjectList

FAMILY_PAGINATION = {
    GreatfeedbackAPIView: GreatfeedbackPagination,
    MinolithAPIView: MinolithPagination,
    WritebackAPIView: WritebackPagination,
    FluisterAPIView: None,
}


def family_views(patterns=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from family_views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "view_class", None)
            if view_class is not None and issubclass(view_class, FamilyMixin):
                yield entry.pattern, view_class


# Lists their document shows as a plain array: the one place a family view opts out.
UNPAGINATED = {ProjectList}


def test_every_family_view_pages_the_way_its_family_does():
    views = list(family_views())
    assert len(views) >= 10  # the walk found the API, not nothing
    for pattern, view_class in views:
        (base,) = [b for b in FAMILY_PAGINATION if issubclass(view_class, b)]
        expected = None if view_class in UNPAGINATED else FAMILY_PAGINATION[base]
        assert view_class.pagination_class is expected, pattern


def test_writeback_project_list_documents_a_plain_array_without_paging(schema):
    operation = schema["paths"]["/v1/projects"]["get"]

    assert query_parameters(operation) == {}
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/WritebackProjectOutput"},
    }


@pytest.fixture
def schema(client, db):
    return client.get("/api/schema/?format=json").json()


def query_parameters(operation):
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


def response_schema(schema, operation):
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rpartition("/")[2]]


GF_CURSOR = "next_cursor of the previous page"


@pytest.mark.parametrize(
    ("path", "limit", "cursor"),
    [
        ("/api/v1/sites", "1-200, default 50", GF_CURSOR),
        ("/api/workspaces/{ws}/api-tokens", "1-200, default 50", GF_CURSOR),
        ("/v1/feedback/items", "1-100, default 20", f"pagination.{GF_CURSOR}"),
    ],
)
def test_cursor_lists_document_their_familys_cursor_and_limit(schema, path, limit, cursor):
    parameters = query_parameters(schema["paths"][path]["get"])
    assert parameters["limit"]["description"] == limit
    assert parameters["limit"]["schema"] == {"type": "integer"}
    assert parameters["cursor"]["description"] == cursor
    assert parameters["cursor"]["schema"] == {"type": "string"}


def test_greatfeedback_lists_document_the_items_body(schema):
    for path in ("/api/v1/sites", "/api/workspaces/{ws}/api-tokens"):
        body = response_schema(schema, schema["paths"][path]["get"])
        assert body["required"] == ["items", "next_cursor"]
        assert body["properties"]["items"]["type"] == "array"
        assert body["properties"]["next_cursor"] == {"type": "string", "nullable": True}


def test_minolith_list_documents_the_data_and_pagination_body(schema):
    body = response_schema(schema, schema["paths"]["/v1/feedback/items"]["get"])
    assert body["required"] == ["data", "pagination"]
    assert body["properties"]["data"]["type"] == "array"
    assert set(body["properties"]["pagination"]["properties"]) == {
        "has_more",
        "next_cursor",
        "limit",
    }


def test_writeback_reports_document_page_and_limit(schema):
    (path,) = [p for p in schema["paths"] if p.startswith("/v1/dashboard/")]
    parameters = query_parameters(schema["paths"][path]["get"])
    assert parameters["page"]["description"] == "default 1; at most 10,000/limit"
    assert parameters["limit"]["description"] == "1-100, default 50"
    assert "cursor" not in parameters
