"""greatfeedback annotations routes (owned by its feature; see urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
