"""Backtalk settings: one module, every knob from the environment.

With no environment at all this runs on embedded defaults (SQLite under var/, the database
cache, console email, local media files, the database task queue). Production swaps in
PostgreSQL, Redis and S3 by setting DATABASE_URL, REDIS_URL and AWS_STORAGE_BUCKET_NAME.
The README's configuration table lists every variable read here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BACKTALK_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)

TESTING = "pytest" in sys.modules or env_bool("BACKTALK_TESTING")

# --- Core -----------------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", default=False)
_INSECURE_DEV_KEY = "django-insecure-backtalk-dev-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _INSECURE_DEV_KEY)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Empty: links follow the address each request came in on (config.site.site_url). Tests keep
# the fixed address their assertions were written against; tests of the request-following
# default set SITE_URL = "" themselves.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if TESTING else "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "projects",
    "triage",
    "reports",
    "annotations",
    "feedback",
]

MIDDLEWARE = [
    "config.middleware.RedactSecretsInPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'backtalk.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Services open their own durable atomic blocks (STYLE 3.2); ATOMIC_REQUESTS would nest them.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the db_worker and the web process share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
_test_db_name = env_str("DATABASE_TEST_NAME")
if _test_db_name:
    DATABASES["default"]["TEST"] = {"NAME": _test_db_name}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "backtalk"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "backtalk_cache",
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "backtalk"),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# Sessions stay in the database so a cache outage never signs everybody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# django-ratelimit 4.1 raises E003 for DatabaseCache ("does not support atomic increment":
# its incr is a read then a write) and W001 for any backend outside its allow-list, which
# names django-redis but not Django's own RedisCache (whose incr is Redis INCRBY, atomic).
# We accept E003 for the embedded default on purpose: DatabaseCache is shared across
# processes (unlike LocMemCache) and a racing burst can under-count by at most the number
# of requests in flight, which a single-box install can live with. Production sets
# REDIS_URL. Both ids are silenced here, with this reason, rather than switching to a cache
# that would not be shared between the web process and the worker.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_USE_CACHE = "default"
# Our own wrapper (config/api/ratelimit.py) decides fail-open/closed per family; the
# library's own switch is left off so no error is swallowed twice.
RATELIMIT_FAIL_OPEN = False

# --- Tasks ----------------------------------------------------------------------------------
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if TESTING else "database")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.backend.DatabaseBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }.get(TASKS_BACKEND, TASKS_BACKEND),
    }
}
# A worker thread inside each web process (runserver, gunicorn) drains the database queue,
# so the documented start command is all it takes; turn it off when `db_worker` runs as its
# own service (config/worker.py, docs/operations.md).
TASKS_IN_PROCESS_WORKER = env_bool("TASKS_IN_PROCESS_WORKER", default=TASKS_BACKEND == "database")

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            # Signed links with SigV4: newer AWS regions accept nothing else, and MinIO, R2
            # and the other S3-compatible stores speak it too (boto3's default is SigV2 here).
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "config.staticfiles.FallbackManifestStaticFilesStorage"
        )
    },
}
# Hashed names from collectstatic's manifest when there is one; otherwise (or for a file
# added since) plain names, which whitenoise can serve only from the finders: pages never
# 500 for want of collectstatic (config/staticfiles.py, docs/deploy.md).
WHITENOISE_USE_FINDERS = True


# --- Email ----------------------------------------------------------------------------------
def _email_settings(url: str) -> dict[str, object]:
    """EMAIL_URL: console://, locmem://, smtp://user:pass@host:port, smtp+tls://, smtp+ssl://.

    Written here rather than depending on dj-email-url, unmaintained since 2022, for six lines.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme in {"", "console"}:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme.startswith("smtp"):
        query = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if scheme == "smtp+ssl" else 587),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls" or "tls" in query,
            "EMAIL_USE_SSL": scheme == "smtp+ssl",
        }
    raise ValueError(f"EMAIL_URL scheme {scheme!r} is not supported")


