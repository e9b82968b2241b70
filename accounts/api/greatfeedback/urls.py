from django.urls import path

from accounts.api.greatfeedback import views

urlpatterns = [
    path(
        "api/workspaces/<str:ws>/api-tokens",
        views.ApiTokenListCreate.as_view(),
        name="gf-api-token-list",
    ),
    path(
        "api/workspaces/<str:ws>/api-tokens/<str:token_id>",
        views.ApiTokenRevoke.as_view(),
        name="gf-api-token-revoke",
    ),
]
