"""``/api/widget/sites/{id}/stakeholders`` and ``.../{token}``: the documented roles (GET
GUEST, POST/PATCH/DELETE MEMBER), fields and defaults, auto_fix_default values (else 400),
revocation at once, cross-workspace 404, audit rows; and the widget's stakeholder-link
check."""

from __future__ import annotations

import pytest

from accounts.models import AuditLog
from annotations.models import Stakeholder
from tests.annotations.factories import StakeholderFactory
from tests.annotations.test_widget_submit import BODY, submit
from tests.config.helpers import assert_gf_401
from tests.conftest import bearer_client

STAKEHOLDER_KEYS = {"token", "name", "email", "auto_fix_default", "created_at", "last_seen_at"}


def stakeholders(project) -> str:
    return f"/api/widget/sites/{project.pk}/stakeholders"


def test_create_stakeholder_returns_its_token_and_defaults(gf_client, gf_token, project):
    response = gf_client.post(stakeholders(project), {}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data == {
        "token": data["token"],
        "name": None,
        "email": None,
        "auto_fix_default": "optional_off",
        "created_at": data["created_at"],
        "last_seen_at": None,
    }
    assert data["token"].startswith("gfst_")
    row = Stakeholder.objects.get()
    assert (row.project, row.token) == (project, data["token"])
    audit = AuditLog.objects.get(action="stakeholder.create")
    assert audit.actor_id == f"token:{gf_token.token.pk}"
    assert audit.target_id == row.pk


def test_create_stakeholder_with_every_field(gf_client, project):
    body = {"name": "Dana", "email": "dana@example.com", "auto_fix_default": "optional_on"}

    data = gf_client.post(stakeholders(project), body, format="json").json()

    assert {k: data[k] for k in body} == body


@pytest.mark.parametrize("value", ["always", "", None, 1, ["never"]])
def test_unknown_auto_fix_default_is_400_and_stores_nothing(gf_client, project, value):
    response = gf_client.post(stakeholders(project), {"auto_fix_default": value}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "auto_fix_default must be one of: never, optional_off, optional_on."
    }
    assert not Stakeholder.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "n" * 201}, "name"), ({"email": "nope"}, "email"), ({"name": 5}, "name")],
)
def test_bad_stakeholder_fields_are_422_naming_the_field(gf_client, project, body, field):
    response = gf_client.post(stakeholders(project), body, format="json")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert not Stakeholder.objects.exists()


def test_list_shows_active_stakeholders_with_tokens_newest_first(gf_guest_token, project):
    older = StakeholderFactory.create(project=project, name="Old")
    newer = StakeholderFactory.create(project=project, name="New")
    revoked = StakeholderFactory.create(project=project)
    from django.utils import timezone

    Stakeholder.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    StakeholderFactory.create()  # another workspace's site

    response = bearer_client(gf_guest_token.raw).get(stakeholders(project))

    assert response.status_code == 200
    data = response.json()
    assert data["next_cursor"] is None
    assert [i["token"] for i in data["items"]] == [newer.token, older.token]
    assert set(data["items"][0]) == STAKEHOLDER_KEYS


def test_list_pages_with_a_cursor(gf_client, project):
    for _ in range(3):
        StakeholderFactory.create(project=project)

    first = gf_client.get(stakeholders(project), {"limit": 2}).json()
    second = gf_client.get(stakeholders(project), {"limit": 2, "cursor": first["next_cursor"]})

    assert len(first["items"]) == 2
    assert len(second.json()["items"]) == 1
    assert second.json()["next_cursor"] is None


