"""Dashboard URLs of the projects app (names ``projects:<entity>-<action>``)."""

from django.urls import path

from projects import views

app_name = "projects"

P = "w/<str:ws>/projects/<str:project_id>/"

urlpatterns = [
    path("w/<str:ws>/projects/", views.ProjectListView.as_view(), name="project-list"),
    path("w/<str:ws>/projects/new/", views.ProjectCreateView.as_view(), name="project-create"),
    path(P, views.ProjectDetailView.as_view(), name="project-detail"),
    path(P + "edit/", views.ProjectUpdateView.as_view(), name="project-update"),
    path(P + "keys/new/", views.KeyCreateView.as_view(), name="key-create"),
    path(P + "keys/<str:key_id>/revoke/", views.KeyRevokeView.as_view(), name="key-revoke"),
    path(P + "ingest-key/rotate/", views.IngestKeyRotateView.as_view(), name="ingest-key-rotate"),
    path(P + "secrets/", views.SecretsView.as_view(), name="secrets-detail"),
    path(P + "secrets/reveal/", views.SecretsRevealView.as_view(), name="secrets-reveal"),
    path(
        P + "secrets/rotate-mcp-token/", views.McpTokenRotateView.as_view(), name="secrets-rotate"
    ),
]
