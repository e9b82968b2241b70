"""Dashboard URLs of the reports app (names ``reports:<entity>-<action>``), mounted under
``w/<str:ws>/`` in config/urls.py."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.ReportIndexView.as_view(), name="report-index"),
    path(
        "projects/<str:project_id>/reports/",
        views.ReportListView.as_view(),
        name="report-list",
    ),
    path(
        "projects/<str:project_id>/reports/<str:report_id>/reply/",
        views.ReportReplyView.as_view(),
        name="report-reply",
    ),
]
