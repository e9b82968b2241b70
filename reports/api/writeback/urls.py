from django.urls import path

from reports.api.writeback import views

# No trailing slashes: the Writeback document shows none.
DASHBOARD_REPORTS = "v1/dashboard/<str:project_id>/reports"

urlpatterns = [
    path("v1/reports", views.report_ingest, name="wb-report-create"),  # lean path + DRF view
    path(DASHBOARD_REPORTS, views.ProjectReports.as_view(), name="wb-dashboard-reports"),
]
