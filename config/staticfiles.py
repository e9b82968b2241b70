"""Static file names that never 500 a page because ``collectstatic`` was not run."""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]

logger = logging.getLogger("backtalk.static")


class FallbackManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names from the manifest ``collectstatic`` writes; without a
    manifest (a fresh checkout started with DEBUG off) or for a file the manifest does not
    know (a static file added since the last ``collectstatic``), the plain name, which
    whitenoise serves from the finders (``WHITENOISE_USE_FINDERS``). Django's storage
    raises instead, and every template using ``{% static %}`` became a 500."""

    _warned = False

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:
            self._warn_once(name)
            return name

    def _warn_once(self, name: str) -> None:
        if FallbackManifestStaticFilesStorage._warned:
            return
        FallbackManifestStaticFilesStorage._warned = True
        reason = (
            f"{name!r} is missing from the manifest"
            if self.hashed_files
            else "no staticfiles manifest found"
        )
        logger.warning(
            "static: %s; serving unhashed files from the app directories. "
            "Run `python manage.py collectstatic --noinput` for hashed, compressed, "
            "long-cached files.",
            reason,
        )
