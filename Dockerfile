# Production image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=omni.settings.production
WORKDIR /app
RUN useradd --create-home --uid 1000 omni

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir . && rm -rf build *.egg-info
COPY . .
# collectstatic imports the settings, which need these to exist; none is used.
RUN SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-xx \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input --verbosity 0

USER omni
EXPOSE 8000
# Behind a buffering proxy only (deploy/nginx.conf): 3 workers x 4 threads, README "Production".
CMD ["gunicorn", "omni.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", \
     "--workers", "3", "--threads", "4", "--timeout", "30", "--graceful-timeout", "25", \
     "--keep-alive", "5", "--access-logfile", "-"]
