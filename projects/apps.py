from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects and sites"

    def ready(self) -> None:
        from projects import (
            cors,  # noqa: F401  (connects the CORS origin check)
            signals,  # noqa: F401  (drops cached ingest-key lookups)
        )
