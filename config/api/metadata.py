"""What a plain ``OPTIONS`` request (not a CORS preflight, which django-cors-headers answers
before any view) gets from a DRF view.

DRF's ``SimpleMetadata`` describes the POST/PUT body by instantiating the view's serializer
and re-running the permission checks per method. Our views validate bodies by hand (each
family's messages name fields exactly as its document does), so many have no
``serializer_class`` and ``SimpleMetadata`` failed on them with a 500. The request bodies are
described by the OpenAPI schema at /api/schema/; ``OPTIONS`` says what the view is and which
media types it speaks, plus the ``Allow`` header DRF sets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.metadata import BaseMetadata
from rest_framework.request import Request

if TYPE_CHECKING:  # rest_framework.views imports this module while it defines APIView
    from rest_framework.views import APIView


class PlainMetadata(BaseMetadata):
    def determine_metadata(self, request: Request, view: APIView) -> dict[str, Any]:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
