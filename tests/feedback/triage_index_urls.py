"""The site's URLs plus the workspace-level triage entry (the sidebar's "Triage").

feedback/urls.py is owned elsewhere during issue 14; its line is
``path("triage/", triage_views.TriageIndexView.as_view(), name="triage-index")``. Once it
is there, this module and the tests' ``pytest.mark.urls`` can go.
"""

from django.urls import path

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as site
from feedback import triage_views

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("w/<str:ws>/triage/", triage_views.TriageIndexView.as_view()),
    *site,
]