def test_patch_updates_the_fields_sent(gf_client, project):
    row = StakeholderFactory.create(project=project, name="Dana", auto_fix_default="never")

    response = gf_client.patch(
        f"{stakeholders(project)}/{row.token}", {"auto_fix_default": "optional_on"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["auto_fix_default"]) == (
        "Dana",
        "optional_on",
    )
    row.refresh_from_db()
    assert row.auto_fix_default == "optional_on"
    assert AuditLog.objects.filter(action="stakeholder.update", target_id=row.pk).exists()


def test_patch_with_unknown_auto_fix_default_is_400(gf_client, project):
    row = StakeholderFactory.create(project=project)

    response = gf_client.patch(
        f"{stakeholders(project)}/{row.token}", {"auto_fix_default": "yes"}, format="json"
    )

    assert response.status_code == 400
    row.refresh_from_db()
    assert row.auto_fix_default == "optional_off"


def test_delete_revokes_and_the_token_stops_giving_auto_fix_at_once(gf_client, api_client, project):
    row = StakeholderFactory.create(project=project, auto_fix_default="optional_on")
    body = {**BODY, "stakeholder_token": row.token, "auto_fix": True}
    assert submit(api_client, project, body).json()["auto_fix"] is True

    response = gf_client.delete(f"{stakeholders(project)}/{row.token}")

    assert response.status_code == 204
    assert submit(api_client, project, body).json()["auto_fix"] is False
    assert gf_client.delete(f"{stakeholders(project)}/{row.token}").status_code == 404
    assert (
        gf_client.patch(f"{stakeholders(project)}/{row.token}", {}, format="json").status_code
        == 404
    )
    assert row.token not in str(gf_client.get(stakeholders(project)).json())
    assert AuditLog.objects.filter(action="stakeholder.revoke").count() == 1


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("post", ""), ("patch", "/{token}"), ("delete", "/{token}")],
)
def test_guest_cannot_write_stakeholders(gf_guest_token, project, method, suffix):
    row = StakeholderFactory.create(project=project)
    path = stakeholders(project) + suffix.format(token=row.token)

    response = getattr(bearer_client(gf_guest_token.raw), method)(path, {}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Insufficient role"}
    assert Stakeholder.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_workspaces_site_is_404(gf_client, other_project, method):
    response = getattr(gf_client, method)(stakeholders(other_project), {}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Site not found."}
    assert not Stakeholder.objects.exists()


def test_other_sites_stakeholder_token_is_404(gf_client, project, workspace):
    from tests.factories import ProjectFactory

    sibling = ProjectFactory.create(workspace=workspace)
    row = StakeholderFactory.create(project=sibling)

    response = gf_client.delete(f"{stakeholders(project)}/{row.token}")

    assert response.status_code == 404


def test_stakeholders_need_a_credential(api_client, project):
    assert_gf_401(api_client.get(stakeholders(project)), "Missing bearer token.")


def test_widget_token_is_not_a_stakeholder_credential(api_client, project):
    response = api_client.get(stakeholders(project), HTTP_X_GF_WIDGET_TOKEN=project.widget_token)

    assert response.status_code == 401


def test_session_member_manages_stakeholders(member, workspace, project):
    from tests.config.helpers import csrf_client

    client = csrf_client(member, workspace)

    response = client.post(stakeholders(project), {"name": "Eve"}, format="json")

    assert response.status_code == 201
    assert AuditLog.objects.get(action="stakeholder.create").actor_id == f"user:{member.pk}"


# --- The widget's link check ---------------------------------------------------------------
def link(client, project, token):
    return client.post(
        f"/api/widget/sites/{project.pk}/stakeholder-link", {"token": token}, format="json",
        HTTP_X_GF_WIDGET_TOKEN=project.widget_token,
    )  # fmt: skip


def test_stakeholder_link_tells_the_widget_its_default_and_marks_it_seen(api_client, project):
    row = StakeholderFactory.create(project=project, name="Dana", auto_fix_default="optional_on")

    response = link(api_client, project, row.token)

    assert response.status_code == 200
    assert response.json() == {"name": "Dana", "auto_fix_default": "optional_on"}
    row.refresh_from_db()
    assert row.last_seen_at is not None


@pytest.mark.parametrize("token", ["gfst_" + "0" * 48, "", None, 5])
def test_unknown_stakeholder_link_is_404(api_client, project, token):
    response = link(api_client, project, token)

    assert response.status_code == 404
    assert response.json() == {"detail": "Stakeholder link not found or revoked."}