globals().update(_email_settings(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Backtalk <backtalk@localhost>")

# --- Security -------------------------------------------------------------------------------
# Client IPs come from X-Forwarded-For only when REMOTE_ADDR is one of these (IPs or CIDRs).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Browser origins (besides the server's own) allowed to POST to the MCP endpoints; requests
# without an Origin header (CLIs, SDKs) are not affected. DNS-rebinding protection (docs/mcp.md).
MCP_ALLOWED_ORIGINS = env_list("MCP_ALLOWED_ORIGINS", [])
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
# The MCP token travels in a URL path: no page of ours leaks its URL through Referer to
# another site. "same-origin", not "no-referrer": under "no-referrer" browsers send
# `Origin: null` with form POSTs, which Django's CSRF check rejects (every dashboard form).
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Request bodies: the largest documented field is 50,000 characters (up to 200 KB of UTF-8).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_BODY_BYTES", 1_048_576)

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],  # rate limits are django-ratelimit, keyed by our client IP
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_FILTER_BACKENDS": [],
    # OPTIONS without serializer introspection: most bodies are validated by hand (500 before).
    "DEFAULT_METADATA_CLASS": "config.api.metadata.PlainMetadata",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Backtalk API",
    "DESCRIPTION": "Writeback, greatfeedback, Minolith and Fluister APIs served by one server.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.add_error_responses",
    ],
}

# --- CORS (django-cors-headers) -------------------------------------------------------------
# Only the browser-facing API paths are CORS-enabled: Writeback ingest, Fluister and the
# widget assets. The public widget endpoint /v1/feedback/public/<slug> is enabled per
# request by projects.cors (its project's allowed origins; none set = every origin).
CORS_URLS_REGEX = r"^/(v1/reports|v1/feedback)/?$|^/widget/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "x-requested-with",
    # The annotation widget (annotations.cors): its site token and the submitter's secret.
    "x-gf-widget-token",
    "x-gf-submitter-secret",
]
CORS_EXPOSE_HEADERS = ["Retry-After", "Idempotent-Replayed"]
CORS_PREFLIGHT_MAX_AGE = 86400

# --- Backtalk limits (documented values as defaults) ----------------------------------------
WORKSPACE_DELETE_GRACE_DAYS = env_int("WORKSPACE_DELETE_GRACE_DAYS", 30)
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 14)
TOKEN_LAST_USED_RESOLUTION_SECONDS = 60
IDEMPOTENCY_TTL_SECONDS = env_int("IDEMPOTENCY_TTL_SECONDS", 24 * 3600)
# Rates are "<count>/<seconds>s" strings as django-ratelimit reads them.
RATE_GREATFEEDBACK_PER_TOKEN = env_str("RATE_GREATFEEDBACK_PER_TOKEN", "600/60s")
RATE_GREATFEEDBACK_PER_IP = env_str("RATE_GREATFEEDBACK_PER_IP", "30/60s")
# The annotation widget's per-IP bucket (the document's per-IP limit), counted apart from the
# API's so a team's API calls never use up their visitors' widget submissions.
RATE_GREATFEEDBACK_WIDGET_PER_IP = env_str("RATE_GREATFEEDBACK_WIDGET_PER_IP", "30/60s")
RATE_MINOLITH_PER_KEY = env_str("RATE_MINOLITH_PER_KEY", "100/60s")
RATE_MINOLITH_PUBLIC_PER_IP = env_str("RATE_MINOLITH_PUBLIC_PER_IP", "10/3600s")
RATE_FLUISTER_PER_KEY = env_str("RATE_FLUISTER_PER_KEY", "100/60s")
RATE_WRITEBACK_INGEST_PER_KEY = env_str("RATE_WRITEBACK_INGEST_PER_KEY", "600/60s")
RATE_WRITEBACK_READ_PER_KEY = env_str("RATE_WRITEBACK_READ_PER_KEY", "300/60s")
RATE_LOGIN_PER_IP = env_str("RATE_LOGIN_PER_IP", "30/300s")
RATE_LOGIN_PER_EMAIL = env_str("RATE_LOGIN_PER_EMAIL", "10/900s")
MINOLITH_DOCS_URL = env_str("MINOLITH_DOCS_URL", "https://docs.minolith.io/api/feedback")

# --- LLM (optional) -------------------------------------------------------------------------
LLM_BASE_URL = env_str("LLM_BASE_URL")
LLM_API_KEY = env_str("LLM_API_KEY")
LLM_MODEL = env_str("LLM_MODEL")
LLM_TRIAGE_TIMEOUT = env_int("LLM_TRIAGE_TIMEOUT", 20)  # seconds per LLM triage request
LLM_PERSONA_TIMEOUT = env_int("LLM_PERSONA_TIMEOUT", 30)  # seconds per persona LLM request
LLM_VISION = env_bool("LLM_VISION", default=False)  # send the screenshot URL to the model

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logging.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
