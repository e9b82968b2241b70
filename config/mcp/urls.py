"""MCP routes: ``/mcp`` (Minolith, project key) and ``/mcp/<mcp_token>`` (greatfeedback,
the site's MCP token). Both with and without a trailing slash, as clients are configured
either way."""

from django.urls import path, re_path

from config.mcp import views

urlpatterns = [
    re_path(r"^mcp/?$", views.minolith_mcp, name="mcp-minolith"),
    path("mcp/<str:mcp_token>", views.greatfeedback_mcp, name="mcp-greatfeedback"),
    path("mcp/<str:mcp_token>/", views.greatfeedback_mcp),
]
