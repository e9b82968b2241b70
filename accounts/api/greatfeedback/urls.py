from django.urls import path

from accounts.api.greatfeedback import views

TOKENS = "api/workspaces/<str:ws>/api-tokens"

urlpatterns = [
    path(TOKENS, views.ApiTokenListCreate.as_view(), name="gf-api-token-list"),
    path(f"{TOKENS}/<str:token_id>", views.ApiTokenRevoke.as_view(), name="gf-api-token-revoke"),
]
