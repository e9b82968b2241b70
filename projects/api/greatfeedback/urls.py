from django.urls import path

from projects.api.greatfeedback import views

urlpatterns = [
    path("api/v1/sites", views.SiteList.as_view(), name="gf-site-list"),
    path("api/v1/sites/<str:site_id>", views.SiteDetail.as_view(), name="gf-site-detail"),
    path(
        "api/widget/sites/<str:site_id>/secrets",
        views.SiteSecrets.as_view(),
        name="gf-site-secrets",
    ),
    path(
        "api/widget/sites/<str:site_id>/secrets/rotate-mcp-token",
        views.SiteRotateMcpToken.as_view(),
        name="gf-site-rotate-mcp-token",
    ),
]
