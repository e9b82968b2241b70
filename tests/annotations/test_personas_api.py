"""greatfeedback personas API: the 60 seeded defaults, the documented order, custom personas,
edits, deletes, reset-defaults, roles, workspace scoping and Idempotency-Key."""

from __future__ import annotations

import pytest

from accounts.audit import Actor
from accounts.models import AuditLog
from accounts.services import workspace_create
from annotations.models import Persona
from annotations.personas.catalogue import load_defaults
from tests.annotations.factories import PersonaFactory
from tests.config.helpers import csrf_client
from tests.conftest import bearer_client
from tests.factories import UserFactory

MINE = "/api/personas/mine"
PERSONAS = "/api/personas"
RESET = "/api/personas/reset-defaults"
KEYS = {
    "id",
    "slug",
    "name",
    "category",
    "description",
    "instructions",
    "checks",
    "is_default",
    "created_at",
    "updated_at",
}


def all_items(client, url: str) -> list[dict]:
    items, cursor = [], None
    while True:
        response = client.get(url, {"limit": 200, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def expected_order(items: list[dict]) -> list[dict]:
    return sorted(
        items, key=lambda p: (p["category"], not p["is_default"], p["name"].lower(), p["id"])
    )


# --- seeding -------------------------------------------------------------------------------
def test_a_new_workspace_is_seeded_with_the_60_shipped_defaults(gf_client, workspace):
    items = all_items(gf_client, MINE)
    assert len(items) == 60
    assert all(p["is_default"] for p in items)
    assert {p["slug"] for p in items} == {d.slug for d in load_defaults()}
    assert set(items[0]) == KEYS
    assert "is_built_in" not in items[0]


def test_each_default_has_a_real_brief_and_checks(workspace):
    for persona in Persona.objects.filter(workspace=workspace):
        assert len(persona.description) > 40, persona.slug
        assert len(persona.instructions) > 150, persona.slug
    categories = set(Persona.objects.filter(workspace=workspace).values_list("category", flat=True))
    assert {
        "accessibility",
        "usability",
        "first-time-user",
        "mobile",
        "performance",
        "content",
        "visual-design",
        "conversion",
        "trust-privacy",
        "i18n",
        "developer-qa",
    } <= categories


def test_workspace_creation_rolls_back_its_personas_with_it(db):
    owner = UserFactory.create()
    workspace = workspace_create(owner=owner, name="Second")
    assert Persona.objects.filter(workspace=workspace, is_default=True).count() == 60


# --- listing -------------------------------------------------------------------------------
def test_mine_orders_by_category_then_defaults_first_then_name_case_insensitively(
    gf_client, workspace
):
    PersonaFactory.create(workspace=workspace, category="accessibility", name="aaron custom")
    PersonaFactory.create(workspace=workspace, category="accessibility", name="Zed custom")
    PersonaFactory.create(workspace=workspace, category="aaa-first", name="b custom")
    PersonaFactory.create(workspace=workspace, category="aaa-first", name="A custom")
    items = all_items(gf_client, MINE)
    assert len(items) == 64
    assert items == expected_order(items)
    assert [p["name"] for p in items[:2]] == ["A custom", "b custom"]
    accessibility = [p for p in items if p["category"] == "accessibility"]
    assert [p["is_default"] for p in accessibility][-2:] == [False, False]
    assert [p["name"] for p in accessibility][-2:] == ["aaron custom", "Zed custom"]


def test_mine_pages_with_the_greatfeedback_cursor_and_never_repeats(gf_client, workspace):
    first = gf_client.get(MINE, {"limit": 25}).json()
    assert len(first["items"]) == 25
    assert first["next_cursor"]
    seen = all_items(gf_client, MINE)
    paged, cursor = [], None
    while True:
        body = gf_client.get(MINE, {"limit": 7, **({"cursor": cursor} if cursor else {})}).json()
        paged += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert [p["id"] for p in paged] == [p["id"] for p in seen]


def test_a_tampered_cursor_is_a_400(gf_client, workspace):
    response = gf_client.get(MINE, {"cursor": "nonsense"})
    assert response.status_code == 400
    assert "detail" in response.json()


def test_category_lists_one_category_in_the_same_order(gf_client, workspace):
    PersonaFactory.create(workspace=workspace, category="mobile", name="aa custom")
    items = all_items(gf_client, "/api/personas/category/Mobile")
    assert {p["category"] for p in items} == {"mobile"}
    assert len(items) == 7
    assert items == expected_order(items)
    assert items[-1]["name"] == "aa custom"
    assert all_items(gf_client, "/api/personas/category/nothing-here") == []


def test_guests_can_read(gf_guest_token, workspace):
    client = bearer_client(gf_guest_token.raw)
    persona = Persona.objects.filter(workspace=workspace)[0]
    assert client.get(MINE).status_code == 200
    response = client.get(f"{PERSONAS}/{persona.pk}")
    assert response.status_code == 200
    assert response.json()["slug"] == persona.slug


def test_another_workspaces_persona_is_404_for_every_method(gf_client, other_workspace):
    foreign = Persona.objects.filter(workspace=other_workspace)[0]
    url = f"{PERSONAS}/{foreign.pk}"
    assert gf_client.get(url).status_code == 404
    assert gf_client.patch(url, {"name": "Mine now"}, format="json").status_code == 404
    assert gf_client.delete(url).status_code == 404
    assert gf_client.get(url).json() == {"detail": "Persona not found."}
    assert Persona.objects.get(pk=foreign.pk).name != "Mine now"


def test_the_legacy_built_in_endpoint_is_gone(gf_client, workspace):
    response = gf_client.get("/api/personas/built-in")
    assert response.status_code == 404


# --- create / edit / delete ----------------------------------------------------------------
def test_member_creates_a_custom_persona(gf_client, workspace):
    body = {
        "name": "Night-shift nurse",
        "category": "Usability",
        "description": "Uses the rota app at 3am on a dim phone.",
        "instructions": "Review for tired eyes and one free hand.",
        "checks": ["text_contrast", "target_size", "text_contrast"],
    }
    response = gf_client.post(PERSONAS, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["slug"] == "night-shift-nurse"
    assert created["category"] == "usability"
    assert created["is_default"] is False
    assert created["checks"] == ["text_contrast", "target_size"]
    assert Persona.objects.get(pk=created["id"], workspace=workspace).name == "Night-shift nurse"
    assert AuditLog.objects.filter(action="persona.create", target_id=created["id"]).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "usability"}, "name"),
        ({"name": "X"}, "category"),
        ({"name": "X", "category": "Not a slug!"}, "category"),
        ({"name": "X", "category": "ux", "checks": ["psychic"]}, "checks"),
        ({"name": "X", "category": "ux", "is_default": True}, "is_default"),
        ({"name": "X", "category": "ux", "slug": "Bad Slug"}, "slug"),
        ({"name": "x" * 121, "category": "ux"}, "name"),
    ],
)
def test_invalid_create_bodies_are_422_and_store_nothing(gf_client, workspace, body, field):
    before = Persona.objects.count()
    response = gf_client.post(PERSONAS, body, format="json")
    assert response.status_code == 422, response.content
    assert any(field in entry["loc"] for entry in response.json()["detail"])
    assert Persona.objects.count() == before


