from django.urls import path

from projects.api.writeback import views

urlpatterns = [
    path("v1/projects", views.ProjectList.as_view(), name="wb-project-list"),
]
