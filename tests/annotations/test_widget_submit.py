"""``POST /api/widget/sites/{site_id}/annotations``: the widget token, the documented body
and its limits (422 naming the field, nothing stored), auto-fix consent, the submitter
secret, Idempotency-Key replay, the per-IP 429 and the audit row."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.audit import Actor
from accounts.models import AuditLog
from annotations.models import Annotation, AutoFixDefault, Stakeholder
from config.ids import secret_digest
from projects.services import project_rotate_widget_token
from tests.annotations.factories import StakeholderFactory
from tests.config.helpers import CLOSED_REDIS, assert_gf_401

ELEMENT = {
    "tag": "button",
    "text": "Pay now",
    "id": "pay-now",
    "classes": ["btn", "btn-primary"],
    "role": "button",
    "aria-label": "Pay now",
    "rect": {"x": 40, "y": 300.5, "width": 120, "height": 32},
}
STYLES = {"color": "rgb(119, 119, 119)", "background-color": "rgb(255, 255, 255)",
          "font-size": "14px", "z-index": "auto"}  # fmt: skip
VIEWPORT = {"width": 1366, "height": 768, "device_pixel_ratio": 2, "scroll_x": 0, "scroll_y": 120}
BODY: dict[str, Any] = {
    "body": "The Pay button is hard to read.",
    "page_url": "https://shop.example.com/checkout",
    "selector": "#pay-now",
    "kind": "design",
    "element": ELEMENT,
    "styles": STYLES,
    "viewport": VIEWPORT,
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
}
ANNOTATION_KEYS = {
    "id", "site_id", "kind", "status", "body", "page_url", "selector", "element", "styles",
    "viewport", "user_agent", "screenshot_key", "submitter_kind", "submitter_name",
    "submitter_email", "auto_fix", "channel", "created_at", "updated_at", "submitter_secret",
}  # fmt: skip


def url(project) -> str:
    return f"/api/widget/sites/{project.pk}/annotations"


def submit(client, project, body=None, token=None, **headers):
    return client.post(
        url(project),
        BODY if body is None else body,
        format="json",
        HTTP_X_GF_WIDGET_TOKEN=project.widget_token if token is None else token,
        **headers,
    )


def test_widget_submission_is_201_with_the_annotation_and_a_secret(api_client, project):
    response = submit(api_client, project)

    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == ANNOTATION_KEYS
    assert data == {
        **BODY,
        "id": data["id"],
        "site_id": project.pk,
        "status": "new",
        "screenshot_key": None,
        "submitter_kind": "anonymous",
        "submitter_name": None,
        "submitter_email": None,
        "auto_fix": False,
        "channel": "widget",
        "created_at": data["created_at"],
        "updated_at": data["created_at"],
        "submitter_secret": data["submitter_secret"],
    }
    assert data["submitter_secret"].startswith("gfss_")
    assert response["Cache-Control"] == "no-store"
    row = Annotation.objects.get()
    assert (row.pk, row.project, row.element, row.styles) == (data["id"], project, ELEMENT, STYLES)
    # Only the digest is stored.
    assert row.submitter_secret_hash == secret_digest(data["submitter_secret"])
    assert data["submitter_secret"] not in str(Annotation.objects.values().get())


def test_widget_submission_triages_the_comment_without_changing_the_response(api_client, project):
    from triage.engine import triage

    body = {**BODY, "body": "The Pay button does nothing, checkout is broken!"}
    data = submit(api_client, project, body=body).json()

    assert set(data) == ANNOTATION_KEYS  # the documented shape: triage adds no key
    row = Annotation.objects.get(pk=data["id"])
    expected = triage(body["body"], page=body["page_url"])
    assert (row.category, row.sentiment, row.impact_score, row.triage_language) == (
        expected.category,
        expected.sentiment,
        expected.impact_score,
        "en",
    )
    assert (row.category, row.triage_engine) == ("bug", "builtin")
    assert row.triage_similar_key == "bug|/checkout"


def test_widget_submission_writes_an_audit_row_for_the_widget_actor(api_client, project):
    data = submit(api_client, project).json()

    audit = AuditLog.objects.get(action="annotation.create")
    assert (audit.actor_id, audit.workspace, audit.target_id) == (
        f"widget:{project.pk}",
        project.workspace,
        data["id"],
    )
    assert audit.data["auto_fix"] is False


def test_widget_submission_takes_the_minimal_body_and_defaults(api_client, project):
    response = submit(
        api_client, project, {"body": "hi", "page_url": "http://localhost:8000/"},
        HTTP_USER_AGENT="curl/8.0",
    )  # fmt: skip

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["kind"], data["selector"], data["element"], data["user_agent"]) == (
        "comment",
        None,
        {},
        "curl/8.0",
    )


def test_widget_submission_normalises_aliases_and_drops_undocumented_keys(api_client, project):
    body = {
        **BODY,
        "element": {"tagName": "a", "aria_label": "Home", "href": "https://x.example/",
                    "x": 1, "y": 2, "width": 3, "height": 4, "onclick": "evil()"},
        "styles": {"backgroundColor": "red", "fontSize": 12, "--secret": "x", "content": "y"},
        "viewport": {"width": 800, "height": 600, "devicePixelRatio": 1.5, "scrollY": 10,
                     "extra": 1},
        "workspace": "someone-else", "status": "resolved", "auto_fix": True,
    }  # fmt: skip

    data = submit(api_client, project, body).json()

    assert data["element"] == {
        "tag": "a",
        "aria-label": "Home",
        "href": "https://x.example/",
        "rect": {"x": 1, "y": 2, "width": 3, "height": 4},
    }
    assert data["styles"] == {"background-color": "red", "font-size": "12"}
    assert data["viewport"] == {
        "width": 800,
        "height": 600,
        "device_pixel_ratio": 1.5,
        "scroll_y": 10,
    }
    assert (data["status"], data["auto_fix"]) == ("new", False)


def test_long_element_text_is_cut_to_the_documented_snippet(api_client, project):
    body = {**BODY, "element": {"tag": "p", "text": "x" * 5000}}

    data = submit(api_client, project, body).json()

    assert data["element"]["text"] == "x" * 500


# --- 401 ---------------------------------------------------------------------------------
def test_missing_widget_token_is_401_and_stores_nothing(api_client, project):
    response = api_client.post(url(project), BODY, format="json")

    assert_gf_401(response, "Missing X-GF-Widget-Token header.")
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("token", ["gfwt_" + "0" * 48, "nonsense", "Bearer x"])
def test_unknown_widget_token_is_401(api_client, project, token):
    response = submit(api_client, project, token=token)

    assert_gf_401(response, "Invalid widget token for this site.")
    assert not Annotation.objects.exists()


def test_rotated_widget_token_is_refused_and_the_new_one_works(api_client, project, owner):
    old = project.widget_token
    new = project_rotate_widget_token(project=project, actor=Actor.for_user(owner))

    assert_gf_401(submit(api_client, project, token=old), "Invalid widget token for this site.")
    assert not Annotation.objects.exists()
    assert submit(api_client, project, token=new).status_code == 201


def test_another_sites_widget_token_is_401(api_client, project, other_project):
    response = submit(api_client, project, token=other_project.widget_token)

    assert_gf_401(response, "Invalid widget token for this site.")


@pytest.mark.parametrize("site_id", ["0" * 32, "not-an-id", "%00"])
def test_unknown_site_is_401_like_a_wrong_token(api_client, project, site_id):
    response = api_client.post(
        f"/api/widget/sites/{site_id}/annotations",
        BODY,
        format="json",
        HTTP_X_GF_WIDGET_TOKEN=project.widget_token,
    )

    assert response.status_code in {401, 404}
    assert not Annotation.objects.exists()


def test_deleted_workspace_widget_token_is_401(api_client, project):
    from django.utils import timezone

    project.workspace.deleted_at = timezone.now()
    project.workspace.save(update_fields=["deleted_at"])

    assert_gf_401(submit(api_client, project), "Invalid widget token for this site.")


def test_api_token_cannot_stand_in_for_the_widget_token(gf_client, project):
    response = gf_client.post(url(project), BODY, format="json")

    assert_gf_401(response, "Missing X-GF-Widget-Token header.")


# --- 422: limits, nothing stored ---------------------------------------------------------
def detail(field: str, message: str) -> dict:
    loc = ["body", *field.split(".")] if field != "body" else ["body"]
    return {"loc": loc, "msg": message, "type": "validation_error"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"body": None}, "body", "body is required."),
        ({"body": "   "}, "body", "body must not be blank."),
        ({"body": "x" * 10_001}, "body",
         "body must be at most 10,000 characters (got 10,001)."),
        ({"body": 5}, "body", "body must be a string."),
        ({"page_url": None}, "page_url", "page_url is required."),
        ({"page_url": "https://x.example/" + "p" * 2000}, "page_url",
         "page_url must be at most 2,000 characters (got 2,018)."),
        ({"page_url": "javascript:alert(1)"}, "page_url",
         "page_url must be an absolute http(s) URL."),
        ({"selector": "a" * 2001}, "selector",
         "selector must be at most 2,000 characters (got 2,001)."),
        ({"kind": "rant"}, "kind", "kind must be one of: comment, bug, idea, copy, design."),
        ({"element": []}, "element", "element must be an object."),
        ({"element": {"tag": "a" * 65}}, "element.tag",
         "element.tag must be at most 64 characters (got 65)."),
        ({"element": {"classes": [1]}}, "element.classes",
         "element.classes must be a list of strings."),
        ({"element": {"rect": {"x": "1"}}}, "element.rect.x", "element.rect.x must be a number."),
        ({"styles": {"color": "x" * 501}}, "styles.color",
         "styles.color must be at most 500 characters."),
        ({"styles": {"color": ["red"]}}, "styles.color", "styles.color must be a string."),
        ({"viewport": {"width": -1}}, "viewport.width",
         "viewport.width must be between 0 and 1e+07."),
        ({"viewport": {"device_pixel_ratio": True}}, "viewport.device_pixel_ratio",
         "viewport.device_pixel_ratio must be a number."),
        ({"user_agent": "u" * 513}, "user_agent",
         "user_agent must be at most 512 characters (got 513)."),
        ({"submitter_email": "not-an-email"}, "submitter_email",
         "submitter_email is not a valid email address."),
        ({"submitter_email": "a" * 250 + "@x.io"}, "submitter_email",
         "submitter_email must be at most 254 characters (got 255)."),
        ({"submitter_name": "n" * 201}, "submitter_name",
         "submitter_name must be at most 200 characters (got 201)."),
        ({"auto_fix": "yes"}, "auto_fix", "auto_fix must be true or false."),
        ({"screenshot_key": "k" * 256}, "screenshot_key",
         "screenshot_key must be at most 255 characters (got 256)."),
    ],
)  # fmt: skip
def test_field_limits_are_422_naming_the_field_and_store_nothing(
    api_client, project, change, field, message
):
    body = {**BODY, **change}
    body = {k: v for k, v in body.items() if v is not None}

    response = submit(api_client, project, body)

    assert response.status_code == 422, response.content
    assert response.json() == {"detail": [detail(field, message)]}
    assert not Annotation.objects.exists()
    assert not AuditLog.objects.filter(action="annotation.create").exists()


def test_every_bad_field_is_named_in_one_422(api_client, project):
    response = submit(api_client, project, {"body": "", "kind": "x", "page_url": "ftp://x"})

    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [
        ["body"],
        ["body", "page_url"],
        ["body", "kind"],
    ]


@pytest.mark.parametrize("body", [[], "text", 3])
def test_a_body_that_is_not_an_object_is_422(api_client, project, body):
    response = submit(api_client, project, body)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [detail("body", "The request body must be a JSON object.")]
    }


def test_invalid_json_is_400_and_stores_nothing(api_client, project):
    response = api_client.post(
        url(project), "{nope", content_type="application/json",
        HTTP_X_GF_WIDGET_TOKEN=project.widget_token,
    )  # fmt: skip

    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Annotation.objects.exists()


def test_a_screenshot_key_that_was_never_minted_is_422(api_client, project):
    response = submit(api_client, project, {**BODY, "screenshot_key": "gf/nope.png"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "screenshot_key"]
    assert not Annotation.objects.exists()


# --- auto-fix consent ----------------------------------------------------------------------
@pytest.mark.parametrize("sent", [True, False, None])
def test_anonymous_submitters_always_land_auto_fix_false(api_client, project, sent):
    body = {**BODY, "auto_fix": sent} if sent is not None else BODY

    data = submit(api_client, project, body).json()

    assert (data["auto_fix"], data["submitter_kind"]) == (False, "anonymous")


@pytest.mark.parametrize(
    ("default", "sent", "expected"),
    [
        (AutoFixDefault.NEVER, True, False),
        (AutoFixDefault.NEVER, None, False),
        (AutoFixDefault.OPTIONAL_OFF, True, True),
        (AutoFixDefault.OPTIONAL_OFF, False, False),
        (AutoFixDefault.OPTIONAL_OFF, None, False),
        (AutoFixDefault.OPTIONAL_ON, True, True),
        (AutoFixDefault.OPTIONAL_ON, False, False),
        (AutoFixDefault.OPTIONAL_ON, None, True),
    ],
)
def test_stakeholder_auto_fix_follows_its_default(api_client, project, default, sent, expected):
    stakeholder = StakeholderFactory.create(project=project, auto_fix_default=default)
    body = {**BODY, "stakeholder_token": stakeholder.token}
    if sent is not None:
        body["auto_fix"] = sent

    data = submit(api_client, project, body).json()

    assert (data["auto_fix"], data["submitter_kind"]) == (expected, "stakeholder")
    row = Annotation.objects.get()
    assert row.stakeholder == stakeholder
    stakeholder.refresh_from_db()
    assert stakeholder.last_seen_at is not None


def test_stakeholder_submission_carries_its_name_and_email(api_client, project):
    stakeholder = StakeholderFactory.create(
        project=project, name="Dana", email="dana@example.com",
        auto_fix_default=AutoFixDefault.OPTIONAL_ON,
    )  # fmt: skip

    data = submit(api_client, project, {**BODY, "stakeholder_token": stakeholder.token}).json()

    assert (data["submitter_name"], data["submitter_email"]) == ("Dana", "dana@example.com")


def test_revoked_stakeholder_token_lands_anonymous_at_once(api_client, project):
    stakeholder = StakeholderFactory.create(
        project=project, auto_fix_default=AutoFixDefault.OPTIONAL_ON
    )
    body = {**BODY, "stakeholder_token": stakeholder.token, "auto_fix": True}
    assert submit(api_client, project, body).json()["auto_fix"] is True
    from django.utils import timezone

    Stakeholder.objects.filter(pk=stakeholder.pk).update(revoked_at=timezone.now())

    data = submit(api_client, project, body).json()

    assert (data["auto_fix"], data["submitter_kind"]) == (False, "anonymous")


def test_another_sites_stakeholder_token_gives_no_auto_fix(api_client, project, other_project):
    stakeholder = StakeholderFactory.create(
        project=other_project, auto_fix_default=AutoFixDefault.OPTIONAL_ON
    )

    body = {**BODY, "stakeholder_token": stakeholder.token, "auto_fix": True}
    data = submit(api_client, project, body).json()

    assert (data["auto_fix"], data["submitter_kind"]) == (False, "anonymous")


# --- Idempotency-Key ---------------------------------------------------------------------
def test_idempotency_key_replays_the_same_answer_and_stores_nothing_new(api_client, project):
    first = submit(api_client, project, HTTP_IDEMPOTENCY_KEY="k-1")
    again = submit(api_client, project, HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Annotation.objects.count() == 1
    assert AuditLog.objects.filter(action="annotation.create").count() == 1


def test_idempotency_key_with_another_body_is_422(api_client, project):
    submit(api_client, project, HTTP_IDEMPOTENCY_KEY="k-2")

    response = submit(api_client, project, {**BODY, "body": "other"}, HTTP_IDEMPOTENCY_KEY="k-2")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "This Idempotency-Key was already used with a different request body."
    }
    assert Annotation.objects.count() == 1


# --- per-IP limit --------------------------------------------------------------------------
def test_per_ip_limit_is_429_with_reason_and_retry_after(api_client, project, settings):
    settings.RATE_GREATFEEDBACK_WIDGET_PER_IP = "3/60s"
    for _ in range(3):
        assert submit(api_client, project).status_code == 201

    response = submit(api_client, project)

    assert response.status_code == 429
    assert response.json() == {
        "detail": "Rate limit exceeded: 3 requests per 60 seconds per IP address."
    }
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Annotation.objects.count() == 3
    # Another address still gets through.
    assert submit(api_client, project, REMOTE_ADDR="10.0.0.9").status_code == 201


def test_default_per_ip_limit_is_the_documented_30_per_60_seconds(api_client, project):
    codes = [submit(api_client, project, {"body": "b", "page_url": "https://x.example/"})
             .status_code for _ in range(31)]  # fmt: skip

    assert codes == [201] * 30 + [429]


def test_rate_limit_cache_outage_fails_closed_with_503(api_client, project, settings):
    settings.CACHES = CLOSED_REDIS

    response = submit(api_client, project)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert not Annotation.objects.exists()
