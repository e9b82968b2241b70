from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(sender: AppConfig, **kwargs: object) -> None:
    """The embedded default cache is DatabaseCache: make its table part of ``migrate`` so a
    fresh install never serves a request before the table exists. A no-op on Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and workspaces"

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self)
