"""HMAC-signed keyset cursors: walk every page to next_cursor null, nothing repeated or
skipped; a tampered, foreign or garbage cursor is 400; no cursor is the first page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import signing

from accounts.models import ApiToken
from config.api.errors import ApiError
from config.api.pagination import keyset_paginate, read_cursor, sign_cursor
from projects.models import Project
from tests.config.helpers import csrf_client, tokens_url
from tests.factories import ProjectFactory, mint_token

TAMPERED = {"detail": "The cursor is invalid or was tampered with."}


def walk(client, url):
    """Every page of a greatfeedback list with limit=1; returns (ids, pages)."""
    ids, pages, cursor = [], 0, None
    while True:
        query = "limit=1" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= 1
        ids += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages
        assert pages < 50


def tamper(cursor: str) -> str:
    i = len(cursor) // 2
    return cursor[:i] + ("A" if cursor[i] != "A" else "B") + cursor[i + 1 :]


@pytest.fixture
def sites(workspace, project):
    same_moment = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    # Two sites created in the same microsecond: the id breaks the tie, nothing is lost.
    extra = [ProjectFactory.create(workspace=workspace, created_at=same_moment) for _ in range(2)]
    extra.append(ProjectFactory.create(workspace=workspace))
    return [project, *extra]


def test_walking_the_sites_list_visits_every_site_once(gf_client, sites):
    ids, pages = walk(gf_client, "/api/v1/sites")
    expected = list(
        Project.objects.filter(pk__in=[s.pk for s in sites])
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert ids == expected
    assert len(set(ids)) == 4
    assert pages == 4  # the last page (one item) already says next_cursor null


def test_walking_the_token_list_visits_every_token_once(owner, workspace):
    minted = [mint_token(workspace=workspace, created_by=owner)[0].pk for _ in range(4)]
    ids, _ = walk(csrf_client(owner), tokens_url(workspace))
    assert sorted(ids) == sorted(minted)
    assert ids == list(ApiToken.objects.values_list("pk", flat=True))  # -created_at, -id


def test_a_missing_cursor_is_the_first_page(gf_client, sites):
    first = gf_client.get("/api/v1/sites?limit=2").json()
    assert gf_client.get("/api/v1/sites?limit=2&cursor=").json() == first
    assert first["next_cursor"] is not None


def test_a_tampered_cursor_is_400_on_sites(gf_client, sites):
    cursor = gf_client.get("/api/v1/sites?limit=1").json()["next_cursor"]
    response = gf_client.get(f"/api/v1/sites?limit=1&cursor={tamper(cursor)}")
    assert response.status_code == 400
    assert response.json() == TAMPERED


def test_a_tampered_cursor_is_400_on_tokens(owner, workspace):
    for _ in range(2):
        mint_token(workspace=workspace, created_by=owner)
    client = csrf_client(owner)
    cursor = client.get(f"{tokens_url(workspace)}?limit=1").json()["next_cursor"]
    response = client.get(f"{tokens_url(workspace)}?limit=1&cursor={tamper(cursor)}")
    assert response.status_code == 400
    assert response.json() == TAMPERED


def test_a_cursor_from_another_list_is_400(owner, workspace, gf_client, sites):
    site_cursor = gf_client.get("/api/v1/sites?limit=1").json()["next_cursor"]
    response = csrf_client(owner).get(f"{tokens_url(workspace)}?cursor={site_cursor}")
    assert response.status_code == 400
    assert response.json() == TAMPERED


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "a:b:c",
        signing.dumps(["2026-01-01", "x"], salt="cursor:other"),  # signed, wrong salt
        signing.dumps(["only-one-value"], salt="cursor:gf:sites"),  # right salt, wrong shape
        signing.dumps({"dt": "not a date"}, salt="cursor:gf:sites"),
        signing.dumps([{"dt": "not a date"}, "x"], salt="cursor:gf:sites"),
    ],
)
def test_forged_or_garbage_cursors_are_400(gf_client, sites, cursor):
    response = gf_client.get("/api/v1/sites", {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert response.json() == TAMPERED


def test_cursors_round_trip_datetimes_and_reject_the_wrong_salt():
    moment = datetime(2026, 2, 20, 11, 6, 14, 123456, tzinfo=UTC)
    cursor = sign_cursor([moment, "abc"], salt="x")
    assert read_cursor(cursor, salt="x", arity=2) == [moment, "abc"]
    with pytest.raises(ApiError) as excinfo:
        read_cursor(cursor, salt="y", arity=2)
    assert (excinfo.value.status, excinfo.value.code) == (400, "invalid_cursor")


def test_keyset_paginate_ascending_order(workspace):
    rows = [ProjectFactory.create(workspace=workspace) for _ in range(3)]
    qs = Project.objects.filter(workspace=workspace)
    page = keyset_paginate(qs, cursor=None, limit=2, salt="t", descending=False)
    rest = keyset_paginate(qs, cursor=page.next_cursor, limit=2, salt="t", descending=False)
    assert [p.pk for p in page.items + rest.items] == [
        p.pk for p in sorted(rows, key=lambda p: (p.created_at, p.pk))
    ]
    assert page.has_more
    assert not rest.has_more
