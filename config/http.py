"""HTTP response helpers shared by the dashboard and the API families."""

from __future__ import annotations

from typing import TypeVar

from django.http import HttpResponseBase

ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)


def no_store(response: ResponseT) -> ResponseT:
    """Responses that carry a plaintext secret must not be kept by any cache or history."""
    response["Cache-Control"] = "no-store"
    return response
