"""Site-wide pages and links config/ owns: the favicon, the 404 and 500 pages, and the public
base URL that follows the served address when SITE_URL is unset."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from config.views import internal_error


def test_favicon_ico_is_served_with_a_day_of_caching(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content.startswith(b"\x00\x00\x01\x00")  # ICO header, one image
    assert "max-age=86400" in response["Cache-Control"]


def test_pages_link_the_svg_favicon_which_is_served(client, db):
    page = client.get("/accounts/login/")
    assert b'<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.content
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)


def test_unknown_page_is_the_html_404(client, db):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"<h1>Not found</h1>" in response.content


def test_server_error_page_is_plain_html_that_needs_no_context(db):
    response = internal_error(RequestFactory().get("/w/abc/projects/"))
    assert response.status_code == 500
    assert b"<h1>Something went wrong</h1>" in response.content
    assert b"/static/" not in response.content  # no storage lookup: it may be what failed


def test_server_error_on_an_api_path_is_the_familys_json(db):
    response = internal_error(RequestFactory().get("/api/v1/sites"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("site_url", "host", "base"),
    [
        ("", "127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("", "localhost:9000", "http://localhost:9000"),
        ("https://feedback.example.com", "127.0.0.1:8765", "https://feedback.example.com"),
    ],
)
def test_snippets_follow_the_served_address_unless_site_url_is_set(
    client, project, settings, site_url, host, base
):
    settings.SITE_URL = site_url
    page = client.get(f"/widget/demo/?project={project.slug}", HTTP_HOST=host)
    assert page.status_code == 200
    assert f'&lt;script src="{base}/widget/feedback.js"'.encode() in page.content


def test_a_host_outside_allowed_hosts_never_reaches_a_snippet(client, project, settings):
    settings.SITE_URL = ""
    page = client.get(f"/widget/demo/?project={project.slug}", HTTP_HOST="evil.example")
    assert page.status_code == 400
    assert b"evil.example" not in page.content
