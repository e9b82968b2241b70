"""The WSGI entry point runserver and gunicorn load (tests and management commands do not):
it also starts this process's in-process task worker (config/worker.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.worker import start_in_process_worker  # noqa: E402 - needs the apps loaded above

start_in_process_worker()
