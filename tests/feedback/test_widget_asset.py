"""The widget script: served as JavaScript with caching headers, an ETag, a versioned and
an exact-content URL, under the 15 KB gzip budget, never writing HTML from strings; and
its demo page."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings

from feedback.widget import widget_asset

WIDGET = Path(settings.BASE_DIR) / "static" / "widgets" / "feedback.js"


def test_widget_is_under_the_15_kb_gzip_budget():
    size = len(gzip.compress(WIDGET.read_bytes(), compresslevel=9))

    assert size < 15 * 1024, f"feedback.js is {size} bytes gzipped"


def test_widget_never_writes_html_from_strings():
    source = WIDGET.read_text()

    for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("]:
        assert sink not in source
    assert "attachShadow" in source
    assert "textContent" in source


def test_widget_js_is_served_with_js_type_cache_headers_and_an_etag(client):
    response = client.get("/widget/feedback.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300, stale-while-revalidate=86400"
    assert re.fullmatch(r'"[0-9a-f]{16}"', response["ETag"])
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.content == WIDGET.read_bytes()
    assert "Accept-Encoding" in response["Vary"]


def test_widget_js_answers_304_to_a_matching_etag(client):
    etag = client.get("/widget/feedback.js")["ETag"]

    response = client.get("/widget/feedback.js", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert client.get("/widget/feedback.js", HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_widget_js_is_gzipped_for_clients_that_accept_it(client):
    response = client.get("/widget/feedback.js", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == WIDGET.read_bytes()
    assert response["ETag"].endswith('-gz"')


def test_widget_versioned_urls(client):
    digest = widget_asset().digest

    major = client.get("/widget/feedback.v1.js")
    exact = client.get(f"/widget/feedback.{digest}.js")

    assert major.status_code == exact.status_code == 200
    assert major.content == exact.content == WIDGET.read_bytes()
    assert major["Cache-Control"] == "public, max-age=86400, stale-while-revalidate=604800"
    assert exact["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/widget/feedback.0123456789abcdef.js").status_code == 404


def test_widget_js_is_loadable_cross_origin(client):
    response = client.get("/widget/feedback.js", HTTP_ORIGIN="https://shop.example.com")

    assert response["Access-Control-Allow-Origin"] in {"*", "https://shop.example.com"}


def test_widget_js_refuses_writes(client):
    assert client.post("/widget/feedback.js").status_code == 405


@pytest.mark.django_db
def test_demo_page_embeds_the_widget_for_the_given_project(client, project):
    response = client.get(f"/widget/demo/?project={project.slug}&position=top-left")

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<script src="/widget/feedback.js" data-project="storefront" data-position="top-left">'
        in html
    )


@pytest.mark.django_db
def test_demo_page_without_a_project_asks_anonymous_visitors_for_a_slug(client, project):
    html = client.get("/widget/demo/").content.decode()

    assert "data-project" not in html
    assert 'name="project"' in html
    assert "storefront" not in html  # no tenant's slug is shown to strangers


def test_demo_page_without_a_project_uses_the_signed_in_users_first_project(client, owner, project):
    client.force_login(owner)

    html = client.get("/widget/demo/").content.decode()

    assert 'data-project="storefront"' in html


@pytest.mark.django_db
def test_demo_page_escapes_an_unknown_slug(client):
    html = client.get("/widget/demo/?project=<script>x</script>").content.decode()

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "data-project" not in html
