def test_sites_list_with_member_token_returns_workspace_sites(gf_client, project):
    response = gf_client.get("/api/v1/sites")
    assert response.status_code == 200, response.content
    assert [s["id"] for s in response.json()["items"]] == [project.pk]
