"""The site page's annotation widget snippet: the embed line with a placeholder for the
OWNER-only widget token, and the real token once the owner reveals the secrets."""

from __future__ import annotations

import pytest

from tests.dashboard.helpers import signed_in


@pytest.mark.parametrize("persona", ["owner", "member", "guest"])
def test_site_page_shows_the_annotation_widget_snippet_without_the_secret(
    request, persona, workspace, project
):
    html = (
        signed_in(request.getfixturevalue(persona))
        .get(f"/w/{workspace.pk}/projects/{project.pk}/")
        .content.decode()
    )

    assert (
        f"/widget/annotate.js&quot; data-site=&quot;{project.pk}&quot; "
        "data-token=&quot;gfwt_your_widget_token&quot;&gt;&lt;/script&gt;" in html
    )
    assert project.widget_token not in html


def test_revealed_secrets_show_the_widget_snippet_with_the_real_token(owner, workspace, project):
    client = signed_in(owner)
    secrets = f"/w/{workspace.pk}/projects/{project.pk}/secrets/"

    client.post(f"{secrets}reveal/")
    html = client.get(secrets).content.decode()

    assert f"data-token=&quot;{project.widget_token}&quot;" in html
    assert 'id="annotate-embed"' in html
