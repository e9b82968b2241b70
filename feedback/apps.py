from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Minolith and Fluister feedback"

    def ready(self) -> None:
        from accounts.overview import section_register
        from feedback.overview import SECTION

        section_register(SECTION)
