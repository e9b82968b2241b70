from django.urls import path

from projects.api.greatfeedback import views

SECRETS = "api/widget/sites/<str:site_id>/secrets"

urlpatterns = [
    path("api/v1/sites", views.SiteList.as_view(), name="gf-site-list"),
    path("api/v1/sites/<str:site_id>", views.SiteDetail.as_view(), name="gf-site-detail"),
    path(SECRETS, views.SiteSecrets.as_view(), name="gf-site-secrets"),
    path(
        f"{SECRETS}/rotate-mcp-token",
        views.SiteRotateMcpToken.as_view(),
        name="gf-site-rotate-mcp-token",
    ),
]
