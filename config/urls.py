"""URL map. Each API family's urls are included at the root because the documents fix
full paths (``/v1/reports``, ``/api/v1/sites``...), with the trailing slashes they show."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import views as accounts_views
from config import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The ingest families first: Django tries patterns in order, and behind the ~70 dashboard
    # and greatfeedback patterns resolving /v1/reports cost 0.3 ms a request (issue 15).
    # No other pattern starts with v1/ or widget/, so the order changes no match.
    # Writeback
    path("", include("projects.api.writeback.urls")),
    path("", include("reports.api.writeback.urls")),
    # Minolith (feedback items, public widget endpoint, widget script)
    path("", include("feedback.api.minolith.urls")),
    path("", include("feedback.api.fluister.urls")),  # Fluister: exactly POST /v1/feedback
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    # Dashboard: "/" home, then accounts' pages (its login/reset overrides must come before
    # django.contrib.auth.urls, which serves the rest of the sign-in flow).
    path("", accounts_views.home, name="home"),
    path("", include("accounts.urls")),
    path("", include("projects.urls")),
    path("w/<str:ws>/", include("reports.urls")),
    path("w/<str:ws>/", include("feedback.urls")),
    path("w/<str:ws>/", include("annotations.urls")),
    path("w/<str:ws>/", include("triage.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # GET only: an OPTIONS on the HTML docs page has no template to render (was a 500).
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", http_method_names=["get", "head"]),
        name="api-docs",
    ),
    # greatfeedback
    path("", include("accounts.api.greatfeedback.urls")),
    path("", include("projects.api.greatfeedback.urls")),
    path("", include("annotations.api.greatfeedback.urls")),
    # MCP servers: /mcp/<mcp_token> (greatfeedback) and /mcp (Minolith)
    path("", include("config.mcp.urls")),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.not_found"
handler500 = "config.views.internal_error"
