"""The test suite (bin/test)."""

from omni import embedded

# Outside the launcher (a bare `manage.py` or `pytest`), start or join the embedded servers.
embedded.export_missing_urls()

from .base import *  # noqa: E402, F403

SECRET_KEY = "django-insecure-tests-only"
DEBUG = False
# Argon2 stays the production hasher (tested); a fast one keeps the suite quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
CACHES["default"]["KEY_PREFIX"] = "omni-test"
# Tasks run in-process where a test triggers them (after commit, see django_capture_on_commit_callbacks).
CELERY_TASK_ALWAYS_EAGER = True
AXES_FAILURE_LIMIT = 3
# Tests change locations and record failures between calls: read them afresh each time.
OMNI_PROMISE_FACTS_SECONDS = 0
OMNI_RELIABILITY_CACHE_SECONDS = 0
