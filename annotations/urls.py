"""Annotations dashboard pages (inbox, annotation page, stakeholders)."""

from django.urls import URLPattern

app_name = "annotations"

urlpatterns: list[URLPattern] = []
