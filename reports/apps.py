from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Writeback agent reports"

    def ready(self) -> None:
        from accounts.overview import section_register
        from reports.overview import SECTION

        section_register(SECTION)
