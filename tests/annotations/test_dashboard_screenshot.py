"""The annotation page's images: the screenshot with the element's box drawn on it, and the
resolutions' before/after images, through short-lived signed URLs, for members only."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from annotations.models import Upload, UploadKind
from annotations.views import screenshot_box
from config.ids import hex32
from tests.annotations.factories import AnnotationFactory, ResolutionFactory
from tests.dashboard.helpers import signed_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored(project, kind: str, annotation=None) -> str:
    """An uploaded image's key, as the upload flow leaves it (row + file)."""
    key = f"gf/{project.pk}/{kind}/{hex32()}.png"
    storages["default"].save(key, ContentFile(PNG))
    now = timezone.now()
    Upload.objects.create(
        project=project,
        annotation=annotation,
        kind=kind,
        key=key,
        content_type="image/png",
        expires_at=now + timedelta(minutes=10),
        uploaded_at=now,
        attached_at=now,
        size=len(PNG),
    )
    return key


def page(workspace, annotation) -> str:
    return f"/w/{workspace.pk}/annotations/{annotation.pk}/"


def html_of(response) -> str:
    assert response.status_code == 200, response.content[:800]
    return response.content.decode()


def signed_srcs(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', html)


@pytest.fixture
def shot(project):
    annotation = AnnotationFactory.create(
        project=project,
        element={"tag": "button", "rect": {"x": 341.5, "y": 192, "width": 136.6, "height": 76.8}},
        viewport={"width": 1366, "height": 768, "device_pixel_ratio": 2},
    )
    annotation.screenshot_key = stored(project, UploadKind.SCREENSHOT, annotation)
    annotation.save()
    return annotation


# --- Where the box goes ----------------------------------------------------------------------
def test_box_is_placed_in_percent_of_the_viewport_whatever_the_pixel_ratio():
    element = {"rect": {"x": 341.5, "y": 192, "width": 136.6, "height": 76.8}}

    at_1x = screenshot_box(element, {"width": 1366, "height": 768, "device_pixel_ratio": 1})
    at_2x = screenshot_box(element, {"width": 1366, "height": 768, "device_pixel_ratio": 2})

    assert at_1x == at_2x
    assert at_1x == {
        "left": "25.0000%",
        "top": "25.0000%",
        "width": "10.0000%",
        "height": "10.0000%",
        "image_width": "1366",
        "image_height": "768",
        "clipped": "",
    }


def test_box_partly_outside_the_viewport_is_clipped_to_it():
    box = screenshot_box(
        {"rect": {"x": -50, "y": 700, "width": 100, "height": 100}}, {"width": 1000, "height": 800}
    )

    assert box is not None
    assert (box["left"], box["top"], box["width"], box["height"]) == (
        "0.0000%",
        "87.5000%",
        "5.0000%",
        "12.5000%",
    )
    assert box["clipped"] == "yes"


@pytest.mark.parametrize(
    ("element", "viewport"),
    [
        ({}, {"width": 1000, "height": 800}),
        ({"rect": {"x": 10, "y": 10, "width": 5, "height": 5}}, {}),
        ({"rect": {"x": "10", "y": 10, "width": 5, "height": 5}}, {"width": 1000, "height": 800}),
        ({"rect": {"x": True, "y": 10, "width": 5, "height": 5}}, {"width": 1000, "height": 800}),
        ({"rect": {"x": 10, "y": 10, "width": 5, "height": 5}}, {"width": 0, "height": 800}),
        ({"rect": {"x": 2000, "y": 10, "width": 5, "height": 5}}, {"width": 1000, "height": 800}),
        ({"rect": {"x": 10, "y": 10, "width": 0, "height": 5}}, {"width": 1000, "height": 800}),
        ({"rect": {"x": 1e309, "y": 10, "width": 5, "height": 5}}, {"width": 1000, "height": 800}),
        ("not a dict", {"width": 1000, "height": 800}),
    ],
)
def test_box_that_cannot_be_placed_is_not_drawn(element, viewport):
    assert screenshot_box(element, viewport) is None


# --- The screenshot on the page --------------------------------------------------------------
def test_member_sees_the_screenshot_with_the_box_drawn(member, workspace, shot, client):
    html = html_of(signed_in(member).get(page(workspace, shot)))

    assert 'id="screenshot-image"' in html
    assert 'width="1366" height="768"' in html
    assert (
        'style="left: 25.0000%; top: 25.0000%; width: 10.0000%; height: 10.0000%;"'
        in html[html.index('id="screenshot-box"') :]
    )
    src = html[html.index('id="screenshot"') :]
    url = signed_srcs(src)[0].replace("&amp;", "&")
    assert urlsplit(url).path == f"/api/v1/uploads/{shot.screenshot_key}"
    parts = urlsplit(url)
    image = client.get(f"{parts.path}?{parts.query}")  # no session needed: the link is signed
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == PNG


def test_guest_gets_a_note_and_no_link_to_the_screenshot(guest, workspace, shot):
    html = html_of(signed_in(guest).get(page(workspace, shot)))

    assert 'id="screenshot-members-only"' in html
    assert "/api/v1/uploads/" not in html
    assert shot.screenshot_key not in html


def test_annotation_without_a_screenshot_says_so(member, workspace, project):
    annotation = AnnotationFactory.create(project=project)

    html = html_of(signed_in(member).get(page(workspace, annotation)))

    assert "No screenshot was captured" in html
    assert 'id="screenshot-box"' not in html


def test_screenshot_without_a_placeable_box_is_shown_without_one(member, workspace, shot):
    shot.viewport = {}
    shot.save()

    html = html_of(signed_in(member).get(page(workspace, shot)))

    assert 'id="screenshot-image"' in html
    assert 'id="screenshot-box"' not in html


# --- Resolutions: before/after ---------------------------------------------------------------
@pytest.fixture
def resolved(project):
    annotation = AnnotationFactory.create(project=project)
    ResolutionFactory.create(
        annotation=annotation,
        before_key=stored(project, UploadKind.BEFORE, annotation),
        after_key=stored(project, UploadKind.AFTER, annotation),
    )
    return annotation


def test_member_sees_before_and_after_side_by_side(member, workspace, resolved, client):
    html = html_of(signed_in(member).get(page(workspace, resolved)))

    pair = html[html.index('class="before-after"') :]
    assert pair.index("ba-before") < pair.index("ba-after")
    resolution = resolved.resolutions.get()
    urls = [u.replace("&amp;", "&") for u in signed_srcs(pair)[:2]]
    assert [urlsplit(u).path for u in urls] == [
        f"/api/v1/uploads/{resolution.before_key}",
        f"/api/v1/uploads/{resolution.after_key}",
    ]
    for url in urls:
        parts = urlsplit(url)
        assert client.get(f"{parts.path}?{parts.query}").status_code == 200


def test_guest_sees_no_before_and_after_images(guest, workspace, resolved):
    html = html_of(signed_in(guest).get(page(workspace, resolved)))

    assert "Before/after images are shown to members only." in html
    assert "/api/v1/uploads/" not in html


def test_tampered_image_link_is_refused(member, workspace, shot, client):
    html = html_of(signed_in(member).get(page(workspace, shot)))
    url = signed_srcs(html[html.index('id="screenshot"') :])[0].replace("&amp;", "&")
    parts = urlsplit(url)

    assert client.get(f"{parts.path}?{parts.query[:-2]}00").status_code == 403


# --- Escaping --------------------------------------------------------------------------------
def test_hostile_captured_text_next_to_the_screenshot_is_escaped(member, workspace, project):
    annotation = AnnotationFactory.create(
        project=project,
        body=HOSTILE,
        selector='"><img src=x onerror=alert(1)>',
        page_url="javascript:alert(document.cookie)",
        element={
            "tag": HOSTILE,
            "href": "javascript:alert(1)",
            "rect": {"x": "1%; background:url(javascript:alert(1))", "y": 1, "width": 1},
        },
        viewport={"width": HOSTILE, "height": 768},
        styles={"background-image": "url(javascript:alert(1))", HOSTILE: HOSTILE},
    )
    annotation.screenshot_key = stored(project, UploadKind.SCREENSHOT, annotation)
    annotation.save()
    ResolutionFactory.create(
        annotation=annotation, diff_url="javascript:alert(1)", explanation=HOSTILE
    )

    html = html_of(signed_in(member).get(page(workspace, annotation)))

    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert 'src="javascript:' not in html
    assert 'id="screenshot-box"' not in html  # a string where a number belongs: no box
