"""OpenAPI helpers shared by the families' views (drf-spectacular)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter

from config.api.pagination import FamilyPagination


def pagination_parameters(pagination_class: type[FamilyPagination]) -> list[OpenApiParameter]:
    """A family pagination's query parameters, for an endpoint whose paged list sits inside
    a larger body (drf-spectacular adds them by itself only to plain list responses)."""
    return [
        OpenApiParameter(
            parameter["name"],
            int if parameter["schema"]["type"] == "integer" else str,
            description=parameter["description"],
        )
        for parameter in pagination_class().schema_parameters()
    ]


# --- error bodies ------------------------------------------------------------------------
# Each family answers every error in one shape (config/api/shapes.py). The schema says so once
# per family, as a component, and points every operation's ``default`` response at it, so a
# generated client knows how to read any status an operation does not list.
_STRING = {"type": "string"}
_ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "writeback": {
        "type": "object",
        "description": 'Writeback error: {"ok": false, "error": {"code", "message", "field"?}}',
        "properties": {
            "ok": {"type": "boolean", "enum": [False]},
            "error": {
                "type": "object",
                "properties": {"code": _STRING, "message": _STRING, "field": _STRING},
                "required": ["code", "message"],
            },
        },
        "required": ["ok", "error"],
    },
    "greatfeedback": {
        "type": "object",
        "description": 'greatfeedback error: {"detail": "..."}, or for 422 a list of '
        '{"loc", "msg", "type"}',
        "properties": {
            "detail": {
                "oneOf": [
                    _STRING,
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "loc": {"type": "array", "items": _STRING},
                                "msg": _STRING,
                                "type": _STRING,
                            },
                        },
                    },
                ]
            }
        },
        "required": ["detail"],
    },
    "minolith": {
        "type": "object",
        "description": 'Minolith error: {"error": {"code", "message", "docs"}} (catalogue codes)',
        "properties": {
            "error": {
                "type": "object",
                "properties": {"code": _STRING, "message": _STRING, "docs": _STRING},
                "required": ["code", "message", "docs"],
            }
        },
        "required": ["error"],
    },
    "fluister": {
        "type": "object",
        "description": 'Fluister error: {"error": {"code", "message", "field"?}}',
        "properties": {
            "error": {
                "type": "object",
                "properties": {"code": _STRING, "message": _STRING, "field": _STRING},
                "required": ["code", "message"],
            }
        },
        "required": ["error"],
    },
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the family's error shape as each operation's
    ``default`` response (operations are tagged with their family)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _ERROR_SCHEMAS.items():
        schemas[f"{name.capitalize()}Error"] = schema
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            tags = [t for t in operation.get("tags", []) if t in _ERROR_SCHEMAS]
            if not tags:
                continue
            family: str = tags[0]
            operation.setdefault("responses", {}).setdefault(
                "default",
                {
                    "description": f"Any error, in the {family} error shape",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{family.capitalize()}Error"}
                        }
                    },
                },
            )
    return result
