"""Every rejection reason of the shared Bearer machinery, for every token family: a revoked,
expired, or deleted-workspace key is a 401 with the RFC 6750 challenge and the reason, in
the family's own error shape (greatfeedback ``detail``, Writeback ``ok: false``, Minolith
``error`` with its docs link). test_token_auth.py covers the missing / malformed / unknown
cases and greatfeedback in depth."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services
from accounts.audit import Actor
from accounts.models import ApiToken
from tests.config.helpers import challenge
from tests.conftest import bearer_client

FAMILIES = {
    # fixture of the credential -> (URL it reads, the family's 401 body for a reason)
    "gf_token": ("/api/v1/sites", lambda reason, settings: {"detail": reason}),
    "wk_sk_key": (
        "/v1/projects",
        lambda reason, settings: {
            "ok": False,
            "error": {"code": "unauthorized", "message": reason},
        },
    ),
    "mlth_key": (
        "/v1/feedback/items",
        lambda reason, settings: {
            "error": {
                "code": "unauthorized",
                "message": reason,
                "docs": f"{settings.MINOLITH_DOCS_URL}#errors",
            }
        },
    ),
}


def revoke(credential, owner, workspace):
    services.api_token_revoke(token=credential.token, actor=Actor.for_user(owner))
    return "Token has been revoked."


def expire(credential, owner, workspace):
    ApiToken.objects.filter(pk=credential.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    return "Token has expired."


def delete_workspace(credential, owner, workspace):
    services.workspace_soft_delete(workspace=workspace, user=owner)
    return "Workspace has been deleted."


@pytest.mark.parametrize("fixture", list(FAMILIES))
@pytest.mark.parametrize("reject", [revoke, expire, delete_workspace], ids=lambda f: f.__name__)
def test_a_rejected_key_is_401_with_its_reason_in_the_familys_shape(
    request, settings, owner, workspace, project, fixture, reject
):
    credential = request.getfixturevalue(fixture)
    url, body = FAMILIES[fixture]
    client = bearer_client(credential.raw)
    assert client.get(url).status_code == 200

    reason = reject(credential, owner, workspace)

    response = client.get(url)
    assert response.status_code == 401, response.content
    assert response.json() == body(reason, settings)
    assert response["WWW-Authenticate"] == challenge(reason)
