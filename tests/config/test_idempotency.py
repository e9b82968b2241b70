"""Idempotency-Key replay on POST writes: the first response again and no second row;
a different body is a 422; the stored record never holds a plaintext token; a cache
outage degrades to running the request (what a client without a key gets)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache

from accounts.models import ApiToken, AuditLog
from config.api import idempotency
from config.api.errors import ApiError, IdempotentReplay
from tests.config.helpers import CLOSED_REDIS, csrf_client, tokens_url


def mint(client, workspace, body, key):
    return client.post(tokens_url(workspace), body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_same_body_replays_the_first_response_and_creates_one_row(owner, workspace):
    client = csrf_client(owner)
    first = mint(client, workspace, {"name": "ci"}, "retry-1")
    second = mint(client, workspace, {"name": "ci"}, "retry-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()  # the same plaintext token, shown again
    assert second["Idempotent-Replayed"] == "true"
    assert second["Cache-Control"] == "no-store"
    assert "Idempotent-Replayed" not in first
    assert ApiToken.objects.count() == 1
    assert AuditLog.objects.filter(action="api_token.create").count() == 1


def test_same_key_different_body_is_422_and_creates_nothing(owner, workspace):
    client = csrf_client(owner)
    assert mint(client, workspace, {"name": "ci"}, "k").status_code == 201
    response = mint(client, workspace, {"name": "deploy"}, "k")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "This Idempotency-Key was already used with a different request body."
    }
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["ci"]


def test_different_keys_are_different_requests(owner, workspace):
    client = csrf_client(owner)
    assert mint(client, workspace, {"name": "ci"}, "a").status_code == 201
    assert mint(client, workspace, {"name": "ci"}, "b").status_code == 201
    assert ApiToken.objects.count() == 2


def test_keys_are_scoped_to_the_caller(owner, workspace, outsider, other_workspace):
    assert mint(csrf_client(owner), workspace, {"name": "ci"}, "shared").status_code == 201
    response = mint(csrf_client(outsider), other_workspace, {"name": "ci"}, "shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert ApiToken.objects.count() == 2


def test_a_failed_request_does_not_burn_its_key(owner, workspace):
    client = csrf_client(owner)
    assert mint(client, workspace, {"name": ""}, "fix-and-retry").status_code == 422
    response = mint(client, workspace, {"name": "fixed"}, "fix-and-retry")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_without_a_key_every_post_runs(owner, workspace):
    client = csrf_client(owner)
    client.post(tokens_url(workspace), {"name": "ci"}, format="json")
    client.post(tokens_url(workspace), {"name": "ci"}, format="json")
    assert ApiToken.objects.count() == 2


def test_an_overlong_key_is_400(owner, workspace):
    response = mint(csrf_client(owner), workspace, {"name": "ci"}, "k" * 256)
    assert response.status_code == 400
    assert response.json() == {"detail": "Idempotency-Key must be 1-255 printable characters."}
    assert not ApiToken.objects.exists()


def test_the_stored_record_holds_no_plaintext_token(owner, workspace):
    response = mint(csrf_client(owner), workspace, {"name": "ci"}, "sealed")
    raw = response.json()["token"]
    scope = f"greatfeedback:user:{owner.pk}"
    record = cache.get("idem:" + hashlib.sha256(f"{scope}\nsealed".encode()).hexdigest())
    assert record["state"] == "done"
    assert raw not in repr(record)
    assert raw[-48:] not in repr(record)


def test_a_request_still_running_with_the_key_is_409(db):
    claim = idempotency.begin(scope="s", key="k", method="POST", path="/p", body=b"{}")
    assert claim is not None
    with pytest.raises(ApiError) as excinfo:
        idempotency.begin(scope="s", key="k", method="POST", path="/p", body=b"{}")
    assert (excinfo.value.status, excinfo.value.code) == (409, "idempotency_key_in_progress")
    idempotency.finish(claim, status=201, body={"id": 1})
    with pytest.raises(IdempotentReplay) as replay:
        idempotency.begin(scope="s", key="k", method="POST", path="/p", body=b"{}")
    assert (replay.value.status, replay.value.body) == (201, {"id": 1})


def test_a_record_sealed_under_another_secret_key_is_not_replayed(db, settings):
    claim = idempotency.begin(scope="s", key="k", method="POST", path="/p", body=b"{}")
    assert claim is not None
    idempotency.finish(claim, status=201, body={"id": 1})
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    # Unreadable now: treated as expired, so the request runs again instead of a 500.
    assert idempotency.begin(scope="s", key="k", method="POST", path="/p", body=b"{}")


def test_cache_outage_runs_the_request_without_replay_protection(owner, workspace, settings):
    settings.CACHES = CLOSED_REDIS
    client = csrf_client(owner)
    first = mint(client, workspace, {"name": "ci"}, "during-outage")
    second = mint(client, workspace, {"name": "ci"}, "during-outage")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["token"] != second.json()["token"]
    assert ApiToken.objects.count() == 2  # documented: no replay while the cache is down
