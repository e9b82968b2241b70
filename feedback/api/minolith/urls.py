"""Minolith feedback URLs, at the paths the document fixes (no trailing slashes), plus the
widget script and its demo page (the widget is part of the Minolith surface)."""

from django.urls import path, re_path

from feedback import widget
from feedback.api.minolith import views

urlpatterns = [
    path("v1/feedback/items", views.ItemListCreate.as_view(), name="mlth-items"),
    path("v1/feedback/items/<str:item_id>", views.ItemDetail.as_view(), name="mlth-item"),
    path(
        "v1/feedback/items/<str:item_id>/notes", views.NoteCreate.as_view(), name="mlth-item-notes"
    ),
    path("v1/feedback/public/<str:slug>", views.PublicSubmit.as_view(), name="mlth-public"),
    path("widget/feedback.js", widget.widget_js, name="widget-js"),
    path(
        f"widget/feedback.{widget.WIDGET_MAJOR}.js",
        widget.widget_js,
        {"variant": "major"},
        name="widget-js-major",
    ),
    re_path(
        r"^widget/feedback\.(?P<digest>[0-9a-f]{16})\.js$",
        widget.widget_js,
        {"variant": "exact"},
        name="widget-js-exact",
    ),
    path("widget/demo/", widget.widget_demo, name="widget-demo"),
]
