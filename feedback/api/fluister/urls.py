"""Fluister: exactly ``/v1/feedback`` (no trailing slash, as the document shows); the
Minolith paths below it (``/v1/feedback/items``...) are separate patterns."""

from django.urls import path

from feedback.api.fluister import views

urlpatterns = [
    path("v1/feedback", views.FeedbackSubmit.as_view(), name="fluister-feedback"),
]
