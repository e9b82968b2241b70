"""URL map. Each API family's urls are included at the root because the documents fix
full paths (``/v1/reports``, ``/api/v1/sites``...), with the trailing slashes they show."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # greatfeedback
    path("", include("accounts.api.greatfeedback.urls")),
    path("", include("projects.api.greatfeedback.urls")),
    # Writeback
    path("", include("projects.api.writeback.urls")),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.not_found"
handler500 = "config.views.internal_error"
