"""Dashboard URLs of the feedback inbox (names ``feedback:<entity>-<action>``), mounted under
``w/<str:ws>/`` in config/urls.py. The widget script and the API live in
``feedback.api.minolith.urls``."""

from django.urls import path

from feedback import triage_views, views

app_name = "feedback"

urlpatterns = [
    path("inbox/", views.ItemListView.as_view(), name="item-list"),
    path("inbox/bulk/", views.ItemBulkView.as_view(), name="item-bulk"),
    path("inbox/<str:item_id>/", views.ItemDetailView.as_view(), name="item-detail"),
    path("inbox/<str:item_id>/update/", views.ItemUpdateView.as_view(), name="item-update"),
    path("inbox/<str:item_id>/notes/", views.NoteCreateView.as_view(), name="note-create"),
    path("inbox/<str:item_id>/delete/", views.ItemDeleteView.as_view(), name="item-delete"),
    # AI triage (feedback.triage_views)
    path("triage/", triage_views.TriageIndexView.as_view(), name="triage-index"),
    path(
        "inbox/<str:item_id>/triage/correct/",
        triage_views.TriageCorrectView.as_view(),
        name="triage-correct",
    ),
    path(
        "projects/<str:project_id>/triage/",
        triage_views.TriageBreakdownView.as_view(),
        name="triage-breakdown",
    ),
]
