"""htmx and the browser's history: a page found again with Back is always the whole page.

A live search answers its htmx request with a fragment (the results) and pushes the URL. When
the person opens a result and comes back, two things could show that bare fragment instead of
the page: the browser's HTTP cache, which holds the last answer for that URL (``Vary:
HX-Request`` tells it the fragment and the page are different answers), and htmx itself,
which asks the server again with ``HX-History-Restore-Request`` when its own history cache
misses: that request wants the whole page, so views see it as an ordinary one (falsy
``request.htmx``).
"""

from __future__ import annotations

from django.utils.cache import patch_vary_headers


class _WholePage:
    """``request.htmx`` for a history restore: falsy, so every view renders its whole page."""

    def __init__(self, details) -> None:
        self._details = details

    def __bool__(self) -> bool:
        return False

    def __getattr__(self, name):
        return getattr(self._details, name)


class HtmxHistoryMiddleware:
    """After django-htmx's middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        details = getattr(request, "htmx", None)
        if details and details.history_restore_request:
            request.htmx = _WholePage(details)
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response
