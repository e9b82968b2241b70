"""ASGI entry point, for completeness only: Backtalk is served over WSGI (see PERFORMANCE)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
