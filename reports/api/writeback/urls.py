from django.urls import path

from reports.api.writeback import views

urlpatterns = [
    # No trailing slashes: the Writeback document shows none.
    path("v1/reports", views.ReportIngest.as_view(), name="wb-report-create"),
    path(
        "v1/dashboard/<str:project_id>/reports",
        views.ProjectReports.as_view(),
        name="wb-dashboard-reports",
    ),
]
