"""gunicorn settings for production: ``gunicorn -c config/gunicorn.py`` (docs/deploy.md).

Sync workers (the app stays WSGI: /work/shared/PERFORMANCE.md measured sync Django under an
ASGI server 2-6x slower). Command-line flags and GUNICORN_CMD_ARGS override anything here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os

from config.logging import RedactSecretsFilter

wsgi_app = "config.wsgi:application"
# Inside a container behind the TLS proxy; set GUNICORN_BIND=127.0.0.1:8000 on a shared host.
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
max_requests = 2000  # recycle workers now and then; jitter keeps them from restarting at once
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
control_socket_disable = True  # gunicorn 24+'s admin socket: unused, and one per host path

# gunicorn's access log prints the request line, and /mcp/<mcp_token> carries a secret in
# its path: the same filter Django's console handler uses keeps it out of both logs.
for _name in ("gunicorn.access", "gunicorn.error"):
    logging.getLogger(_name).addFilter(RedactSecretsFilter())