def test_a_non_object_body_is_422(gf_client, workspace):
    assert gf_client.post(PERSONAS, ["name"], format="json").status_code == 422


def test_a_slug_in_use_or_reserved_by_a_default_is_409(gf_client, workspace):
    body = {"name": "Tester", "category": "qa"}
    assert gf_client.post(PERSONAS, body, format="json").status_code == 201
    again = gf_client.post(PERSONAS, body, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "The slug 'tester' is already used in this workspace."}
    default = {"name": "Mine", "category": "qa", "slug": "screen-reader-user"}
    Persona.objects.filter(workspace=workspace, slug="screen-reader-user").delete()
    reserved = gf_client.post(PERSONAS, default, format="json")
    assert reserved.status_code == 409
    assert "reserved" in reserved.json()["detail"]


def test_idempotency_key_replays_a_create(gf_client, workspace):
    body = {"name": "Replay me", "category": "qa"}
    headers = {"HTTP_IDEMPOTENCY_KEY": "create-1"}
    first = gf_client.post(PERSONAS, body, format="json", **headers)
    second = gf_client.post(PERSONAS, body, format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Persona.objects.filter(workspace=workspace, slug="replay-me").count() == 1
    other = gf_client.post(PERSONAS, {**body, "name": "Other"}, format="json", **headers)
    assert other.status_code == 422


def test_member_edits_a_default_and_it_stays_a_default(gf_client, workspace):
    persona = Persona.objects.get(workspace=workspace, slug="low-vision-reader")
    response = gf_client.patch(
        f"{PERSONAS}/{persona.pk}",
        {"name": "Low-vision reader (ours)", "checks": ["text_contrast"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Low-vision reader (ours)"
    assert response.json()["is_default"] is True
    persona.refresh_from_db()
    assert persona.checks == ["text_contrast"]
    assert (
        gf_client.patch(f"{PERSONAS}/{persona.pk}", {"slug": "x"}, format="json").status_code == 422
    )


def test_member_deletes_a_default_or_a_custom(gf_client, workspace):
    default = Persona.objects.get(workspace=workspace, slug="power-user")
    custom = PersonaFactory.create(workspace=workspace)
    for persona in (default, custom):
        assert gf_client.delete(f"{PERSONAS}/{persona.pk}").status_code == 204
        assert not Persona.objects.filter(pk=persona.pk).exists()


def test_guest_writes_are_403_insufficient_role(gf_guest_token, workspace):
    client = bearer_client(gf_guest_token.raw)
    persona = Persona.objects.filter(workspace=workspace)[0]
    for response in (
        client.post(PERSONAS, {"name": "G", "category": "qa"}, format="json"),
        client.patch(f"{PERSONAS}/{persona.pk}", {"name": "G"}, format="json"),
        client.delete(f"{PERSONAS}/{persona.pk}"),
        client.post(RESET, {}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json() == {"detail": "Insufficient role"}
    assert Persona.objects.filter(workspace=workspace).count() == 60


# --- reset-defaults ------------------------------------------------------------------------
def test_reset_all_restores_edits_recreates_deleted_and_leaves_customs(gf_client, workspace):
    edited = Persona.objects.get(workspace=workspace, slug="form-filler")
    gf_client.patch(f"{PERSONAS}/{edited.pk}", {"name": "Changed"}, format="json")
    deleted = Persona.objects.get(workspace=workspace, slug="triage-lead")
    gf_client.delete(f"{PERSONAS}/{deleted.pk}")
    custom = gf_client.post(PERSONAS, {"name": "Keep me", "category": "qa"}, format="json").json()

    response = gf_client.post(RESET, {"slug": None}, format="json")
    assert response.status_code == 200
    assert response.json() == {"reset_count": 60}
    edited.refresh_from_db()
    assert edited.name == "Form filler"
    assert Persona.objects.filter(workspace=workspace, slug="triage-lead", is_default=True).exists()
    kept = Persona.objects.get(pk=custom["id"])
    assert (kept.name, kept.is_default) == ("Keep me", False)
    assert Persona.objects.filter(workspace=workspace).count() == 61
    assert AuditLog.objects.filter(action="persona.reset_defaults").count() == 1


def test_reset_one_slug_touches_only_that_default(gf_client, workspace):
    one = Persona.objects.get(workspace=workspace, slug="form-filler")
    two = Persona.objects.get(workspace=workspace, slug="power-user")
    for persona in (one, two):
        gf_client.patch(f"{PERSONAS}/{persona.pk}", {"description": "edited"}, format="json")
    response = gf_client.post(RESET, {"slug": "form-filler"}, format="json")
    assert response.json() == {"reset_count": 1}
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.description != "edited"
    assert two.description == "edited"


def test_reset_of_a_deleted_default_recreates_it(gf_client, workspace):
    Persona.objects.filter(workspace=workspace, slug="power-user").delete()
    assert gf_client.post(RESET, {"slug": "power-user"}, format="json").json() == {"reset_count": 1}
    assert Persona.objects.filter(workspace=workspace, slug="power-user").count() == 1


def test_reset_of_an_unknown_or_custom_slug_is_404(gf_client, workspace):
    PersonaFactory.create(workspace=workspace, slug="my-own")
    for slug in ("no-such-persona", "my-own"):
        response = gf_client.post(RESET, {"slug": slug}, format="json")
        assert response.status_code == 404
        assert slug in response.json()["detail"]


def test_reset_in_one_workspace_leaves_another_alone(gf_client, workspace, other_workspace):
    foreign = Persona.objects.get(workspace=other_workspace, slug="form-filler")
    Persona.objects.filter(pk=foreign.pk).update(name="Theirs")
    gf_client.post(RESET, {}, format="json")
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"


def test_session_callers_use_the_workspace_header(member, workspace):
    client = csrf_client(member, workspace)
    assert client.get(MINE).status_code == 200
    response = client.post(PERSONAS, {"name": "From session", "category": "qa"}, format="json")
    assert response.status_code == 201
    assert AuditLog.objects.filter(
        action="persona.create", actor_id=Actor.for_user(member).actor_id
    ).exists()
