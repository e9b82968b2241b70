from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Writeback agent reports"

    def ready(self) -> None:
        from reports import signals  # noqa: F401  (cache invalidation of ingest-key lookups)
