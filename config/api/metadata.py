"""What a plain ``OPTIONS`` request (not a CORS preflight, which django-cors-headers answers
before any view) gets from a DRF view.

DRF's ``SimpleMetadata`` describes the POST/PUT body by building the view's serializer with
``get_serializer()`` and re-running the permission checks per method (``get_object()`` for
detail views). Many of our views validate bodies by hand (each family's messages name fields
exactly as its document does) and have no ``serializer_class``, so ``SimpleMetadata`` failed
on them with a 500 (found by schemathesis). Here the body is described only when the view
declares a ``serializer_class``, without re-checking permissions (``initial()`` already
authenticated and authorised the OPTIONS request itself); the OpenAPI schema at /api/schema/
describes every body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request

if TYPE_CHECKING:  # rest_framework.views imports this module while it defines APIView
    from rest_framework.views import APIView


class PlainMetadata(SimpleMetadata):
    def determine_actions(self, request: Request, view: APIView) -> dict[str, Any]:
        serializer_class = getattr(view, "serializer_class", None)
        if serializer_class is None:
            return {}
        info = self.get_serializer_info(serializer_class())
        return {method: info for method in ("PUT", "POST") if method in view.allowed_methods}
