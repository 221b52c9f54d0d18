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
# runserver gives each request thread its own connection: persistent ones pile up (one per
# thread ever started) until PostgreSQL refuses more. Django advises against them here.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "0"))
# Plain static names in development: no manifest to go stale while files change.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
