"""When PostgreSQL or Redis stumbles, nothing is lost and nobody sees a traceback.

- Requests: an outage error a view lets out is a 503 with ``Retry-After`` (``OutageMiddleware``;
  DRF views answer it from ``omni.api.exception_handler``), JSON in the one error shape under
  ``/api/``, the ``503.html`` page for people, even with DEBUG on.
- After a commit: a task that cannot be queued (broker away) is logged; the committed change
  stands and the request succeeds (``enqueue_on_commit``).
- Celery tasks: ``RETRY_ON_OUTAGE`` retries them with backoff on database and broker errors;
  ``IDEMPOTENT`` ones are acknowledged only once done, so a lost worker's task runs again.
"""

from __future__ import annotations

import logging
import sys

from django.db import transaction
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string

from .api import API_PREFIX, RETRY_AFTER_SECONDS, log_outage, service_unavailable_body
from .errors import BROKER_ERRORS, DATABASE_ERRORS, OUTAGE_ERRORS

logger = logging.getLogger(__name__)

# Options for @shared_task: a database or broker outage retries the task with exponential
# backoff and jitter (1 s, 2 s, 4 s … capped at 5 minutes), eight times before giving up.
RETRY_ON_OUTAGE = {
    "autoretry_for": (*DATABASE_ERRORS, *BROKER_ERRORS),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}
# For tasks that do no harm when run twice: acknowledged after they finish, and put back on
# the queue if the worker running them dies.
IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}


def service_unavailable_response(request) -> HttpResponse:
    """The 503 for ``request``: JSON under /api/, the page otherwise. The page is rendered
    without the request's context (no session, user or navigation): the database may be
    what is down."""
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse(service_unavailable_body(), status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"request": request}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # by log_outage, in one line: not again by django.request
    return response


class OutageMiddleware:
    """A view that meets PostgreSQL or Redis down answers 503, not 500 (nor DEBUG's
    traceback)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OUTAGE_ERRORS):
            return None
        log_outage(exception, request)
        return service_unavailable_response(request)


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task.delay(*args)`` once the current transaction commits. If the broker is
    away, the error is logged with the task and its arguments (e.g. the order event's id) and
    swallowed: the change is committed and its request must say so, not answer 500."""

    def enqueue():
        try:
            task.delay(*args)
        except BROKER_ERRORS as error:
            logger.warning(
                "could not queue %s%r after commit (broker unavailable: %s: %s); the change is committed",
                task.name,
                args,
                type(error).__name__,
                error,
            )

    transaction.on_commit(enqueue)


BARE_500 = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Omni</title></head>'
    '<body style="font-family:system-ui;margin:3rem"><h1>Omni</h1>'
    '<p>Une erreur est survenue. / Something went wrong.</p><p><a href="/">Accueil / Home</a></p></body></html>'
)


def server_error(request):
    """handler500: an outage met outside a view (a middleware saving the session, say) is a
    503 too; anything else is Django's 500 page."""
    if isinstance(error := sys.exc_info()[1], OUTAGE_ERRORS):
        log_outage(error, request)
        return service_unavailable_response(request)
    try:
        # In the site's frame and the reader's language, without the request's context
        # processors (session, user, menu): the database may be what failed.
        return HttpResponseServerError(render_to_string("500.html", {"request": request}))
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        return HttpResponseServerError(BARE_500)
