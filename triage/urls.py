"""Dashboard routes of the triage app, mounted under /w/<ws>/."""

from __future__ import annotations

from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path(
        "projects/<str:project_id>/triage/corrections.csv",
        views.CorrectionExportView.as_view(),
        name="corrections-csv",
    ),
]
