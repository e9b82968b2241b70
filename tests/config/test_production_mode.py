"""Production mode without ``collectstatic``: a self-hoster's first ``runserver`` with DEBUG
off used to answer 500 on every page ("Missing staticfiles manifest entry"), unknown URLs
included. Each test talks HTTP to a real server in a subprocess (tests/config/
subprocess_server.py): DEBUG off, test mode off, a fresh var dir, nothing collected."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.config.subprocess_server import manage, prepare, runserver


@pytest.fixture(scope="module")
def uncollected(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("uncollected")
    credentials = prepare(var_dir)
    assert not (var_dir / "static" / "staticfiles.json").exists()
    with runserver(var_dir, credentials) as server:
        yield server


def test_sign_in_page_sets_its_csrf_cookie_and_a_dashboard_page_answers(uncollected):
    answer = uncollected.sign_in()
    assert answer.status == 200, answer.text[:2000]
    assert "sessionid" in {cookie.name for cookie in uncollected.cookies}
    workspace = uncollected.credentials["workspace_id"]
    page = uncollected.request(f"/w/{workspace}/projects/")
    assert page.status == 200, page.text[:2000]
    assert "Demo project" in page.text
    # Plain static names, served by whitenoise from the app directories.
    assert 'href="/static/dashboard/css/app.css"' in page.text
    css = uncollected.request("/static/dashboard/css/app.css")
    assert css.status == 200
    assert css.headers["Content-Type"].startswith("text/css")


def test_unknown_route_is_the_html_404_page(uncollected):
    answer = uncollected.request("/no/such/route")
    assert answer.status == 404
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<h1>Not found</h1>" in answer.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/v1/no/such/route",
            {"ok": False, "error": {"code": "not_found", "message": "Not found."}},
        ),
        ("/api/no/such/route", {"detail": "Not found."}),
    ],
)
def test_unknown_api_route_is_the_familys_json_404(uncollected, path, body):
    answer = uncollected.request(path)
    assert answer.status == 404
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json() == body


def test_api_docs_and_the_widget_script_answer(uncollected):
    docs = uncollected.request("/api/docs/")
    assert docs.status == 200
    assert "swagger-ui" in docs.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text):
        assert uncollected.request(asset).status == 200, asset
    widget = uncollected.request("/widget/feedback.js")
    assert widget.status == 200
    assert widget.headers["Content-Type"].startswith("text/javascript")
    assert "attachShadow" in widget.text


def test_missing_manifest_is_logged_once_with_the_command_to_run(uncollected):
    for _ in range(3):
        uncollected.request("/accounts/login/")
    log = uncollected.log.read_text()
    assert log.count("no staticfiles manifest found") == 1
    assert "python manage.py collectstatic --noinput" in log


def test_after_collectstatic_pages_use_hashed_names(tmp_path):
    credentials = prepare(tmp_path)
    manage(tmp_path, "collectstatic", "--noinput", "-v", "0")
    with runserver(tmp_path, credentials) as server:
        page = server.request("/accounts/login/")
        assert page.status == 200
        hashed = re.search(r'href="(/static/dashboard/css/app\.[0-9a-f]{12}\.css)"', page.text)
        assert hashed, page.text[:2000]
        css = server.request(hashed[1])
        assert css.status == 200
        assert "immutable" in css.headers["Cache-Control"]
        assert "staticfiles manifest" not in server.log.read_text()


def test_concurrent_health_checks_on_a_healthy_node_all_answer_200(uncollected):
    """Each check writes and reads its own cache key: with one shared key, concurrent
    checks overwrote each other's probe and a healthy node answered 503 under load."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: uncollected.request("/healthz"), range(120)))
    statuses = Counter(answer.status for answer in answers)
    assert statuses == {200: 120}, [a.json() for a in answers if a.status != 200][:3]


def test_snippets_show_the_served_address_when_site_url_is_unset(uncollected):
    slug = uncollected.credentials["project_slug"]
    page = uncollected.request(f"/widget/demo/?project={slug}")
    assert page.status == 200
    assert f'&lt;script src="{uncollected.url}/widget/feedback.js"' in page.text
