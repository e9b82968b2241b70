"""``/widget/annotate.js``: served as JavaScript with the feedback widget's caching headers,
ETag, versioned and exact-content URLs, under the 15 KB gzip budget (the screenshot library
is not part of it), never writing HTML from strings or defining globals; the vendored
screenshot module it imports lazily; and its demo page."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings

from annotations.widget_assets import SCREENSHOT_VERSION, annotate_asset

WIDGET = Path(settings.BASE_DIR) / "static" / "widgets" / "annotate.js"
VENDOR = Path(settings.BASE_DIR) / "static" / "vendor" / f"modern-screenshot-{SCREENSHOT_VERSION}"
MODULE_URL = f"/widget/vendor/modern-screenshot-{SCREENSHOT_VERSION}.mjs"


def gzip_size() -> int:
    return len(gzip.compress(WIDGET.read_bytes(), compresslevel=9))


def test_annotate_js_is_under_the_15_kb_gzip_budget_without_the_screenshot_library():
    size = gzip_size()

    assert size <= 15 * 1024, f"annotate.js is {size} bytes gzipped"
    # The screenshot library is imported at submit time, never bundled into the widget.
    source = WIDGET.read_text()
    assert "domToCanvas" in source  # it calls the library...
    assert "function domToCanvas" not in source  # ...which it does not contain
    assert "import(SHOT_MODULE)" in source
    assert f'"/widget/vendor/modern-screenshot-{SCREENSHOT_VERSION}.mjs"' in source


def test_annotate_js_never_writes_html_from_strings_nor_leaks_globals():
    source = WIDGET.read_text()

    for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function"]:  # fmt: skip
        assert sink not in source
    assert "attachShadow" in source
    assert "textContent" in source
    # One IIFE in strict mode; nothing is assigned onto window.
    assert source.lstrip().startswith("/*!")
    assert '(function () {\n  "use strict";' in source
    assert source.rstrip().endswith("})();")
    assert not re.search(r"\bwindow\.[A-Za-z_$]+\s*=(?!=)", source)


def test_the_vendored_screenshot_library_is_pinned_and_licensed():
    readme = (Path(settings.BASE_DIR) / "static" / "vendor" / "README").read_text()
    licence = (VENDOR / "LICENSE").read_text()

    assert (
        f"modern-screenshot-{SCREENSHOT_VERSION}/ | modern-screenshot | {SCREENSHOT_VERSION} | MIT"
        in readme
    )
    assert licence.startswith("The MIT License")
    assert "export { " in (VENDOR / "modern-screenshot.mjs").read_text()[-2000:]


def test_annotate_js_is_served_with_js_type_cache_headers_and_an_etag(client):
    response = client.get("/widget/annotate.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300, stale-while-revalidate=86400"
    assert re.fullmatch(r'"[0-9a-f]{16}"', response["ETag"])
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.content == WIDGET.read_bytes()
    assert "Accept-Encoding" in response["Vary"]


def test_annotate_js_answers_304_to_a_matching_etag_and_gzips_when_accepted(client):
    etag = client.get("/widget/annotate.js")["ETag"]

    assert client.get("/widget/annotate.js", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/widget/annotate.js", HTTP_IF_NONE_MATCH='"stale"').status_code == 200
    zipped = client.get("/widget/annotate.js", HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == WIDGET.read_bytes()
    assert len(zipped.content) == gzip_size()


def test_annotate_js_versioned_urls(client):
    digest = annotate_asset().digest

    major = client.get("/widget/annotate.v1.js")
    exact = client.get(f"/widget/annotate.{digest}.js")

    assert major.status_code == exact.status_code == 200
    assert major.content == exact.content == WIDGET.read_bytes()
    assert major["Cache-Control"] == "public, max-age=86400, stale-while-revalidate=604800"
    assert exact["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/widget/annotate.0123456789abcdef.js").status_code == 404


def test_annotate_js_and_the_screenshot_module_are_loadable_cross_origin(client):
    script = client.get("/widget/annotate.js", HTTP_ORIGIN="https://shop.example.com")
    module = client.get(MODULE_URL, HTTP_ORIGIN="https://shop.example.com")

    assert script["Access-Control-Allow-Origin"] in {"*", "https://shop.example.com"}
    # A cross-origin import() needs CORS, a JavaScript type, and may be cached for good.
    assert module.status_code == 200
    assert module["Access-Control-Allow-Origin"] in {"*", "https://shop.example.com"}
    assert module["Content-Type"] == "text/javascript; charset=utf-8"
    assert module["Cache-Control"] == "public, max-age=31536000, immutable"
    assert module.content == (VENDOR / "modern-screenshot.mjs").read_bytes()
    assert client.get("/widget/vendor/modern-screenshot-4.6.0.mjs").status_code == 404


def test_annotate_js_refuses_writes(client):
    assert client.post("/widget/annotate.js").status_code == 405
    assert client.post(MODULE_URL).status_code == 405


@pytest.mark.django_db
def test_demo_page_embeds_the_widget_for_a_matching_site_and_token(client, project):
    response = client.get(f"/widget/annotate-demo/?site={project.pk}&token={project.widget_token}")

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<script src="/widget/annotate.js" data-site="{project.pk}" '
        f'data-token="{project.widget_token}"></script>'
    ) in html
    assert f"Widget build <code>{annotate_asset().digest}</code>" in html


@pytest.mark.django_db
def test_demo_page_refuses_a_wrong_token_without_embedding_it(client, project, other_project):
    for query in [
        f"site={project.pk}&token={other_project.widget_token}",
        f"site={project.pk}&token=gfwt_wrong",
        f"site=nope&token={project.widget_token}",
    ]:
        html = client.get(f"/widget/annotate-demo/?{query}").content.decode()

        assert "data-token" not in html
        assert "do not match a site" in html
        assert project.widget_token not in html
        assert other_project.widget_token not in html


@pytest.mark.django_db
def test_demo_page_without_a_site_asks_for_the_pair_and_escapes_input(client, project):
    blank = client.get("/widget/annotate-demo/").content.decode()
    hostile = client.get("/widget/annotate-demo/?site=<script>x</script>&token=t").content.decode()

    assert 'name="site"' in blank
    assert 'name="token"' in blank
    assert "data-site" not in blank
    assert "<script>x</script>" not in hostile
    assert "&lt;script&gt;x&lt;/script&gt;" in hostile
