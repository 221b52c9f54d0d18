from celery import Celery

# DJANGO_SETTINGS_MODULE comes from the environment (bin/dev, the Docker image, compose):
# setting a default here would leak into every process that imports `omni`, the launcher's
# children included.
app = Celery("omni")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
