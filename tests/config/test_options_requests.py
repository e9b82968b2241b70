"""A plain OPTIONS request (no CORS preflight headers), or any other method with an empty
body, to any DRF endpoint never answers 500.

DRF's default metadata built each view's serializer to describe its body; our views validate
bodies by hand, so schemathesis found OPTIONS 500s on the Minolith views. Every DRF route is
walked from the URL resolver, with each family's credential, so a new view is covered too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from tests.conftest import bearer_client, session_client


def api_routes() -> Iterator[tuple[str, list[str]]]:
    def walk(patterns: list, prefix: str) -> Iterator[tuple[str, list[str]]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                view_class = getattr(entry.callback, "cls", None)
                if view_class is not None and issubclass(view_class, APIView):
                    yield prefix + str(entry.pattern), list(entry.pattern.converters)

    return walk(get_resolver().url_patterns, "/")


def concrete(route: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        route = route.replace(f"<str:{name}>", value).replace(f"<{name}>", value)
    return route.replace("^", "").replace("$", "")


ROUTES = sorted({route for route, _ in api_routes()})


def test_every_family_has_routes_under_test():
    joined = " ".join(ROUTES)
    for path in ("api/v1/sites", "api-tokens", "v1/reports", "v1/feedback/items", "v1/feedback"):
        assert path in joined


@pytest.mark.parametrize("route", ROUTES)
def test_any_method_without_a_body_never_answers_500(
    route, workspace, project, owner, gf_token, wk_sk_key, mlth_key
):
    path = concrete(
        route,
        {
            "ws": workspace.pk,
            "workspace_id": workspace.pk,
            "pk": project.pk,
            "id": project.pk,
            "project_id": project.pk,
            "site_id": project.pk,
            "item_id": "fbk_000000000000",
            "token_id": "1",
            "slug": project.slug,
        },
    )
    clients = [
        bearer_client(gf_token.raw),
        bearer_client(wk_sk_key.raw),
        bearer_client(mlth_key.raw),
        session_client(owner, workspace),
    ]
    for client in clients:
        for method in ("options", "get", "post", "put", "patch", "delete"):
            response = getattr(client, method)(path)
            assert response.status_code < 500, (method, path, response.status_code)
