"""Local development: bin/dev."""

import os

os.environ.setdefault("DEBUG", "1")

from omni import embedded  # noqa: E402

# Outside the launcher (a bare `manage.py` or `pytest`), start or join the embedded servers.
embedded.export_missing_urls()

from .base import *  # noqa: E402, F403

SECRET_KEY = SECRET_KEY or "django-insecure-development-only"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
INTERNAL_IPS = ["127.0.0.1"]
# Plain static names in development: no manifest to go stale while files change.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
